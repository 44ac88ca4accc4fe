"""Company ticket bundles: an organisation buys many tickets of one type on one order, and names the
attendees later from its bundle page until the event's assignment cut-off."""

from django.conf import settings
from django.db import models

from events.models.orders import Order


class TicketBundle(models.Model):
    """An order bought for an organisation: its tickets are the seats, taken when it was ordered;
    a ticket without an attendee is unassigned and admits no one."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="bundle")
    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="ticket_bundles")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.organization} bundle (order {self.order_id})"
