"""Static files as whitenoise stores them (hashed names, compressed copies), each URL worked out once."""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

_MOST_URLS = 10_000


class KeptManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Every page asks for the same few URLs (the stylesheets, the favicon); each answer cost a manifest
    lookup, a URL split and a join, 0.1 ms of a signed-in page. The manifest is read once, when the process
    starts, so an answer holds until the next deploy restarts it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool, bool], str] = {}

    def url(self, name, force=False):
        key = (name, force, settings.DEBUG)  # DEBUG answers the unhashed name
        found = self._urls.get(key)
        if found is None:
            found = super().url(name, force)
            if len(self._urls) < _MOST_URLS:  # names come from templates, but never grow without end
                self._urls[key] = found
        return found
