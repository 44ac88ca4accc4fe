"""iCalendar (RFC 5545) files of events: one event's (e-mailed with the tickets, linked from the order and
the event) and the feed of upcoming events, written by one small writer.

Times are written in the event's own time zone (`DTSTART;TZID=Europe/Paris:20270328T100000`) with a
VTIMEZONE that spells out the zone's UTC offsets and their changes over the years the events span, so a
calendar shows the time the event keeps on the ground and converts it right across a DST change.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.utils import timezone

from events.models import Event

PRODID = "-//Guildhall//Events//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _text(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _offset(delta: timedelta | None) -> str:
    seconds = int((delta or timedelta(0)).total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _fold(line: str) -> str:
    """RFC 5545: lines longer than 75 octets continue on the next line after a space."""
    if len(line) <= 75 and line.isascii():  # most lines: one octet a character, nothing to fold
        return line
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def _changes(zone: zoneinfo.ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """The UTC instants between `start` and `end` at which the zone's offset changes."""
    found = []
    step = timedelta(days=7)
    moment = start
    while moment < end:
        later = moment + step
        if zone.utcoffset(moment.astimezone(zone)) != zone.utcoffset(later.astimezone(zone)):
            low, high = moment, later  # the offset differs across the week: find the second it changes
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if zone.utcoffset(middle.astimezone(zone)) == zone.utcoffset(low.astimezone(zone)):
                    low = middle
                else:
                    high = middle
            found.append(high.replace(microsecond=0))
        moment = later
    return found


def _observance(zone: zoneinfo.ZoneInfo, when: datetime, offset_from: timedelta | None) -> list[str]:
    local = when.astimezone(zone)
    dst = bool(local.dst())
    kind = "DAYLIGHT" if dst else "STANDARD"
    before = offset_from if offset_from is not None else local.utcoffset()
    # An observance starts at a local time read with the offset in force just before it.
    starts = (when + (before or timedelta(0))).replace(tzinfo=None)
    return [
        f"BEGIN:{kind}",
        f"DTSTART:{starts:%Y%m%dT%H%M%S}",
        f"TZOFFSETFROM:{_offset(before)}",
        f"TZOFFSETTO:{_offset(local.utcoffset())}",
        f"TZNAME:{_text(local.tzname() or zone.key)}",
        f"END:{kind}",
    ]


def vtimezone(zone_name: str, *, first_year: int, last_year: int) -> list[str]:
    """A VTIMEZONE for `zone_name` valid from 1 January of `first_year` to the end of `last_year`."""
    return list(_vtimezone(zone_name, first_year, last_year))


@lru_cache(maxsize=64)
def _vtimezone(zone_name: str, first_year: int, last_year: int) -> tuple[str, ...]:
    """The zone's rules do not change while a process runs: each e-mailed ticket's calendar file reuses them."""
    zone = zoneinfo.ZoneInfo(zone_name)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{_text(zone_name)}"]
    lines += _observance(zone, start, None)
    previous = start.astimezone(zone).utcoffset()
    for change in _changes(zone, start, end):
        lines += _observance(zone, change, previous)
        previous = change.astimezone(zone).utcoffset()
    lines.append("END:VTIMEZONE")
    return tuple(lines)


def _vevent(event: Event, *, url: str, stamp: datetime) -> list[str]:
    zone = event.tz
    location = ", ".join(part for part in (event.venue, event.city, event.country) if part)
    lines = [
        "BEGIN:VEVENT",
        f"UID:event-{event.pk}-{event.slug}@guildhall",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART;TZID={_text(event.time_zone)}:{event.start.astimezone(zone):%Y%m%dT%H%M%S}",
        f"DTEND;TZID={_text(event.time_zone)}:{event.end.astimezone(zone):%Y%m%dT%H%M%S}",
        f"SUMMARY:{_text(event.name)}",
    ]
    if location:
        lines.append(f"LOCATION:{_text(location)}")
    if event.summary:
        lines.append(f"DESCRIPTION:{_text(event.summary)}")
    if url:
        lines.append(f"URL:{url}")
    lines.append("END:VEVENT")
    return lines


def calendar_ics(events: Iterable[Event], *, url_for=None, name: str = "") -> str:
    """A VCALENDAR with a VEVENT per event and a VTIMEZONE per time zone they use.

    `url_for(event)` gives each event's absolute page URL; `name` titles a feed (X-WR-CALNAME).
    """
    events = list(events)
    stamp = timezone.now()
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    if name:
        lines.append(f"X-WR-CALNAME:{_text(name)}")
    years: dict[str, tuple[int, int]] = {}
    for event in events:
        first, last = years.get(event.time_zone, (event.start.year, event.end.year))
        years[event.time_zone] = (min(first, event.start.year), max(last, event.end.year))
    for zone_name, (first, last) in sorted(years.items()):
        lines += vtimezone(zone_name, first_year=first, last_year=last)
    for event in events:
        lines += _vevent(event, url=url_for(event) if url_for else "", stamp=stamp)
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def event_ics(event: Event, *, url: str = "") -> str:
    """One event's calendar file."""
    return calendar_ics([event], url_for=lambda _event: url)
