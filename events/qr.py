"""A ticket's QR code: a PNG for the e-mails and the ticket pages, a Group 4 TIFF for the PDFs."""

import io
from functools import lru_cache

import segno
from PIL import Image

from events.models import Ticket

# Any of the eight masks makes a valid code that every reader decodes; choosing the "best" one scores
# all eight, which cost twice the rest of the drawing (1.7 of 2.8 ms for each ticket's e-mail).
QR_MASK = 0
# Light modules around the code, which readers need to find it; two are enough on screen and paper.
QR_BORDER = 2
# segno's matrix holds 1 for a dark module and 0 for a light one: as 8-bit grey, black and white.
_MODULE_GREY = bytes.maketrans(b"\x00\x01", b"\xff\x00")


def ticket_qr_png(ticket: Ticket, *, scale: int = 6) -> bytes:
    """The ticket's QR code: its unguessable code, which check-in scans; `scale` pixels per module."""
    return _code_png(ticket.code, scale)


def ticket_qr_tiff(ticket: Ticket, *, scale: int) -> bytes:
    """The same picture as a CCITT Group 4 TIFF, for the PDFs: fpdf2 copies such a TIFF's one strip into
    the PDF as it is, whereas a PNG it decodes and encodes to Group 4 itself (0.8 of 1.6 ms a ticket PDF)."""
    return _code_tiff(ticket.code, scale)


# A paid order's worker draws each ticket's code as a PNG twice (the buyer's e-mail, the holder's) and
# as a TIFF for the holder's PDF; a reissued ticket has a new code, so the code alone is the key.
@lru_cache(maxsize=512)
def _code_png(code: str, scale: int) -> bytes:
    return qr_png(_code_qr(code), scale=scale)


@lru_cache(maxsize=512)
def _code_tiff(code: str, scale: int) -> bytes:
    buffer = io.BytesIO()
    _qr_image(_code_qr(code), scale=scale, border=QR_BORDER).save(buffer, format="TIFF", compression="group4")
    return buffer.getvalue()


@lru_cache(maxsize=256)
def _code_qr(code: str) -> segno.QRCode:
    return segno.make(code, error="m", mask=QR_MASK)


def qr_png(qr: segno.QRCode, *, scale: int, border: int = QR_BORDER) -> bytes:
    """A 1-bit PNG of the code, black on white, `scale` pixels per module and `border` modules of quiet zone."""
    buffer = io.BytesIO()
    _qr_image(qr, scale=scale, border=border).save(buffer, format="PNG")
    return buffer.getvalue()


def _qr_image(qr: segno.QRCode, *, scale: int, border: int) -> Image.Image:
    # Pillow scales and encodes in C; segno's own PNG writer does it in Python and cost twice the
    # encoding itself (about 2 of 2.9 ms per ticket).
    width, height = len(qr.matrix[0]), len(qr.matrix)
    side = b"\xff" * border
    quiet_rows = b"\xff" * (width + 2 * border) * border
    pixels = quiet_rows + b"".join(side + row.translate(_MODULE_GREY) + side for row in qr.matrix) + quiet_rows
    grey = Image.frombytes("L", (width + 2 * border, height + 2 * border), pixels)
    modules = grey.convert("1", dither=Image.Dither.NONE)  # 1-bit, as segno wrote: a PNG of ~400 bytes
    return modules.resize((modules.width * scale, modules.height * scale), Image.Resampling.NEAREST)
