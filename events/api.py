"""/api/v1/events/: published events and their ticket types with live availability."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from events import selectors
from events.models import Event, TicketType
from portal.api.routers import router


class EventSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    register_url = serializers.SerializerMethodField()
    ticket_types_url = serializers.SerializerMethodField()
    registration_open = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "slug",
            "name",
            "summary",
            "venue",
            "city",
            "country",
            "start",
            "end",
            "time_zone",
            "currency",
            "registration_opens",
            "registration_closes",
            "registration_open",
            "refund_policy",
            "refund_cutoff",
            "code_of_conduct_url",
            "url",
            "page_url",
            "register_url",
            "ticket_types_url",
        ]

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_url(self, event: Event) -> str:
        return self._absolute(f"/api/v1/events/{event.slug}/")

    def get_page_url(self, event: Event) -> str:
        return self._absolute(event.get_absolute_url())

    def get_register_url(self, event: Event) -> str:
        return self._absolute(event.get_register_url())

    def get_ticket_types_url(self, event: Event) -> str:
        return self._absolute(f"/api/v1/events/{event.slug}/ticket-types/")

    def get_registration_open(self, event: Event) -> bool:
        return event.registration_is_open()


class TicketTypeSerializer(serializers.ModelSerializer):
    available = serializers.IntegerField(read_only=True, help_text="Seats neither sold nor held right now.")
    on_sale = serializers.SerializerMethodField()
    currency = serializers.CharField(source="event.currency", read_only=True)

    class Meta:
        model = TicketType
        fields = [
            "id",
            "name",
            "description",
            "price",
            "currency",
            "capacity",
            "available",
            "sale_starts",
            "sale_ends",
            "on_sale",
            "max_per_order",
            "needs_approval",
        ]

    def get_on_sale(self, ticket_type: TicketType) -> bool:
        return ticket_type.on_sale()


class EventViewSet(viewsets.ReadOnlyModelViewSet):
    """Published events, upcoming first; `?when=upcoming|past` narrows the list."""

    serializer_class = EventSerializer
    lookup_field = "slug"
    filterset_fields = ["city", "currency"]
    ordering_fields = ["start", "name"]

    def get_queryset(self):
        when = self.request.query_params.get("when")
        if when == "upcoming":
            return selectors.events_upcoming()
        if when == "past":
            return selectors.events_past()
        return selectors.events_published()

    @extend_schema(responses=TicketTypeSerializer(many=True))
    @action(detail=True, url_path="ticket-types", filter_backends=[], pagination_class=None)
    def ticket_types(self, request, slug=None):
        """The event's visible ticket types with price and seats available now."""
        event = get_object_or_404(selectors.events_published(), slug=slug)
        ticket_types = selectors.ticket_types_with_availability(event=event)
        return Response(TicketTypeSerializer(ticket_types, many=True, context={"request": request}).data)


router.register("events", EventViewSet, basename="event")
