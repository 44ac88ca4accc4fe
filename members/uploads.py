"""Organisation logos: PNG, JPEG or SVG, recognised by their content, size-limited, SVGs sanitised.

Kept apart from the models so forms, services and the admin share one check. (A shared
`portal/uploads.py` is being written on another branch; when it lands this module can delegate to it.)
"""

import re
from xml.etree import ElementTree  # noqa: S405 - only to check well-formedness; entities are refused before parsing

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
DEFAULT_MAX_BYTES = 1024 * 1024

SVG_FORBIDDEN = (
    b"<script",
    b"<!doctype",
    b"<!entity",
    b"foreignobject",
    b"javascript:",
    b"<iframe",
    b"<embed",
    b"<object",
    b"<use",
    b'xlink:href="http',
    b'href="http',
)
EVENT_HANDLER = re.compile(rb"\son[a-z]+\s*=")


def max_logo_bytes() -> int:
    return getattr(settings, "MEMBERS_LOGO_MAX_BYTES", DEFAULT_MAX_BYTES)


def _read(file) -> bytes:
    file.seek(0)
    data = file.read()
    file.seek(0)
    return data


def sniff_image_kind(data: bytes) -> str | None:
    """ "png", "jpeg" or "svg" from the bytes themselves, whatever the file name says; None otherwise."""
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or head.startswith(b"<!--"):
        if b"<svg" in data[:4096].lower():
            return "svg"
    return None


def check_svg(data: bytes) -> None:
    """Logos are served from our own origin: an SVG may not carry scripts, event handlers, entities or links out."""
    lowered = data.lower()
    if any(token in lowered for token in SVG_FORBIDDEN) or EVENT_HANDLER.search(lowered):
        raise ValidationError(
            "This SVG contains scripts or external content; upload a plain SVG, a PNG or a JPEG.", code="unsafe_svg"
        )
    try:
        root = ElementTree.fromstring(data)  # noqa: S314 - DOCTYPE and entities were refused above
    except ElementTree.ParseError as error:
        raise ValidationError("This SVG is not well-formed XML.", code="invalid_svg") from error
    if not root.tag.endswith("svg"):
        raise ValidationError("This file is not an SVG image.", code="invalid_svg")


def validate_logo(file) -> None:
    """A logo is a PNG, JPEG or SVG by content (not by name), at most MEMBERS_LOGO_MAX_BYTES, and SVGs are safe."""
    if not file:
        return
    limit = max_logo_bytes()
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            f"The logo is too large ({filesizeformat(size)}); the limit is {filesizeformat(limit)}.",
            code="logo_too_large",
        )
    data = _read(file)
    if len(data) > limit:
        raise ValidationError(
            f"The logo is too large ({filesizeformat(len(data))}); the limit is {filesizeformat(limit)}.",
            code="logo_too_large",
        )
    kind = sniff_image_kind(data)
    if kind is None:
        raise ValidationError("The logo must be a PNG, JPEG or SVG image.", code="logo_wrong_type")
    name = (getattr(file, "name", "") or "").lower()
    expected = {"png": (".png",), "jpeg": (".jpg", ".jpeg"), "svg": (".svg",)}[kind]
    if name and not name.endswith(expected):
        raise ValidationError(
            f"The file's content is {kind.upper()} but its name says otherwise; rename it to {expected[0]}.",
            code="logo_wrong_type",
        )
    if kind == "svg":
        check_svg(data)


def validate_svg_logo(file) -> None:
    """Kept for issue 4's migration: the SVG check alone."""
    if not file or not file.name.lower().endswith(".svg"):
        return
    check_svg(_read(file))
