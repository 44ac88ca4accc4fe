"""Calendar files: the feed of upcoming events and each event's .ics, read back as a calendar would."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from events.calendar import calendar_ics
from events.models import Event
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


# --- A small reader: enough of RFC 5545 to resolve TZID times through the file's own VTIMEZONEs ----------


def _components(text: str) -> list[dict]:
    """Each component as {"name", "props": [(name, params, value)], "parent"} in order."""
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    lines = text.replace("\r\n ", "").split("\r\n")[:-1]
    stack: list[dict] = []
    found = []
    for line in lines:
        head, _, value = line.partition(":")
        name, *params = head.split(";")
        if name == "BEGIN":
            component = {"name": value, "props": [], "parent": stack[-1]["name"] if stack else None}
            stack.append(component)
            found.append(component)
        elif name == "END":
            assert stack.pop()["name"] == value
        else:
            stack[-1]["props"].append((name, dict(param.split("=", 1) for param in params), value))
    assert not stack
    return found


def _prop(component: dict, name: str) -> tuple[dict, str]:
    return next((params, value) for prop, params, value in component["props"] if prop == name)


def _offset(text: str) -> timedelta:
    sign = -1 if text[0] == "-" else 1
    return sign * timedelta(hours=int(text[1:3]), minutes=int(text[3:5]))


def _zones(components: list[dict]) -> dict[str, list[tuple[datetime, timedelta]]]:
    """TZID → [(UTC onset, offset after it)] from the VTIMEZONEs."""
    zones: dict[str, list] = {}
    current = None
    for component in components:
        if component["name"] == "VTIMEZONE":
            current = zones.setdefault(_prop(component, "TZID")[1], [])
        elif component["parent"] == "VTIMEZONE":
            local = datetime.strptime(_prop(component, "DTSTART")[1], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
            before, after = _offset(_prop(component, "TZOFFSETFROM")[1]), _offset(_prop(component, "TZOFFSETTO")[1])
            current.append((local - before, after))
    return {tzid: sorted(onsets) for tzid, onsets in zones.items()}


def _instant(params: dict, value: str, zones) -> datetime:
    """A DATE-TIME property as a UTC instant, via its TZID's observances (or a trailing Z)."""
    if value.endswith("Z"):
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    local = datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    onsets = zones[params["TZID"]]
    for _, offset in onsets:
        candidate = local - offset
        in_force = [after for onset, after in onsets if onset <= candidate]
        if in_force and in_force[-1] == offset:
            return candidate
    raise AssertionError(f"{value} in {params['TZID']} falls outside the VTIMEZONE")


def _events(text: str) -> dict[str, dict]:
    components = _components(text)
    zones = _zones(components)
    events = {}
    for component in components:
        if component["name"] == "VEVENT":
            events[_prop(component, "SUMMARY")[1]] = {
                "start": _instant(*_prop(component, "DTSTART"), zones),
                "end": _instant(*_prop(component, "DTEND"), zones),
                "dtstart": _prop(component, "DTSTART"),
                "dtend": _prop(component, "DTEND"),
                "uid": _prop(component, "UID")[1],
            }
    return events


# --- The tests ----------------------------------------------------------------------------------------


@pytest.fixture
def paris_across_dst():
    """Saturday 30 March 2030 09:00 in Paris (CET, 08:00 UTC) to Monday 1 April 17:00 (CEST, 15:00 UTC):
    the clocks go forward on the Sunday in between."""
    return EventFactory(
        name="Paris Summit",
        slug="paris",
        city="Paris",
        country="France",
        time_zone="Europe/Paris",
        start=datetime(2030, 3, 30, 8, 0, tzinfo=UTC),
        end=datetime(2030, 4, 1, 15, 0, tzinfo=UTC),
    )


