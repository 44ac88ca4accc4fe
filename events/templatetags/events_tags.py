"""Display helpers: an event's moments in its own time zone (amounts: the `money` filter, everywhere)."""

from django import template
from django.utils import timezone

from events import selectors
from events.ticket_codes import format_short_code

register = template.Library()


@register.filter
def event_local(moment, event):
    """A UTC moment shown in the event's time zone."""
    if not moment:
        return ""
    return timezone.localtime(moment, event.tz)


@register.inclusion_tag("events/_next_event.html")
def next_event():
    """The home page's "next event" slot: the next summit open for registration (one query)."""

    return {"event": selectors.event_next_open()}


@register.filter
def short_code(ticket) -> str:
    """A ticket's short code as printed under its QR code: `7KQ4-M2XP`."""
    return format_short_code(ticket.short_code)
