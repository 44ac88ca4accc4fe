"""Sponsorship contracts: the unsigned contract generated at approval, and whether invoicing waits for it.

Signing, countersigning and uploading live in events/services/contract_signing.py, which may invoice.
"""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from events import tasks
from events.contract_pdf import contract_pdf
from events.contract_terms import fill_contract_terms
from events.models import Sponsorship, SponsorshipContract
from portal.core.audit import audit, register_actions
from portal.core.money import format_money
from portal.core.tasking import enqueue_on_commit

register_actions(
    {
        "events.sponsorship.contract_generate": ("Generate contract", "Sponsorship contract generated"),
        "events.sponsorship.contract_sign": ("Sign contract", "Sponsorship contract signed by the sponsor"),
        "events.sponsorship.contract_countersign": ("Countersign contract", "Sponsorship contract countersigned"),
        "events.sponsorship.contract_upload": ("Upload signed contract", "Contract signed outside the portal uploaded"),
    }
)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_sha256(field: FieldFile) -> str:
    """The SHA-256 of the file as the storage holds it now (not as recorded)."""
    with field.storage.open(str(field.name), "rb") as stored:
        return sha256_hex(stored.read())


def event_dates(event) -> str:
    """The event's dates in its own time zone: "12 May 2027" or "12 – 14 May 2027 (Europe/Berlin)"."""
    start, end = event.local(event.start), event.local(event.end)
    if start.date() == end.date():
        days = f"{start:%d %B %Y}"
    elif (start.year, start.month) == (end.year, end.month):
        days = f"{start:%d} – {end:%d %B %Y}"
    else:
        days = f"{start:%d %B %Y} – {end:%d %B %Y}"
    return f"{days} ({event.time_zone})"


def contract_values(sponsorship: Sponsorship) -> dict[str, str]:
    """What the placeholders of the package's terms stand for, for this sponsorship. The sponsor's legal name
    is the one given in the application (on the invoice too), else the organisation's, else its name."""
    organization, package = sponsorship.organization, sponsorship.package
    event = package.event
    return {
        "sponsor_legal_name": sponsorship.billing_name or organization.legal_name or organization.name,
        "package": package.name,
        "price": format_money(package.price, event.currency),
        "event": event.name,
        "dates": event_dates(event),
    }


def save_pdf(field: FieldFile, name: str, data: bytes) -> str:
    """Store the PDF in the default storage under an unguessable folder; returns its SHA-256."""
    field.save(name, ContentFile(data), save=False)
    return sha256_hex(data)


def sponsorship_contract_generate(*, sponsorship: Sponsorship, actor) -> SponsorshipContract | None:
    """At approval: the package's terms filled in plainly, drawn as a PDF, stored with its SHA-256, and the
    sponsor asked to sign. A package without terms has no contract (None). Call inside the approval's
    transaction."""
    package = sponsorship.package
    if not package.contract_terms.strip() or SponsorshipContract.objects.filter(sponsorship=sponsorship).exists():
        return None
    values = contract_values(sponsorship)
    event = package.event
    particulars = {
        "title": f"Sponsorship agreement: {event.name}",
        "rows": [
            ["Sponsor", values["sponsor_legal_name"]],
            ["Organiser", settings.INVOICE_SELLER["name"]],
            ["Event", event.name],
            ["Dates", values["dates"]],
            ["Package", package.name],
            ["Price", values["price"]],
        ],
    }
    terms = fill_contract_terms(package.contract_terms, values)
    contract = SponsorshipContract(
        sponsorship=sponsorship, particulars=particulars, terms=terms, generated_at=timezone.now()
    )
    data = contract_pdf(particulars=particulars, terms=terms, time_zone=event.time_zone)
    contract.unsigned_sha256 = save_pdf(contract.unsigned_pdf, f"contract-{sponsorship.pk}.pdf", data)
    contract.save()
    audit(
        "events.sponsorship.contract_generate",
        sponsorship,
        actor=actor,
        data={"sha256": contract.unsigned_sha256, "file": contract.unsigned_pdf.name},
    )
    enqueue_on_commit(tasks.send_sponsorship_contract_ready, sponsorship.pk)
    return contract


def sponsorship_invoice_waits_for_contract(sponsorship: Sponsorship) -> bool:
    """With SPONSORSHIP_INVOICE_ON = "signature", a sponsorship with a contract is invoiced only once both
    sides have signed it (or a contract signed outside the portal was uploaded)."""
    if settings.SPONSORSHIP_INVOICE_ON != "signature":
        return False
    status = SponsorshipContract.objects.filter(sponsorship=sponsorship).values_list("status", flat=True).first()
    return status is not None and status != SponsorshipContract.Status.SIGNED