def test_the_feed_holds_upcoming_events_at_their_instants_across_a_dst_change(client, paris_across_dst):
    autumn = EventFactory(
        name="Autumn Forum",
        time_zone="Europe/Paris",
        start=datetime(2030, 10, 26, 14, 0, tzinfo=UTC),  # 16:00 CEST
        end=datetime(2030, 10, 28, 16, 0, tzinfo=UTC),  # 17:00 CET
    )
    EventFactory(name="Vancouver", time_zone="America/Vancouver")
    now = datetime.now(UTC)
    EventFactory(
        name="Over",
        start=now - timedelta(days=10),
        end=now - timedelta(days=8),
        registration_opens=now - timedelta(days=40),
        refund_cutoff=now - timedelta(days=20),
        changes_cutoff=now - timedelta(days=12),
    )
    EventFactory(name="Draft", status=Event.Status.DRAFT)

    response = client.get("/events/feed.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    events = _events(text)
    assert set(events) == {"Paris Summit", "Autumn Forum", "Vancouver"}
    paris = events["Paris Summit"]
    assert paris["dtstart"] == ({"TZID": "Europe/Paris"}, "20300330T090000")
    assert paris["dtend"] == ({"TZID": "Europe/Paris"}, "20300401T170000")
    assert (paris["start"], paris["end"]) == (paris_across_dst.start, paris_across_dst.end)
    assert (events["Autumn Forum"]["start"], events["Autumn Forum"]["end"]) == (autumn.start, autumn.end)
    assert "X-WR-CALNAME:Open Infrastructure Foundation events" in text


def test_the_vtimezone_gives_paris_its_winter_and_summer_offsets(paris_across_dst):
    zones = _zones(_components(calendar_ics([paris_across_dst])))
    onsets = dict(zones["Europe/Paris"])
    assert onsets[datetime(2030, 1, 1, tzinfo=UTC)] == timedelta(hours=1)
    assert onsets[datetime(2030, 3, 31, 1, 0, tzinfo=UTC)] == timedelta(hours=2)  # 02:00 CET → 03:00 CEST
    assert onsets[datetime(2030, 10, 27, 1, 0, tzinfo=UTC)] == timedelta(hours=1)  # 03:00 CEST → 02:00 CET


def test_a_zone_without_dst_has_one_observance():
    event = EventFactory(name="Tokyo", time_zone="Asia/Tokyo", start=datetime(2030, 5, 1, 1, 0, tzinfo=UTC))
    components = _components(calendar_ics([event]))
    observances = [c for c in components if c["parent"] == "VTIMEZONE"]
    assert len(observances) == 1 and _prop(observances[0], "TZOFFSETTO")[1] == "+0900"
    assert _events(calendar_ics([event]))["Tokyo"]["start"] == event.start


def test_each_event_has_its_own_ics_and_drafts_have_none(client, paris_across_dst):
    response = client.get("/events/paris/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="paris.ics"'
    events = _events(response.content.decode())
    assert list(events) == ["Paris Summit"] and events["Paris Summit"]["start"] == paris_across_dst.start
    assert events["Paris Summit"]["uid"] == f"event-{paris_across_dst.pk}-paris@guildhall"
    EventFactory(slug="secret", status=Event.Status.DRAFT)
    assert client.get("/events/secret/calendar.ics").status_code == 404


def test_text_is_escaped_and_long_lines_folded():
    event = EventFactory(name="Summit; with, commas", summary="Line one\nLine two " + "é" * 80)
    text = calendar_ics([event])
    assert "SUMMARY:Summit\\; with\\, commas" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "DESCRIPTION:Line one\\nLine two " + "é" * 80 in text.replace("\r\n ", "")


def test_the_events_page_links_the_feed_and_an_event_page_its_ics(client, site_with_home):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    html = client.get("/events/").content.decode()
    assert (
        '<link rel="alternate" type="text/calendar" title="Upcoming events (iCalendar)" href="/events/feed.ics">'
        in html
    )
    upcoming = Event.objects.filter(status=Event.Status.PUBLISHED).order_by("-start").first()
    page = client.get(upcoming.get_absolute_url()).content.decode()
    assert f'href="/events/{upcoming.slug}/calendar.ics"' in page
    assert client.get("/events/feed.ics").content.decode().count("BEGIN:VEVENT") >= 1
