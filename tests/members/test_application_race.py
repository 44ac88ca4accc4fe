"""One open application per organisation: the database refuses a second, even one for another tier
arriving at the same moment (the service locks only the requested tier's row)."""

import time

import pytest

from members import services
from members.exceptions import DuplicateApplication
from members.models import MembershipApplication
from tests.accounts.factories import UserFactory
from tests.concurrency import run_at_once
from tests.members.factories import MembershipTierFactory, application, application_data


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_application_the_check_did_not_see(monkeypatch):
    application(tier=MembershipTierFactory(name="Gold"))
    # As if the first were still being written by another transaction when the second checked.
    monkeypatch.setattr(services, "_open_applications_like", lambda **kwargs: MembershipApplication.objects.none())
    with pytest.raises(DuplicateApplication, match="An application for Acme Cloud is already being reviewed"):
        application(tier=MembershipTierFactory(name="Silver"))
    assert MembershipApplication.objects.count() == 1
    assert application(tier=MembershipTierFactory(name="Bronze"), name="Other Cloud").status == "submitted"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_applications_for_one_organisation_to_two_tiers_at_once_exactly_one_is_accepted(monkeypatch):
    # Widen the window between the duplicate check and the insert: both pass the check, then race.
    check = services._open_applications_like

    def slow_check(**kwargs):
        found = check(**kwargs)
        found.exists()
        time.sleep(0.5)
        return found

    monkeypatch.setattr(services, "_open_applications_like", slow_check)
    tiers = [MembershipTierFactory(name="Gold"), MembershipTierFactory(name="Silver")]
    applicants = [UserFactory() for _ in tiers]
    outcomes = run_at_once(
        lambda tier, applicant: services.application_submit(
            applicant=applicant, tier=tier, data=application_data("Acme Cloud"), agreement_accepted=True
        ),
        zip(tiers, applicants, strict=True),
    )
    accepted = [o for o in outcomes if isinstance(o, MembershipApplication)]
    refused = [o for o in outcomes if isinstance(o, DuplicateApplication)]
    assert len(accepted) == 1 and len(refused) == 1, outcomes
    assert "already being reviewed" in refused[0].message
    assert MembershipApplication.objects.filter(organization_slug="acme-cloud").count() == 1
