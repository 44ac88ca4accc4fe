"""The sponsorship contract as a PDF: its particulars and terms, then a signature page per signing.

A signed copy is the same pages drawn again from the contract's stored text (never from today's package)
followed by a page that names each signatory and the SHA-256 of the unsigned file they reviewed.
"""

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from portal.core.pdf import Document, draw


@dataclass(frozen=True)
class Signature:
    heading: str  # "Signed for the sponsor, Acme Cloud Ltd"
    name: str
    title: str
    signed_at: datetime  # aware
    ip: str


def contract_pdf(
    *,
    particulars: dict,
    terms: str,
    time_zone: str = "UTC",
    signatures: Sequence[Signature] = (),
    unsigned_sha256: str = "",
) -> bytes:
    """The contract's pages; with `signatures`, a last page stating each one and the unsigned file's hash."""
    return draw(lambda doc: _draw(doc, particulars, terms, time_zone, signatures, unsigned_sha256))


def _draw(doc: Document, particulars: dict, terms: str, time_zone: str, signatures, unsigned_sha256: str) -> None:
    doc.add_page()
    doc.style(16, bold=True)
    doc.wrapped(8, particulars.get("title", "Sponsorship agreement"))
    doc.gap(3)
    doc.style(10)
    for label, value in particulars.get("rows", []):
        doc.row(6, ((40, label, "L"), (0, value, "L")))
    doc.gap(4)
    doc.wrapped(5, terms)
    if signatures:
        _draw_signatures(doc, time_zone, signatures, unsigned_sha256)


def _when(moment: datetime, time_zone: str) -> str:
    local = moment.astimezone(zoneinfo.ZoneInfo(time_zone))
    utc = moment.astimezone(zoneinfo.ZoneInfo("UTC"))
    return f"{local:%d %B %Y %H:%M} {time_zone} ({utc:%Y-%m-%d %H:%M} UTC)"


def _draw_signatures(doc: Document, time_zone: str, signatures, unsigned_sha256: str) -> None:
    doc.add_page()
    doc.style(14, bold=True)
    doc.wrapped(7, "Signatures")
    doc.gap(2)
    doc.style(10)
    doc.wrapped(5, "Each signatory reviewed the unsigned contract (the pages before this one) whose SHA-256 is:")
    doc.style(9)
    doc.line(6, unsigned_sha256)
    doc.style(10)
    doc.wrapped(
        5,
        "and signed it in the portal by typing their full name and title and confirming that this is their signature.",
    )
    for signature in signatures:
        doc.gap(6)
        doc.style(11, bold=True)
        doc.wrapped(6, signature.heading)
        doc.style(10)
        doc.line(6, f"Name: {signature.name}")
        doc.line(6, f"Title: {signature.title}")
        doc.line(6, f"Signed at: {_when(signature.signed_at, time_zone)}")
        doc.line(6, f"IP address: {signature.ip}")
