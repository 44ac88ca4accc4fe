"""/api/v1/events/: published events and their ticket types with live availability."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from events import selectors, services
from events.models import Event, TicketType
from portal.api.routers import router
from portal.api.serializers import ErrorSerializer


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


class CheckInInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64, help_text="The ticket's code, as in its QR code.")


class CheckInSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="Always `checked_in`; refusals are errors (404, 409).")
    message = serializers.CharField()
    checked_in_at = serializers.DateTimeField()
    attendee_name = serializers.CharField()
    company = serializers.CharField()
    ticket_type = serializers.CharField()
    order = serializers.CharField()


class CanCheckIn(permissions.BasePermission):
    """Events staff at the door (session now; API tokens with a check-in scope later)."""

    def has_permission(self, request, view) -> bool:
        from portal.accounts.mfa import second_factor_redirect

        user = request.user
        if not (user and user.is_authenticated and user.has_perm("events.check_in_ticket")):
            return False
        # A staff session must have been confirmed with the second factor, as for the admin.
        return second_factor_redirect(request._request) is None


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

    @extend_schema(responses=SponsorSerializer(many=True))
    @action(detail=True, url_path="sponsors", filter_backends=[], pagination_class=None)
    def sponsors(self, request, slug=None):
        """The event's sponsors (paid), highest package first."""
        event = get_object_or_404(selectors.events_published(), slug=slug)
        sponsors = selectors.sponsors_for_event(event)
        return Response(SponsorSerializer(sponsors, many=True, context={"request": request}).data)

    @extend_schema(
        request=CheckInInputSerializer,
        responses={
            200: CheckInSerializer,
            403: ErrorSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No ticket has this code (`ticket_not_found`)."),
            409: OpenApiResponse(
                ErrorSerializer,
                description="`already_checked_in` (with `extra.checked_in_at` and `extra.local_time`), "
                "`wrong_event` (a ticket of another event) or `ticket_not_valid` (order not paid).",
            ),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="checkin",
        permission_classes=[CanCheckIn],
        filter_backends=[],
        pagination_class=None,
    )
    def checkin(self, request, slug=None):
        """Check a ticket in at the door: once only; a ticket of another event is refused."""
        event = selectors.event_for_staff(slug)
        data = CheckInInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = services.ticket_check_in(event=event, code=data.validated_data["code"], actor=request.user)
        name = ticket.attendee_name or ticket.order.buyer_name
        return Response(
            CheckInSerializer(
                {
                    "status": "checked_in",
                    "message": f"Welcome, {name}! {ticket.ticket_type.name}: checked in.",
                    "checked_in_at": ticket.checked_in_at,
                    "attendee_name": name,
                    "company": ticket.company,
                    "ticket_type": ticket.ticket_type.name,
                    "order": ticket.order.code,
                }
            ).data
        )


router.register("events", EventViewSet, basename="event")
