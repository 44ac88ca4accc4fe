"""What a PDF shows, read back with pypdf: each piece of text, where it starts and on which page."""

import io
from dataclasses import dataclass

from pypdf import PdfReader

A4_WIDTH = 595.28  # points
A4_HEIGHT = 841.89


@dataclass(frozen=True)
class Shown:
    page: int  # from 0
    x: float  # where the text starts, in points from the page's bottom left
    y: float
    text: str


def shown(data: bytes) -> list[Shown]:
    """Every piece of text in the order it was drawn (a piece: what one text operator shows)."""
    pieces: list[Shown] = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages):

        def visit(text, cm, tm, font, size, number=number):
            if text.strip():
                # The text's origin: the text matrix's translation through the page's current matrix.
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                pieces.append(Shown(number, x, y, text.strip()))

        page.extract_text(visitor_text=visit)
    return pieces


def texts(data: bytes) -> list[str]:
    return [piece.text for piece in shown(data)]


def page_texts(data: bytes) -> list[str]:
    """Each page's text as a reader copying it out would get it."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


@dataclass(frozen=True)
class Placed:
    page: int
    x: float  # the image's bottom left corner, in points from the page's bottom left
    y: float
    width: float
    height: float


def images(data: bytes) -> list[Placed]:
    """Where each image is drawn: the matrix set (`cm`) just before it is painted (`Do`)."""
    placed: list[Placed] = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages):
        matrix: list[float] = []

        def visit(operator, args, cm, tm, number=number):
            nonlocal matrix
            if operator == b"cm":
                matrix = [float(value) for value in args]
            elif operator == b"Do" and matrix:
                width, _, _, height, x, y = matrix
                placed.append(Placed(number, x, y, width, height))

        page.extract_text(visitor_operand_before=visit)
    return placed
