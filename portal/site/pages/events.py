"""Event pages: content only. An EventPage finds its event by slug; prices, capacity and
dates come from the events app's selectors, never from the page."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from events import selectors
from events.models import Event
from portal.site.pages.base import BasePage


class EventIndexPage(BasePage):
    """/events/: upcoming summits first, then past ones."""

    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.EventPage"]
    max_count = 1
    template = "events/event_index_page.html"

    class Meta:
        verbose_name = "event index page"

    def get_context(self, request, *args, **kwargs):

        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        pages = {page.slug: page for page in self.get_children().live().specific()}
        context["upcoming"] = [(event, pages.get(event.slug)) for event in selectors.events_upcoming(now=now)]
        context["past"] = [(event, pages.get(event.slug)) for event in selectors.events_past(now=now)]
        return context


class EventPage(BasePage):
    """/events/<slug>/: the description of the event whose slug the page shares."""

    intro = RichTextField(blank=True, help_text="A short paragraph under the title.")
    body = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    api_fields = [APIField("intro"), APIField("body")]
    parent_page_types = ["portal.EventIndexPage"]
    subpage_types: list[str] = []
    template = "events/event_page.html"
    # Seats left change by the minute, so anonymous visitors get a copy at most this old (the register
    # page, which sells, always counts them live): during a rush the page is rendered a few times a
    # minute, not on every visit.
    cache_seconds = 10
    og_type = "website"

    class Meta:
        verbose_name = "event page"

    def clean(self):
        """The page belongs to the event with its slug: refuse a slug no event has."""

        super().clean()
        if self.slug and not Event.objects.filter(slug=self.slug).exists():
            raise ValidationError({"slug": "No event has this slug: create the event first (Registration › Events)."})

    @cached_property
    def event(self):

        return selectors.event_by_slug(self.slug)

    @cached_property
    def ticket_types(self) -> list:
        """The event's ticket types with seats left: read once for the page and its JSON-LD."""

        return selectors.ticket_types_with_availability(event=self.event) if self.event is not None else []

    def json_ld(self, request) -> dict | None:
        """schema.org Event with its ticket offers, for search engines."""

        event = self.event
        if event is None:
            return None
        location = {"@type": "Place", "name": event.venue or event.city}
        if event.city:
            location["address"] = {
                "@type": "PostalAddress",
                "addressLocality": event.city,
                "addressCountry": event.country,
            }
        offers = [
            {
                "@type": "Offer",
                "name": ticket_type.name,
                "price": str(ticket_type.price),
                "priceCurrency": event.currency,
                "availability": "https://schema.org/InStock" if ticket_type.available else "https://schema.org/SoldOut",
                "url": request.build_absolute_uri(event.get_register_url()),
            }
            for ticket_type in self.ticket_types
        ]
        return {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": event.name,
            "description": event.summary,
            "startDate": event.local(event.start).isoformat(),
            "endDate": event.local(event.end).isoformat(),
            "eventStatus": "https://schema.org/EventCancelled"
            if event.status == event.Status.CANCELED
            else "https://schema.org/EventScheduled",
            "eventAttendanceMode": "https://schema.org/MixedEventAttendanceMode",
            "location": location,
            "url": request.build_absolute_uri(self.get_url(request)),
            "offers": offers,
        }

    def get_context(self, request, *args, **kwargs):

        context = super().get_context(request, *args, **kwargs)
        event = self.event
        context["event"] = event
        if event is not None:
            context["ticket_types"] = self.ticket_types
            context["registration_open"] = event.registration_is_open()
            context["sponsors_by_package"] = selectors.sponsors_by_package(event)
        return context
