"""/api/v1/events/: published events and their ticket types with live availability."""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from events import selectors, services
from events.models import Event, Order, OrderLine, Ticket, TicketType
from portal.api.authentication import actor_for
from portal.api.filters import CountryFilter
from portal.api.http import PublicEndpointMixin
from portal.api.pagination import PAGE, PAGE_SIZE, paginated
from portal.api.permissions import HasScope
from portal.api.routers import router
from portal.api.serializers import CountryCodeField


class EventSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    register_url = serializers.SerializerMethodField()
    ticket_types_url = serializers.SerializerMethodField()
    registration_open = serializers.SerializerMethodField()
    country_code = CountryCodeField()

    class Meta:
        model = Event
        fields = [
            "slug",
            "name",
            "summary",
            "venue",
            "city",
            "country",
            "country_code",
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


class SponsorSerializer(serializers.Serializer):
    organization = serializers.CharField(source="organization.name")
    slug = serializers.CharField(source="organization.slug")
    website = serializers.CharField(source="organization.website")
    package = serializers.CharField(source="package.name")
    logo = serializers.SerializerMethodField(help_text="Absolute URL of the logo, or null.")

    def get_logo(self, sponsorship) -> str | None:
        logo = sponsorship.logo_file
        if not logo:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(logo.url) if request else logo.url


class OrderLineSerializer(serializers.ModelSerializer):
    ticket_type = serializers.CharField(source="ticket_type.name")

    class Meta:
        model = OrderLine
        fields = ["ticket_type", "quantity", "unit_price", "discount", "total", "tax_rate", "tax"]


class StaffOrderSerializer(serializers.ModelSerializer):
    promo_code = serializers.CharField(source="promo_code.code", allow_null=True, default=None)
    lines = OrderLineSerializer(many=True)
    tickets = serializers.SerializerMethodField(help_text="How many tickets the order holds.")
    net = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, help_text="Total less its tax: net + tax = total."
    )

    class Meta:
        model = Order
        fields = [
            "code",
            "status",
            "buyer_name",
            "buyer_email",
            "billing_company",
            "currency",
            "subtotal",
            "discount",
            "net",
            "tax",
            "total",
            "tax_note",
            "billing_country",
            "refunded_amount",
            "promo_code",
            "needs_approval",
            "approved_at",
            "created_at",
            "paid_at",
            "canceled_at",
            "lines",
            "tickets",
        ]

    def get_tickets(self, order: Order) -> int:
        return len(order.tickets.all())


class AttendeeSerializer(serializers.ModelSerializer):
    ticket_type = serializers.CharField(source="ticket_type.name")
    order = serializers.CharField(source="order.code")

    class Meta:
        model = Ticket
        fields = [
            "code",
            "short_code",
            "attendee_name",
            "attendee_email",
            "company",
            "job_title",
            "pronouns",
            "ticket_type",
            "order",
            "checked_in_at",
        ]


class CheckInSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=40, help_text="The ticket's QR code, or the short code printed under it (any case, dash optional)."
    )


class EventFilter(django_filters.FilterSet):
    when = django_filters.ChoiceFilter(
        choices=[("upcoming", "Upcoming (not yet ended), soonest first"), ("past", "Past, most recent first")],
        method="_chosen_by_the_view",
        help_text="Only upcoming or only past events.",
    )

    country = CountryFilter()
    country_code = CountryFilter()

    class Meta:
        model = Event
        fields = ["city", "country", "country_code", "currency", "when"]

    def _chosen_by_the_view(self, queryset, name, value):
        # The view already picked the selector for `when` (upcoming and past sort differently);
        # the filter is here so that the value is validated and documented like every other.
        return queryset


def _events_staff(scope: str, perm: str) -> HasScope:
    # Tools by token scope; people signed in by the Events staff group's permission (superusers pass).
    return HasScope(scope, session_perm=perm)


def _staff_listing(summary: str, serializer_class, component: str):
    """A paginated list of one event's rows for staff: a token with the staff scope, or Events staff signed in."""

    def decorate(method):
        listed = action(
            detail=True,
            filter_backends=[],
            permission_classes=[_events_staff("staff", "events.view_order")],
            public_endpoint=False,
        )(method)
        return extend_schema(
            summary=summary, parameters=[PAGE, PAGE_SIZE], responses=paginated(serializer_class, component)
        )(listed)

    return decorate


class EventViewSet(PublicEndpointMixin, viewsets.ReadOnlyModelViewSet):
    """Published events, upcoming first; `?when=upcoming|past` narrows the list."""

    serializer_class = EventSerializer
    lookup_field = "slug"
    filterset_class = EventFilter
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

    @extend_schema(responses=SponsorSerializer(many=True))
    @action(detail=True, url_path="sponsors", filter_backends=[], pagination_class=None)
    def sponsors(self, request, slug=None):
        """The event's sponsors (paid), highest package first."""
        event = get_object_or_404(selectors.events_published(), slug=slug)
        sponsors = selectors.sponsors_for_event(event)
        return Response(SponsorSerializer(sponsors, many=True, context={"request": request}).data)

    def _staff_list(self, queryset, serializer_class):
        page = self.paginate_queryset(queryset)
        serializer = serializer_class(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    @_staff_listing("An event's orders (staff)", StaffOrderSerializer, "PaginatedStaffOrderList")
    def orders(self, request, slug=None):
        """Every order of the event, newest first: a token with the staff scope, or Events staff signed in."""
        event = selectors.event_for_staff(slug)
        return self._staff_list(selectors.orders_for_event(event), StaffOrderSerializer)

    @_staff_listing("An event's attendees (staff)", AttendeeSerializer, "PaginatedAttendeeList")
    def attendees(self, request, slug=None):
        """The tickets of paid orders, by attendee name, with their check-in time."""
        event = selectors.event_for_staff(slug)
        return self._staff_list(selectors.attendees_for_event(event), AttendeeSerializer)

    @extend_schema(
        summary="Check a ticket in (check-in scope)",
        request=CheckInSerializer,
        responses={200: AttendeeSerializer},
        description="Admits a ticket of a paid order once. A second scan answers 409 `already_checked_in` "
        '("Already checked in at HH:MM", in the event\'s time zone); a ticket of another event answers 409 '
        "`wrong_event`; a company bundle's ticket that names no attendee yet 409 `ticket_unassigned`; an "
        "unknown code 404 `ticket_not_found`.",
    )
    @action(
        detail=True,
        methods=["post"],
        filter_backends=[],
        permission_classes=[_events_staff("checkin", "events.change_order")],
        public_endpoint=False,
        extra_error_statuses=("409",),
    )
    def checkin(self, request, slug=None):
        event = selectors.event_for_staff(slug)
        serializer = CheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = services.ticket_check_in(event=event, code=serializer.validated_data["code"], actor=actor_for(request))
        return Response(AttendeeSerializer(ticket).data)


router.register("events", EventViewSet, basename="event")
