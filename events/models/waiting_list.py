"""The waiting list of a sold-out ticket type."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from events.models.orders import Order
from events.models.ticket_types import TicketType
from portal.core.status import StatusMachine


class WaitingListEntry(StatusMachine, models.Model):
    """Someone waiting for seats of a sold-out ticket type; an offer holds seats for them alone."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        OFFERED = "offered", "Offered"
        ORDERED = "ordered", "Ordered"
        EXPIRED = "expired", "Offer expired"
        LEFT = "left", "Left the list"

    ACTIVE = (Status.WAITING, Status.OFFERED)
    TRANSITIONS = {
        Status.WAITING: {Status.OFFERED, Status.LEFT},
        Status.OFFERED: {Status.ORDERED, Status.EXPIRED, Status.LEFT},
        Status.ORDERED: set(),
        Status.EXPIRED: set(),
        Status.LEFT: set(),
    }

    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="waiting_list")
    email = models.EmailField()
    quantity = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "waiting list entries"
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="waiting_list_quantity_positive"),
            models.UniqueConstraint(
                fields=["ticket_type", "email"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waiting_list_one_active_entry_per_email",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False), name="waiting_list_offer_expires"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.quantity} × {self.ticket_type.name})"

    def offer_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.OFFERED and self.offer_expires_at is not None and now < self.offer_expires_at
