"""Signing a sponsorship contract in the browser: the sponsor signs, staff countersign, or staff upload a
contract signed outside the portal. Each signed file is stored with its SHA-256, which goes into the audit log.

A signature is a typed full name and title, a ticked consent, the moment and the IP address; the signed PDF
is the contract's pages with a signature page naming the SHA-256 of the unsigned file that was reviewed.
Signing is refused when the stored unsigned file no longer has the hash the signatory was shown.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from events import contract_selectors, tasks
from events.contract_pdf import Signature, contract_pdf
from events.exceptions import ContractInvalid, NotOrganizationAdmin
from events.models import Sponsorship, SponsorshipContract
from events.services.contracts import contract_values, save_pdf, sha256_hex, stored_sha256
from events.services.sponsorships import sponsorship_invoice
from portal.core.audit import audit
from portal.core.tasking import enqueue_on_commit
from portal.core.text import validate_plain_text

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _signatory(name: str, title: str, consent: bool) -> tuple[str, str]:
    name, title = (name or "").strip(), (title or "").strip()
    if not name or not title:
        raise ContractInvalid("Type your full name and your title to sign.")
    if len(name) > 200 or len(title) > 200:
        raise ContractInvalid("Your name and title may have at most 200 characters each.")
    try:
        validate_plain_text(name)
        validate_plain_text(title)
    except ValidationError as error:
        raise ContractInvalid(error.messages[0]) from error
    if not consent:
        raise ContractInvalid("Tick the box to confirm that typing your name is your signature.")
    return name, title


def _lock(sponsorship: Sponsorship) -> tuple[Sponsorship, SponsorshipContract]:
    """The sponsorship and its contract, locked in that order (as cancelling locks the sponsorship)."""
    sponsorship = (
        Sponsorship.objects.select_for_update(of=("self",))
        .select_related("organization", "package__event")
        .get(pk=sponsorship.pk)
    )
    contract = SponsorshipContract.objects.select_for_update().filter(sponsorship=sponsorship).first()
    if contract is None:
        raise ContractInvalid("This sponsorship has no contract to sign.")
    if sponsorship.status == Sponsorship.Status.CANCELED:
        raise ContractInvalid("This sponsorship is canceled: its contract can no longer be signed.")
    return sponsorship, contract


def _check_reviewed(contract: SponsorshipContract, *, field, recorded: str, reviewed: str) -> None:
    """The file signed is the file that was shown: its stored bytes still hash to what the page showed."""
    if not field or not recorded:
        raise ContractInvalid("The contract's file is missing; write to the events team.")
    if (reviewed or "").strip().lower() != recorded or stored_sha256(field) != recorded:
        raise ContractInvalid(
            "The contract changed since you opened it, so it was not signed. Review it again before signing."
        )


def _sponsor_signature(contract: SponsorshipContract, sponsor_name: str) -> Signature:
    return Signature(
        heading=f"Signed for the sponsor, {sponsor_name}",
        name=contract.sponsor_signer_name,
        title=contract.sponsor_signer_title,
        signed_at=contract.sponsor_signed_at,  # type: ignore[arg-type]
        ip=contract.sponsor_signed_ip,
    )


def _sponsor_name(contract: SponsorshipContract, sponsorship: Sponsorship) -> str:
    rows = dict(contract.particulars.get("rows", []))
    return rows.get("Sponsor") or contract_values(sponsorship)["sponsor_legal_name"]


def _signed_pdf(contract: SponsorshipContract, sponsorship: Sponsorship, *more: Signature) -> bytes:
    """The contract under the sponsor's signature, followed by any more (the staff countersignature)."""
    return contract_pdf(
        particulars=contract.particulars,
        terms=contract.terms,
        time_zone=sponsorship.package.event.time_zone,
        signatures=[_sponsor_signature(contract, _sponsor_name(contract, sponsorship)), *more],
        unsigned_sha256=contract.unsigned_sha256,
    )


def _audit_signature(
    action: str, contract: SponsorshipContract, sponsorship: Sponsorship, actor, name: str, title: str, **hashes: str
) -> None:
    """Who signed, and the hashes of the signed copy (the sponsor's, unless given) and of the unsigned one."""
    data = {
        "name": name,
        "title": title,
        "sha256": contract.sponsor_sha256,
        "unsigned_sha256": contract.unsigned_sha256,
    }
    audit(action, sponsorship, actor=actor, data={**data, **hashes})


def sponsorship_contract_sign(
    *, sponsorship: Sponsorship, actor, name: str, title: str, consent: bool, reviewed_sha256: str, ip: str
) -> SponsorshipContract:
    """An administrator of the sponsoring organisation signs the contract they reviewed, once."""
    name, title = _signatory(name, title, consent)
    with transaction.atomic():
        sponsorship, contract = _lock(sponsorship)
        if not contract_selectors.may_sign_for(actor, sponsorship):
            raise NotOrganizationAdmin(f"Only an administrator of {sponsorship.organization.name} can sign.")
        if contract.status != SponsorshipContract.Status.AWAITING_SPONSOR:
            raise ContractInvalid("This contract is already signed.")
        _check_reviewed(
            contract, field=contract.unsigned_pdf, recorded=contract.unsigned_sha256, reviewed=reviewed_sha256
        )
        contract.sponsor_signer_name, contract.sponsor_signer_title = name, title
        contract.sponsor_signed_at, contract.sponsor_signed_ip, contract.sponsor_signed_by = timezone.now(), ip, actor
        data = _signed_pdf(contract, sponsorship)
        contract.sponsor_sha256 = save_pdf(contract.sponsor_pdf, f"contract-{sponsorship.pk}-signed.pdf", data)
        contract.move_to(SponsorshipContract.Status.AWAITING_STAFF)
        contract.save()
        _audit_signature("events.sponsorship.contract_sign", contract, sponsorship, actor, name, title)
        enqueue_on_commit(tasks.send_sponsorship_contract_signed, sponsorship.pk)
    return contract


