"""Static URLs are worked out once per process, and are the ones whitenoise's storage gives."""

import json

from django.test import override_settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

from portal.core.static_storage import KeptManifestStaticFilesStorage


def _storages(tmp_path):
    manifest = {"paths": {"css/site.css": "css/site.cd3fcf85.css"}, "version": "1.1", "hash": "0"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return [
        cls(location=str(tmp_path), base_url="/static/")
        for cls in (KeptManifestStaticFilesStorage, CompressedManifestStaticFilesStorage)
    ]


@override_settings(DEBUG=False)
def test_a_static_url_is_whitenoise_s_and_the_manifest_is_asked_once(tmp_path, monkeypatch):
    kept, whitenoise = _storages(tmp_path)
    asked = []
    stored_name = kept.stored_name
    monkeypatch.setattr(kept, "stored_name", lambda name: asked.append(name) or stored_name(name))
    for name in ("css/site.css", "css/site.css", "css/site.css#top", "css/site.css"):
        assert kept.url(name) == whitenoise.url(name)
    assert kept.url("css/site.css") == "/static/css/site.cd3fcf85.css"
    assert asked == ["css/site.css", "css/site.css"]  # once per name: the plain one, the one with a fragment


def test_with_debug_on_the_unhashed_name_is_given_not_the_kept_one(tmp_path):
    kept, _ = _storages(tmp_path)
    with override_settings(DEBUG=False):
        assert kept.url("css/site.css") == "/static/css/site.cd3fcf85.css"
    with override_settings(DEBUG=True):
        assert kept.url("css/site.css") == "/static/css/site.css"
