"""Display helpers: an event's moments in its own time zone (amounts: the `money` filter, everywhere)."""

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from events import selectors
from events.ticket_codes import format_short_code
from portal.core.cache import generation, remember_for_generation

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


# What only the event decides (its dates and place, its refund policy): drawn once per event and page-cache
# generation in each process, since saving an event purges (a new generation). Four dates formatted in the
# event's time zone cost the order page a tenth of its CPU.
EVENT_FRAGMENTS = frozenset({"events/_event_facts.html", "events/_refund_policy.html"})


@register.simple_tag(takes_context=True)
def event_fragment(context, template_name: str, event):
    """`{% include template_name %}` for one of EVENT_FRAGMENTS, kept per event under the generation."""
    if template_name not in EVENT_FRAGMENTS:
        raise template.TemplateSyntaxError(f"{template_name} is not a fragment only the event decides")
    request = context.get("request")
    current = generation(request) if request is not None and event.pk else None

    def draw() -> str:
        return str(render_to_string(template_name, {"event": event}))

    if current is None:  # no cache (or an event not saved yet): as the include would
        return mark_safe(draw())  # noqa: S308 - a template's own escaped output
    return mark_safe(remember_for_generation(f"event-fragment:{current}:{event.pk}:{template_name}", draw, current))  # noqa: S308 - as above
