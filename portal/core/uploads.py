"""Uploaded images are checked by what they contain, not by their name or declared type.

    from portal.core.uploads import validate_logo
    logo = forms.FileField(validators=[validate_logo])        # PNG, JPEG or SVG, 2 MB at most

    kind = validate_logo(uploaded_file)                       # "png" | "jpeg" | "svg", or ValidationError

PNG and JPEG must open and verify with Pillow as what their bytes say they are, within a pixel
budget. SVG is parsed with defusedxml (no DTDs or entities) and refused, with a message that says
why, if it holds anything that can run or fetch: scripts, event-handler attributes, foreignObject,
animation (which can rewrite links), links or styles that point outside the file, non-SVG elements.
Every refusal is a `ValidationError` with a `code` (see REFUSALS), so forms show it next to the field.
"""

import re
from io import BytesIO

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 25_000_000  # 5000 x 5000: far above any logo, far below a decompression bomb
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
FORBIDDEN_SVG_ELEMENTS = {
    "script": "a script",
    "foreignObject": "a foreignObject element (it can hold HTML)",
    "iframe": "an iframe",
    "embed": "an embed element",
    "object": "an object element",
    "handler": "an event handler element",
    "listener": "an event listener element",
    "set": "an animation (it can rewrite links)",
    "animate": "an animation (it can rewrite links)",
    "animateMotion": "an animation (it can rewrite links)",
    "animateTransform": "an animation (it can rewrite links)",
    "discard": "an animation element",
}
# url(...) pointing anywhere but an id in this file, and @import, in style attributes or <style>.
_EXTERNAL_CSS = re.compile(r"url\(\s*['\"]?\s*(?!#)([^'\")\s]+)|@import\s+['\"]?([^'\";\s]+)", re.IGNORECASE)

REFUSALS = {
    "too_large": "The file is larger than {limit}; please upload a smaller one.",
    "empty": "The file is empty.",
    "not_an_image": "This file is not a PNG, JPEG or SVG image.",
    "wrong_format": "This file is a {found} image; only {allowed} are accepted.",
    "damaged": "The image is damaged or incomplete, so it cannot be opened.",
    "too_many_pixels": "The image is {width} x {height} pixels; please upload one of at most {limit} pixels.",
    "svg_malformed": "The SVG file is not well-formed XML.",
    "svg_dtd": "The SVG declares a DTD or entities, which is not allowed.",
    "svg_not_svg": "The file is XML but not an SVG image.",
    "svg_forbidden_element": "The SVG contains {what}, which is not allowed in an uploaded image.",
    "svg_foreign_element": "The SVG contains a non-SVG element ({tag}), which is not allowed.",
    "svg_event_handler": "The SVG contains an event handler attribute ({name}), which is not allowed.",
    "svg_external_reference": "The SVG refers to something outside the file ({target}); it must be self-contained.",
}


def _refuse(code: str, **params) -> ValidationError:
    return ValidationError(REFUSALS[code].format(**params), code=code, params=params)


def _read(file, max_bytes: int) -> bytes:
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        size = getattr(file, "size", None)
        if size is not None and size > max_bytes:
            raise _refuse("too_large", limit=filesizeformat(max_bytes))
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(max_bytes + 1)
        if hasattr(file, "seek"):
            file.seek(0)  # leave the file readable for whoever saves it
    if len(data) > max_bytes:
        raise _refuse("too_large", limit=filesizeformat(max_bytes))
    if not data:
        raise _refuse("empty")
    return data


def check_raster(data: bytes, *, formats: tuple[str, ...] = ("PNG", "JPEG"), max_pixels: int = MAX_PIXELS) -> str:
    """The bytes are a whole, sane image in one of `formats`; returns Pillow's format name."""
    allowed = " and ".join(formats)
    try:
        with Image.open(BytesIO(data)) as image:
            found = image.format or "unknown"
            width, height = image.size
            if found not in formats:
                raise _refuse("wrong_format", found=found, allowed=allowed)
            if width * height > max_pixels:
                raise _refuse("too_many_pixels", width=width, height=height, limit=f"{max_pixels:,}")
            image.verify()
        with Image.open(BytesIO(data)) as image:
            image.load()  # verify() does not decode: a truncated file only fails here
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise _refuse("damaged") from error
    return found


def _local_name(name: str) -> tuple[str, str]:
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return "", name


def check_svg(data: bytes) -> None:
    """The SVG can neither run code nor fetch anything when shown; refuses with the reason."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise _refuse("svg_dtd") from error
    except SafeET.ParseError as error:
        raise _refuse("svg_malformed") from error
    if _local_name(root.tag) != (SVG_NS, "svg"):
        raise _refuse("svg_not_svg")
    for element in root.iter():
        if not isinstance(element.tag, str):  # comments and processing instructions
            continue
        namespace, tag = _local_name(element.tag)
        if tag in FORBIDDEN_SVG_ELEMENTS:
            raise _refuse("svg_forbidden_element", what=FORBIDDEN_SVG_ELEMENTS[tag])
        if namespace != SVG_NS:
            raise _refuse("svg_foreign_element", tag=tag)
        for attribute, value in element.attrib.items():
            attr_namespace, name = _local_name(attribute)
            if name.lower().startswith("on"):
                raise _refuse("svg_event_handler", name=name)
            if name == "href" and attr_namespace in ("", XLINK_NS) and not value.strip().startswith("#"):
                raise _refuse("svg_external_reference", target=value.strip()[:80])
            if name == "style" or attr_namespace == "":
                _check_css(value)
        if tag == "style":
            _check_css(element.text or "")


def _check_css(text: str) -> None:
    match = _EXTERNAL_CSS.search(text)
    if match:
        raise _refuse("svg_external_reference", target=(match.group(1) or match.group(2))[:80])


def validate_logo(file, *, max_bytes: int = MAX_LOGO_BYTES) -> str:
    """A logo upload: PNG, JPEG or a self-contained SVG within `max_bytes`; returns its kind."""
    data = _read(file, max_bytes)
    if data.startswith(PNG_SIGNATURE) or data.startswith(JPEG_SIGNATURE):
        return check_raster(data).lower()
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or head.startswith(b"<!--") or b"<svg" in head:
        check_svg(data)
        return "svg"
    if head.startswith(b"<!doctype"):
        raise _refuse("svg_dtd")
    try:  # another raster format (GIF, WebP, ...): say which, rather than "not an image"
        check_raster(data)
    except ValidationError as error:
        if error.code == "wrong_format":
            raise
    raise _refuse("not_an_image")


def validate_image(file, *, max_bytes: int = MAX_LOGO_BYTES, formats: tuple[str, ...] = ("PNG", "JPEG")) -> str:
    """A raster image only (photos, banners): one of `formats` within `max_bytes`."""
    data = _read(file, max_bytes)
    return check_raster(data, formats=formats).lower()
