"""A sponsorship's contract: the unsigned PDF made at approval, the sponsor's signed copy, the countersigned one.

Each file is kept in the default storage with its SHA-256; the signatures (who, title, when, from where)
are printed on a signature page and kept here too. A contract signed outside the portal is uploaded by
staff as the countersigned file (`signed_outside`).
"""

import secrets

from django.db import models
from django.db.models import Q

from events.models.sponsorships import Sponsorship
from portal.core.status import StatusMachine


def contract_upload_to(instance: "SponsorshipContract", filename: str) -> str:
    # An unguessable folder: the files are served only through the permission-checked views.
    return f"sponsors/contracts/{secrets.token_urlsafe(18)}/{filename}"


class SponsorshipContract(StatusMachine, models.Model):
    class Status(models.TextChoices):
        AWAITING_SPONSOR = "awaiting_sponsor", "Waiting for the sponsor's signature"
        AWAITING_STAFF = "awaiting_staff", "Signed by the sponsor, waiting for our countersignature"
        SIGNED = "signed", "Signed by both sides"

    TRANSITIONS = {
        Status.AWAITING_SPONSOR: {Status.AWAITING_STAFF, Status.SIGNED},
        Status.AWAITING_STAFF: {Status.SIGNED},
        Status.SIGNED: set(),
    }

    sponsorship = models.OneToOneField(Sponsorship, on_delete=models.PROTECT, related_name="contract")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_SPONSOR)
    # What the contract says, as generated: the signed copies are drawn from these, not from today's package.
    particulars = models.JSONField(default=dict, blank=True, help_text="The title and the [label, value] rows on top.")
    terms = models.TextField(blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    unsigned_pdf = models.FileField(upload_to=contract_upload_to, blank=True, max_length=200)
    unsigned_sha256 = models.CharField(max_length=64, blank=True)

    sponsor_pdf = models.FileField(upload_to=contract_upload_to, blank=True, max_length=200)
    sponsor_sha256 = models.CharField(max_length=64, blank=True)
    sponsor_signer_name = models.CharField(max_length=200, blank=True)
    sponsor_signer_title = models.CharField(max_length=200, blank=True)
    sponsor_signed_at = models.DateTimeField(null=True, blank=True)
    sponsor_signed_ip = models.CharField(max_length=45, blank=True)
    sponsor_signed_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    countersigned_pdf = models.FileField(upload_to=contract_upload_to, blank=True, max_length=200)
    countersigned_sha256 = models.CharField(max_length=64, blank=True)
    staff_signer_name = models.CharField(max_length=200, blank=True)
    staff_signer_title = models.CharField(max_length=200, blank=True)
    countersigned_at = models.DateTimeField(null=True, blank=True)
    countersigned_ip = models.CharField(max_length=45, blank=True)
    countersigned_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_outside = models.BooleanField(
        default=False, help_text="The countersigned file is a contract signed outside the portal, uploaded by staff."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="signed") | ~Q(countersigned_sha256=""), name="sponsorship_contract_signed_file"
            ),
            models.CheckConstraint(
                condition=Q(status="awaiting_sponsor") | Q(signed_outside=True) | ~Q(sponsor_sha256=""),
                name="sponsorship_contract_sponsor_file",
            ),
        ]

    def __str__(self) -> str:
        return f"Contract: {self.sponsorship}" if self.sponsorship_id else "contract"

    @property
    def fully_signed(self) -> bool:
        return self.status == self.Status.SIGNED
