"""Sponsorship slots never exceed the package's limit: 40 organisations on 20 threads race for the
last two Headline slots on PostgreSQL. The control (lock off, a sleep between count and write)
shows the test can see a race."""

from decimal import Decimal

import pytest

from events import services
from events.models import Sponsorship, SponsorshipPackage
from portal.accounts.groups import EVENTS_STAFF, ensure_staff_groups
from tests.accounts.factories import UserFactory
from tests.concurrency import race, widen_the_window, without_capacity_locks
from tests.events.factories import EventFactory
from tests.members.factories import OrganizationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

APPLICANTS = 40
THREADS = 20


def _race(package) -> dict[str, int]:
    ensure_staff_groups()
    staff = UserFactory(groups=[EVENTS_STAFF])
    organizations = [OrganizationFactory() for _ in range(APPLICANTS)]

    def apply(n: int) -> None:
        services.sponsorship_request(
            package=package, organization=organizations[n], contact_email="x@example.org", actor=staff
        )

    return race(apply, APPLICANTS, threads=THREADS)


def _package(slots: int) -> SponsorshipPackage:
    return SponsorshipPackage.objects.create(
        event=EventFactory(), name="Headline", price=Decimal("100000.00"), slots=slots
    )


def test_the_last_two_headline_slots_go_to_exactly_two():
    package = _package(2)
    with widen_the_window(0.005):
        outcomes = _race(package)
    assert (outcomes["ok"], outcomes["sold_out"]) == (2, APPLICANTS - 2)
    assert Sponsorship.objects.filter(package=package).count() == 2


def test_without_the_lock_the_same_race_overfills():
    package = _package(2)
    with without_capacity_locks(), widen_the_window(0.05):
        _race(package)
    assert Sponsorship.objects.filter(package=package).count() > 2