def _require_staff(actor) -> None:
    if not actor.has_perm(contract_selectors.STAFF_PERMISSION):
        raise NotOrganizationAdmin("Only the events team can countersign or upload a contract.")


def _save_fully_signed(contract: SponsorshipContract, name_on_disk: str, data: bytes) -> None:
    """Store the copy signed by both sides (countersigned here or uploaded) and mark the contract signed."""
    contract.countersigned_sha256 = save_pdf(contract.countersigned_pdf, name_on_disk, data)
    contract.move_to(SponsorshipContract.Status.SIGNED)
    contract.save()


def _fully_signed(sponsorship: Sponsorship, actor) -> None:
    """Tell the sponsor; with SPONSORSHIP_INVOICE_ON = "signature", issue the invoice the way they asked to pay."""
    enqueue_on_commit(tasks.send_sponsorship_contract_countersigned, sponsorship.pk)
    if settings.SPONSORSHIP_INVOICE_ON == "signature" and sponsorship.status == Sponsorship.Status.APPROVED:
        sponsorship_invoice(sponsorship=sponsorship, method=sponsorship.payment_method, actor=actor)


def sponsorship_contract_countersign(
    *, sponsorship: Sponsorship, actor, name: str, title: str, consent: bool, reviewed_sha256: str, ip: str
) -> SponsorshipContract:
    """Events staff countersign the copy the sponsor signed: the result carries both signatures."""
    _require_staff(actor)
    name, title = _signatory(name, title, consent)
    with transaction.atomic():
        sponsorship, contract = _lock(sponsorship)
        if contract.status != SponsorshipContract.Status.AWAITING_STAFF:
            raise ContractInvalid(
                "This contract is already signed by both sides."
                if contract.fully_signed
                else "The sponsor has not signed this contract yet."
            )
        _check_reviewed(
            contract, field=contract.sponsor_pdf, recorded=contract.sponsor_sha256, reviewed=reviewed_sha256
        )
        if stored_sha256(contract.unsigned_pdf) != contract.unsigned_sha256:
            raise ContractInvalid(
                "The stored unsigned contract changed since the sponsor signed it; not countersigned."
            )
        contract.staff_signer_name, contract.staff_signer_title = name, title
        contract.countersigned_at, contract.countersigned_ip, contract.countersigned_by = timezone.now(), ip, actor
        staff = Signature(
            heading=f"Countersigned for the organiser, {settings.INVOICE_SELLER['name']}",
            name=name,
            title=title,
            signed_at=contract.countersigned_at,
            ip=ip,
        )
        data = _signed_pdf(contract, sponsorship, staff)
        _save_fully_signed(contract, f"contract-{sponsorship.pk}-countersigned.pdf", data)
        _audit_signature(
            "events.sponsorship.contract_countersign",
            contract,
            sponsorship,
            actor,
            name,
            title,
            sha256=contract.countersigned_sha256,
            sponsor_sha256=contract.sponsor_sha256,
        )
        _fully_signed(sponsorship, actor)
    return contract


def sponsorship_contract_upload(*, sponsorship: Sponsorship, actor, upload) -> SponsorshipContract:
    """Staff upload a contract signed outside the portal (on paper, another e-signature service): stored and
    hashed like the others, and it counts as signed by both sides."""
    _require_staff(actor)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ContractInvalid("The file is larger than 20 MB.")
    if not data.startswith(b"%PDF-"):
        raise ContractInvalid("Upload the signed contract as a PDF file.")
    with transaction.atomic():
        sponsorship = (
            Sponsorship.objects.select_for_update(of=("self",))
            .select_related("organization", "package__event")
            .get(pk=sponsorship.pk)
        )
        if sponsorship.status in (Sponsorship.Status.REQUESTED, Sponsorship.Status.CANCELED):
            raise ContractInvalid(f"A {sponsorship.get_status_display().lower()} sponsorship takes no contract.")
        contract = SponsorshipContract.objects.select_for_update().filter(sponsorship=sponsorship).first()
        if contract is None:  # a package without terms: the contract was made outside the portal
            contract = SponsorshipContract(sponsorship=sponsorship)
        if contract.fully_signed:
            raise ContractInvalid("This contract is already signed by both sides.")
        contract.countersigned_at, contract.countersigned_by = timezone.now(), actor
        contract.signed_outside = True
        _save_fully_signed(contract, f"contract-{sponsorship.pk}-signed-outside.pdf", data)
        audit(
            "events.sponsorship.contract_upload",
            sponsorship,
            actor=actor,
            data={"sha256": sha256_hex(data), "file": contract.countersigned_pdf.name},
        )
        _fully_signed(sponsorship, actor)
    return contract
