"""Sponsorship slots never exceed the package's limit: 40 organisations on 20 threads race for the
last two Headline slots on PostgreSQL. The control (lock off, a sleep between count and write)
shows the test can see a race."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from events import services
from events.exceptions import Busy, SoldOut
from events.models import Sponsorship, SponsorshipPackage
from portal.accounts.groups import EVENTS_STAFF, ensure_staff_groups
from tests.accounts.factories import UserFactory
from tests.concurrency import widen_the_window, without_capacity_locks
from tests.events.factories import EventFactory
from tests.members.factories import OrganizationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

APPLICANTS = 40
THREADS = 20


def _race(package) -> dict[str, int]:
    ensure_staff_groups()
    staff = UserFactory(groups=[EVENTS_STAFF])
    organizations = [OrganizationFactory() for _ in range(APPLICANTS)]
    outcomes = {"ok": 0, "sold_out": 0}
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def apply(n: int) -> None:
        if n < THREADS:
            start.wait()
        try:
            for _attempt in range(20):
                try:
                    services.sponsorship_request(
                        package=package, organization=organizations[n], contact_email="x@example.org", actor=staff
                    )
                    result = "ok"
                    break
                except SoldOut:
                    result = "sold_out"
                    break
                except Busy:
                    continue
            with lock:
                outcomes[result] += 1
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(apply, range(APPLICANTS)))
    return outcomes


def _package(slots: int) -> SponsorshipPackage:
    return SponsorshipPackage.objects.create(
        event=EventFactory(), name="Headline", price=Decimal("100000.00"), slots=slots
    )


def test_the_last_two_headline_slots_go_to_exactly_two():
    package = _package(2)
    with widen_the_window(0.005):
        outcomes = _race(package)
    assert outcomes == {"ok": 2, "sold_out": APPLICANTS - 2}
    assert Sponsorship.objects.filter(package=package).count() == 2


def test_without_the_lock_the_same_race_overfills():
    package = _package(2)
    with without_capacity_locks(), widen_the_window(0.05):
        _race(package)
    assert Sponsorship.objects.filter(package=package).count() > 2
