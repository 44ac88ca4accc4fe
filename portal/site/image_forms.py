"""The Wagtail image library's upload form: an SVG added to the library (a project's logo, any picture)
passes the same allowlist as every other uploaded SVG, since the library serves the original file."""

from django.core.files.uploadedfile import UploadedFile
from wagtail.images.forms import BaseImageForm

from portal.core.svg import check_svg


def _is_svg(file: UploadedFile) -> bool:
    file.seek(0)
    head = file.read(1024).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    file.seek(0)
    return (file.name or "").lower().endswith(".svg") or head.startswith(b"<?xml") or b"<svg" in head


class CheckedImageForm(BaseImageForm):
    """A new SVG in the image library must neither run code nor fetch anything when opened."""

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if isinstance(file, UploadedFile) and _is_svg(file):
            check_svg(file.read())
            file.seek(0)
        return file
