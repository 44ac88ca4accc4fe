"""Two administrators of the sponsor sign the same contract at the same moment on PostgreSQL: one signature
is kept, the other is refused, and exactly one signed file is recorded and audited."""

from decimal import Decimal

import pytest
from wagtail.models import ModelLogEntry

from events import services
from events.exceptions import ContractInvalid
from events.models import SponsorshipContract, SponsorshipPackage
from members.models import OrganizationRole
from portal.accounts.groups import EVENTS_STAFF, ensure_staff_groups
from tests.accounts.factories import UserFactory
from tests.concurrency import run_at_once
from tests.events.factories import EventFactory
from tests.members.factories import OrganizationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_admins_signing_at_once_leave_one_signature(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    ensure_staff_groups()
    package = SponsorshipPackage.objects.create(
        event=EventFactory(), name="Headline", price=Decimal("100.00"), slots=1, contract_terms="{sponsor_legal_name}."
    )
    acme = OrganizationFactory(name="Acme Cloud")
    admins = [UserFactory(), UserFactory()]
    for admin in admins:
        OrganizationRole.objects.create(user=admin, organization=acme, role=OrganizationRole.Role.ADMIN)
    sponsorship = services.sponsorship_request(
        package=package, organization=acme, contact_email="a@acme.example", actor=admins[0]
    )
    services.sponsorship_approve(sponsorship=sponsorship, actor=UserFactory(groups=[EVENTS_STAFF]))
    unsigned = SponsorshipContract.objects.get(sponsorship=sponsorship).unsigned_sha256

    def sign(admin, name):
        return services.sponsorship_contract_sign(
            sponsorship=sponsorship, actor=admin, name=name, title="Director", consent=True,
            reviewed_sha256=unsigned, ip="192.0.2.1",
        )  # fmt: skip

    outcomes = run_at_once(sign, [(admins[0], "First Signer"), (admins[1], "Second Signer")])
    refused = [o for o in outcomes if isinstance(o, ContractInvalid)]
    kept = [o for o in outcomes if isinstance(o, SponsorshipContract)]
    assert len(kept) == 1 and len(refused) == 1, outcomes
    assert "already signed" in refused[0].message
    contract = SponsorshipContract.objects.get(sponsorship=sponsorship)
    assert contract.sponsor_signer_name == kept[0].sponsor_signer_name
    (entry,) = ModelLogEntry.objects.filter(action="events.sponsorship.contract_sign")
    assert entry.data["sha256"] == contract.sponsor_sha256
