"""Reads for sponsorship contracts: who may see and sign one, and the state and files a page shows."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.http import Http404
from django.urls import reverse

from events.models import Sponsorship, SponsorshipContract
from members.models import OrganizationRole

STAFF_PERMISSION = "events.change_sponsorship"
# The files of a contract by the name in their download address: (field, its hash, what a person calls it).
FILES = {
    "unsigned": ("unsigned_pdf", "unsigned_sha256", "Contract to sign (unsigned)"),
    "signed": ("sponsor_pdf", "sponsor_sha256", "Signed by the sponsor"),
    "countersigned": ("countersigned_pdf", "countersigned_sha256", "Signed by both sides"),
}


def _sponsorships():
    return Sponsorship.objects.select_related("organization", "package__event", "contract")


def may_sign_for(user, sponsorship: Sponsorship) -> bool:
    """The sponsor's signatories are the administrators of the sponsoring organisation."""
    if not getattr(user, "is_authenticated", False):
        return False
    return OrganizationRole.objects.filter(
        user=user, organization_id=sponsorship.organization_id, role=OrganizationRole.Role.ADMIN
    ).exists()


def sponsorship_for_contract_reader(user, pk: int) -> Sponsorship:
    """The sponsorship whose contract this person may see: an administrator of its organisation, or Events
    staff; anyone else gets a 404, as if it did not exist."""
    rows = _sponsorships().filter(pk=pk)
    if not user.has_perm(STAFF_PERMISSION):
        rows = rows.filter(organization__roles__user=user, organization__roles__role=OrganizationRole.Role.ADMIN)
    sponsorship = rows.first()
    if sponsorship is None:
        raise Http404("No such sponsorship.")
    return sponsorship


def contract_of(sponsorship: Sponsorship) -> SponsorshipContract | None:
    """The sponsorship's contract (select_related `contract` to spare the query), or None."""
    try:
        return sponsorship.contract
    except SponsorshipContract.DoesNotExist:
        return None


def invoice_waits_for_signatures(sponsorship: Sponsorship) -> bool:
    """SPONSORSHIP_INVOICE_ON = "signature" and the contract (select_related) is not yet signed by both sides."""
    contract = contract_of(sponsorship)
    return settings.SPONSORSHIP_INVOICE_ON == "signature" and contract is not None and not contract.fully_signed


@dataclass(frozen=True)
class ContractFile:
    kind: str  # unsigned, signed, countersigned
    label: str
    url: str
    sha256: str
    at: datetime | None


@dataclass(frozen=True)
class ContractSummary:
    status: str
    label: str
    page_url: str
    files: list[ContractFile]
    needs_sponsor_signature: bool
    signed_outside: bool


def contract_files(contract: SponsorshipContract, *, url_name: str) -> list[ContractFile]:
    """The files stored so far, with their download address (`url_name` takes `pk` and `kind`)."""
    moments = {
        "unsigned": contract.generated_at,
        "signed": contract.sponsor_signed_at,
        "countersigned": contract.countersigned_at,
    }
    files = []
    for kind, (field, digest, label) in FILES.items():
        if getattr(contract, field):
            if kind == "countersigned" and contract.signed_outside:
                label = "Signed outside the portal (uploaded by the events team)"
            url = reverse(url_name, kwargs={"pk": contract.sponsorship_id, "kind": kind})
            files.append(ContractFile(kind, label, url, getattr(contract, digest), moments[kind]))
    return files


def sponsorship_contract_summary(sponsorship: Sponsorship) -> ContractSummary | None:
    """What the sponsor's pages show of the contract: its state, its page and its files; None without one.
    No query when the sponsorship was fetched with select_related("contract")."""
    contract = contract_of(sponsorship)
    if contract is None:
        return None
    return ContractSummary(
        status=contract.status,
        label=contract.get_status_display(),
        page_url=reverse("events:sponsorship-contract", kwargs={"pk": sponsorship.pk}),
        files=contract_files(contract, url_name="events:sponsorship-contract-file"),
        needs_sponsor_signature=contract.status == SponsorshipContract.Status.AWAITING_SPONSOR
        and sponsorship.status != Sponsorship.Status.CANCELED,
        signed_outside=contract.signed_outside,
    )
