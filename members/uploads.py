"""Organisation logos: the shared logo validator of portal/core/uploads.py, under the names that the
members' migrations recorded."""

from portal.core import uploads


def validate_logo(file) -> None:
    """A new logo is a PNG, JPEG or allowlisted SVG by content, at most MAX_LOGO_BYTES, named as it is."""
    uploads.validate_logo_file(file)


def validate_svg_logo(file) -> None:
    """Recorded by early migrations; today every logo field uses the whole logo check."""
    uploads.validate_logo_file(file)
