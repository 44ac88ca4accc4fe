"""Display helpers: an event's moments in its own time zone, amounts with their currency."""

from decimal import Decimal

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def event_local(moment, event):
    """A UTC moment shown in the event's time zone."""
    if not moment:
        return ""
    return timezone.localtime(moment, event.tz)


@register.filter
def amount(value, currency: str = "") -> str:
    """1438.4 → "1,438.40 USD" (never a float on the way)."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    text = f"{value:,.0f}" if currency.upper() == "JPY" else f"{value:,.2f}"
    return f"{text}\u00a0{currency}" if currency else text  # no line break between amount and currency


@register.inclusion_tag("events/_next_event.html")
def next_event():
    """The home page's "next event" slot: the next summit open for registration (one query)."""
    from events import selectors

    return {"event": selectors.event_next_open()}
