"""Reads for company ticket bundles: the organisations a person buys for, and their bundles shaped for one page."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from events.models import Order, OrderLine, Ticket, TicketBundle
from members.models import Organization, OrganizationRole


def organizations_buying_bundles(user) -> QuerySet[Organization]:
    """The organisations a person may buy and assign bundles for: those they administer (a member or a
    company that only sponsors alike)."""
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    return (
        Organization.objects.filter(roles__user=user, roles__role=OrganizationRole.Role.ADMIN)
        .distinct()
        .order_by("name")
    )


def organization_for_bundle_admin(user, slug: str) -> Organization:
    """The organisation of the bundle page, for one of its admins only (404 for anyone else)."""
    return get_object_or_404(organizations_buying_bundles(user), slug=slug)


def bundles_of(organization: Organization) -> QuerySet[TicketBundle]:
    """An organisation's bundles, newest first, each with its order, event, line and tickets (a fixed number
    of queries for any number of bundles and tickets)."""
    return (
        TicketBundle.objects.filter(organization=organization)
        .exclude(order__status=Order.Status.EXPIRED)
        .select_related("order__event", "organization")
        .prefetch_related(
            Prefetch("order__lines", queryset=OrderLine.objects.select_related("ticket_type")),
            Prefetch("order__tickets", queryset=Ticket.objects.select_related("ticket_type").order_by("pk")),
        )
    )


def bundle_ticket_for_admin(user, *, slug: str, ticket_id: int) -> Ticket:
    """A ticket of one of the organisation's bundles, for its admins only (404 otherwise)."""
    organization = organization_for_bundle_admin(user, slug)
    return get_object_or_404(
        Ticket.objects.select_related("order__event", "order__bundle__organization", "ticket_type"),
        pk=ticket_id,
        order__bundle__organization=organization,
    )
