"""Organisation logos: delegates to the shared checks in portal/core/uploads.py (PNG/JPEG verified with Pillow,
SVG parsed with defusedxml and refused if it can run or fetch anything), with the members' size limit
(settings.MEMBERS_LOGO_MAX_BYTES, 1 MB) and a file name that must agree with the content."""

from django.conf import settings
from django.core.exceptions import ValidationError

from portal.core import uploads

DEFAULT_MAX_BYTES = 1024 * 1024
EXTENSIONS = {"png": (".png",), "jpeg": (".jpg", ".jpeg"), "svg": (".svg",)}


def max_logo_bytes() -> int:
    return getattr(settings, "MEMBERS_LOGO_MAX_BYTES", DEFAULT_MAX_BYTES)


def validate_logo(file) -> None:
    """A logo is a PNG, JPEG or SVG by content (not by name), at most MEMBERS_LOGO_MAX_BYTES, and SVGs are safe."""
    if not file:
        return
    kind = uploads.validate_logo(file, max_bytes=max_logo_bytes())
    name = (getattr(file, "name", "") or "").lower()
    expected = EXTENSIONS.get(kind, ())
    if name and expected and not name.endswith(expected):
        raise ValidationError(
            f"The file's content is {kind.upper()} but its name says otherwise; rename it to {expected[0]}.",
            code="logo_wrong_name",
        )


def validate_svg_logo(file) -> None:
    """Kept for issue 4's migration 0001: the SVG check alone."""
    if not file or not file.name.lower().endswith(".svg"):
        return
    file.seek(0)
    data = file.read()
    file.seek(0)
    uploads.check_svg(data)
