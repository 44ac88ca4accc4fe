import pytest
from django.core.management import call_command
from django.utils import timezone

from events import selectors
from events.models import Event, PromoCode, TicketType
from portal.site.pages.events import EventPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(site_with_home):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_demo_has_an_open_summit_months_ahead_and_vancouver_2023_in_the_past(demo):
    upcoming = selectors.event_next_open()
    assert upcoming is not None and upcoming.registration_is_open()
    days_ahead = (upcoming.start - timezone.now()).days
    assert 90 <= days_ahead <= 150
    names = {tt.name: tt for tt in TicketType.objects.filter(event=upcoming)}
    assert set(names) == {"Early bird", "Full access", "Student", "Virtual pass"}
    assert names["Student"].needs_approval and names["Virtual pass"].price == 0
    assert timezone.now() < names["Early bird"].sale_ends < upcoming.start
    promo = PromoCode.objects.get(event=upcoming, code="COMMUNITY20")
    assert list(promo.ticket_types.all()) == [names["Full access"]] and promo.value == 20
    vancouver = Event.objects.get(slug="openinfra-summit-vancouver-2023")
    start = vancouver.local(vancouver.start)
    assert (start.year, start.month, start.day, vancouver.time_zone, vancouver.currency) == (
        2023,
        6,
        13,
        "America/Vancouver",
        "USD",
    )
    assert vancouver.local(vancouver.end).day == 15
    assert EventPage.objects.count() == 2


def test_events_index_lists_upcoming_and_past(client, demo, django_assert_max_num_queries):
    response = client.get("/events/")
    html = response.content.decode()
    assert response.status_code == 200
    upcoming, past = html.split("Past events")
    assert "OpenInfra Summit Europe" in upcoming and "Vancouver 2023" in past
    assert not response.cookies


def test_event_page_shows_local_dates_and_availability_from_the_event(client, demo):
    response = client.get("/events/openinfra-summit-vancouver-2023/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tuesday 13 June 2023" in html and "America/Vancouver" in html
    assert "Sold out" in html  # the 2023 early bird
    upcoming = selectors.event_next_open()
    html = client.get(f"/events/{upcoming.slug}/").content.decode()
    assert "749.00\u00a0EUR" in html and "Register now" in html and "1495 of 1500 left" in html


def test_register_url_does_not_shadow_wagtail(client, demo):
    upcoming = selectors.event_next_open()
    assert client.get(f"/events/{upcoming.slug}/register/").status_code == 200
    assert client.get("/events/no-such-event/").status_code == 404


def test_an_event_page_needs_an_event_with_its_slug(demo):
    from django.core.exceptions import ValidationError

    page = EventPage(title="Nowhere", slug="no-such-event")
    with pytest.raises(ValidationError):
        page.clean()
    EventPage(title="Vancouver", slug="openinfra-summit-vancouver-2023").clean()


def test_home_page_shows_the_next_open_summit(client, demo):
    upcoming = selectors.event_next_open()
    html = client.get("/").content.decode()
    assert "Next event" in html and upcoming.name in html and upcoming.get_register_url() in html


def test_event_page_describes_the_event_for_search_engines(client, demo):
    html = client.get("/events/openinfra-summit-vancouver-2023/").content.decode()
    assert '"@type":"Event"' in html and '"startDate":"2023-06-13T09:00:00-07:00"' in html


def test_demo_sponsorships_show_logos_by_package(client, demo):
    from events.models import Sponsorship, SponsorshipPackage

    event = selectors.events_upcoming().first()
    slots = {p.name: (p.slots, p.slots_left) for p in selectors.sponsorship_packages_with_slots(event=event)}
    assert slots == {"Headline": (2, 1), "Premier": (6, 3), "Spotlight": (20, 17), "Exhibitor": (40, 36)}
    assert Sponsorship.objects.filter(package__event__slug="openinfra-summit-vancouver-2023").count() > 0
    page = client.get(event.get_absolute_url()).content.decode()
    assert 'id="sponsors-heading"' in page and "logo-grid__item" in page
    headline = client.get(f"/api/v1/events/{event.slug}/sponsors/").json()[0]
    assert headline["package"] == "Headline"
    # The company's page names its sponsorships (composed in portal/, members does not import events).
    company = client.get(f"/members/{headline['slug']}/").content.decode()
    assert "Sponsor of" in company and f"{event.name}</a> — Headline sponsor" in company
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - idempotent
    assert SponsorshipPackage.objects.filter(event=event).count() == 4


def test_event_page_is_kept_for_anonymous_visitors_ten_seconds_and_counts_seats_once(
    client, demo, django_assert_max_num_queries
):
    import time_machine

    from events import services
    from portal.core import cache

    upcoming = selectors.event_next_open()
    full = TicketType.objects.get(event=upcoming, name="Full access")
    cache.purge()
    first = client.get(upcoming.get_absolute_url())
    assert first["X-Page-Cache"] == "miss" and "1495 of 1500 left" in first.content.decode()
    services.order_create(
        event=upcoming,
        quantities={full.pk: 2},
        buyer_name="Ada",
        buyer_email="ada@example.org",
        accepted_code_of_conduct=True,
    )
    # Within ten seconds a visitor may see the count from before the sale; the register page is live.
    with django_assert_max_num_queries(0):
        again = client.get(upcoming.get_absolute_url())
    assert again["X-Page-Cache"] == "hit" and "1495 of 1500 left" in again.content.decode()
    assert "1493 left" in client.get(upcoming.get_register_url()).content.decode()
    with (
        time_machine.travel(timezone.now() + timezone.timedelta(seconds=11)),
        django_assert_max_num_queries(8),  # routing (5), the event, its ticket types once, its sponsors
    ):
        later = client.get(upcoming.get_absolute_url())
    assert later["X-Page-Cache"] == "miss" and "1493 of 1500 left" in later.content.decode()


def test_the_first_step_of_registration_is_kept_two_seconds_apart_for_anonymous_and_signed_in_visitors(
    client, demo, django_user_model, django_assert_max_num_queries
):
    import time_machine

    from events import services
    from portal.core import cache

    upcoming = selectors.event_next_open()
    full = TicketType.objects.get(event=upcoming, name="Full access")
    register = upcoming.get_register_url()
    cache.purge()
    assert client.get(register)["X-Page-Cache"] == "miss"
    services.order_create(
        event=upcoming, quantities={full.pk: 2}, buyer_name="Ada", buyer_email="ada@example.org",
        accepted_code_of_conduct=True,
    )  # fmt: skip
    with django_assert_max_num_queries(0):
        again = client.get(register)
    assert again["X-Page-Cache"] == "hit" and "1495 left" in again.content.decode()
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=3)):
        later = client.get(register)
    assert later["X-Page-Cache"] == "miss" and "1493 left" in later.content.decode()

    # The next step (a choice made) always gets a fresh page; someone logged in a private copy of their
    # kind's (tests/events/test_register_page_signed_in.py), never the anonymous one.
    details = client.get(register, {"step": "details", f"qty_{full.pk}": "1"})
    assert details.status_code == 200 and "X-Page-Cache" not in details
    client.force_login(django_user_model.objects.create_user("grace@example.org", password="x" * 12))
    mine = client.get(register)
    assert mine["X-Page-Cache"] == "miss" and "private" in mine["Cache-Control"]
    assert "1493 left" in mine.content.decode() and "Log in" not in mine.content.decode()
