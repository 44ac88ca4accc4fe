"""Events staff's sponsorship pipeline: one event at a time, and only the actions that still mean something."""

from datetime import timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from events import services
from events.exceptions import SponsorshipInvalid
from events.models import Sponsorship, SponsorshipPackage
from portal.accounts.groups import EVENTS_STAFF
from tests.events.factories import EventFactory
from tests.members.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
URL = "/admin/events/sponsorships/"


@pytest.fixture
def two_summits():
    long_ago = timezone.now() - timedelta(days=900)
    past = EventFactory(
        slug="summit-2023", name="Summit 2023", currency="EUR", start=long_ago,
        registration_opens=long_ago - timedelta(days=90),
    )  # fmt: skip
    coming = EventFactory(slug="summit-2027", name="Summit 2027", currency="EUR")
    packages = [
        SponsorshipPackage.objects.create(event=event, name="Headline", price=Decimal("150000.00"), slots=2)
        for event in (past, coming)
    ]
    return past, coming, packages


def _sponsor(package, name, staff, *, paid=False):
    sponsorship = services.sponsorship_request(
        package=package, organization=OrganizationFactory(name=name), contact_email="s@x.example", actor=staff
    )
    if paid:
        Sponsorship.objects.filter(pk=sponsorship.pk).update(status=Sponsorship.Status.PAID, paid_at=timezone.now())
    return sponsorship


def _rows(page) -> dict[str, str]:
    soup = BeautifulSoup(page.content, "html.parser")
    return {row.td.get_text(): row for row in soup.select("tbody tr")}


def test_staff_filter_the_pipeline_by_event_and_state(staff_client_factory, two_summits):
    past, coming, (old, new) = two_summits
    staff = staff_client_factory(groups=[EVENTS_STAFF])
    _sponsor(old, "Old Paid Co", staff.user, paid=True)
    _sponsor(new, "New Paid Co", staff.user, paid=True)
    _sponsor(new, "New Asking Co", staff.user)

    assert set(_rows(staff.get(URL))) == {"Old Paid Co", "New Paid Co", "New Asking Co"}
    assert set(_rows(staff.get(URL, {"event": "summit-2027"}))) == {"New Paid Co", "New Asking Co"}
    assert set(_rows(staff.get(URL, {"event": "summit-2027", "status": "requested"}))) == {"New Asking Co"}
    empty = staff.get(URL, {"event": "summit-2023", "status": "requested"})
    assert "No sponsorship matches these filters." in empty.content.decode()


def test_a_past_events_paid_sponsorship_offers_no_cancel_and_money_reads_as_money(staff_client_factory, two_summits):
    past, coming, (old, new) = two_summits
    staff = staff_client_factory(groups=[EVENTS_STAFF])
    old_paid = _sponsor(old, "Old Paid Co", staff.user, paid=True)
    _sponsor(new, "New Paid Co", staff.user, paid=True)

    rows = _rows(staff.get(URL))

    assert [b.get_text() for b in rows["Old Paid Co"].find_all("button")] == []
    assert [b.get_text() for b in rows["New Paid Co"].find_all("button")] == ["Cancel"]
    assert "150,000.00\xa0EUR" in rows["New Paid Co"].get_text()
    assert "150000.00" not in rows["New Paid Co"].get_text()
    # One label per reason field, naming what it is for.
    labels = [label.get_text() for label in rows["New Paid Co"].find_all("label")]
    assert labels == ["Reason for cancelling New Paid Co"]
    # And the service refuses it too, whoever asks.
    response = staff.post(URL, {"sponsorship": old_paid.pk, "action": "cancel"}, follow=True)
    assert "Summit 2023 is over" in response.content.decode()
    old_paid.refresh_from_db()
    assert old_paid.status == Sponsorship.Status.PAID
    with pytest.raises(SponsorshipInvalid):
        services.sponsorship_cancel(sponsorship=old_paid, actor=staff.user)
