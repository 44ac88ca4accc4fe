"""Uploaded images are checked by what they contain, not by their name or declared type.

    from portal.core.uploads import validate_logo_file
    logo = models.FileField(validators=[validate_logo_file])  # every logo field and form uses this one

    kind = validate_logo(uploaded_file)                       # "png" | "jpeg" | "svg", or ValidationError

One size limit for every logo, `settings.MAX_LOGO_BYTES` (1 MB). PNG and JPEG must open and verify
with Pillow as what their bytes say they are, within a pixel budget. SVG stays SVG (landscape tools
need it) but is kept only if everything in it is on the allowlist in portal/core/svg.py. Every
refusal is a `ValidationError` with a `code` (see REFUSALS), so forms show it next to the field and
the API names the field. A file already stored is not checked again when its row is saved.
"""

from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

from portal.core.svg import REFUSALS as SVG_REFUSALS
from portal.core.svg import check_svg

MAX_PIXELS = 25_000_000  # 5000 x 5000: far above any logo, far below a decompression bomb
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"

REFUSALS = {
    "too_large": "The file is larger than {limit}; please upload a smaller one.",
    "empty": "The file is empty.",
    "not_an_image": "This file is not a PNG, JPEG or SVG image.",
    "wrong_format": "This file is a {found} image; only {allowed} are accepted.",
    "damaged": "The image is damaged or incomplete, so it cannot be opened.",
    "too_many_pixels": "The image is {width} x {height} pixels; please upload one of at most {limit} pixels.",
    "wrong_name": "The file's content is {kind} but its name says otherwise; rename it to {extension}.",
    **SVG_REFUSALS,
}
EXTENSIONS = {"png": (".png",), "jpeg": (".jpg", ".jpeg"), "svg": (".svg",)}


def _refuse(code: str, **params) -> ValidationError:
    return ValidationError(REFUSALS[code].format(**params), code=code, params=params)


def size_label(size: int) -> str:
    """A byte count as people write it: "1 MB", "512 KB", "1.5 MB", "20 bytes"."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def max_logo_bytes() -> int:
    return settings.MAX_LOGO_BYTES


def _read(file, max_bytes: int) -> bytes:
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        size = getattr(file, "size", None)
        if size is not None and size > max_bytes:
            raise _refuse("too_large", limit=size_label(max_bytes))
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(max_bytes + 1)
        if hasattr(file, "seek"):
            file.seek(0)  # leave the file readable for whoever saves it
    if len(data) > max_bytes:
        raise _refuse("too_large", limit=size_label(max_bytes))
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


def validate_logo(file, *, max_bytes: int | None = None) -> str:
    """A logo upload: PNG, JPEG or a self-contained SVG within `max_bytes` (MAX_LOGO_BYTES); returns its kind."""
    data = _read(file, max_logo_bytes() if max_bytes is None else max_bytes)
    if data.startswith(PNG_SIGNATURE) or data.startswith(JPEG_SIGNATURE):
        return check_raster(data).lower()
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or head.startswith(b"<!--") or b"<svg" in head:
        check_svg(data)
        return "svg"
    if head.startswith(b"<!doctype"):
        check_svg(data)  # refuses the DOCTYPE
    try:  # another raster format (GIF, WebP, ...): say which, rather than "not an image"
        check_raster(data)
    except ValidationError as error:
        if error.code == "wrong_format":
            raise
    raise _refuse("not_an_image")


def validate_logo_file(file) -> None:
    """The validator of every logo field: a new upload passes validate_logo and its name agrees with its
    content (a stored file is not checked again each time its row is saved)."""
    if not file or getattr(file, "_committed", False):
        return
    kind = validate_logo(file)
    name = (getattr(file, "name", "") or "").lower()
    expected = EXTENSIONS.get(kind, ())
    if name and expected and not name.endswith(expected):
        raise _refuse("wrong_name", kind=kind.upper(), extension=expected[0])


def validate_image(file, *, max_bytes: int | None = None, formats: tuple[str, ...] = ("PNG", "JPEG")) -> str:
    """A raster image only (photos, banners): one of `formats` within `max_bytes` (MAX_LOGO_BYTES)."""
    data = _read(file, max_logo_bytes() if max_bytes is None else max_bytes)
    return check_raster(data, formats=formats).lower()
