"""Reads of the API's own data for staff screens."""

from django.db.models import OuterRef, Q, QuerySet, Subquery

from portal.api.models import DeliveryStatus, WebhookAttempt, WebhookDelivery


def webhook_deliveries_failing() -> QuerySet[WebhookDelivery]:
    """Deliveries out of attempts, or still retrying after a failed one, each with its last error; oldest first."""
    last = WebhookAttempt.objects.filter(delivery=OuterRef("pk")).order_by("-number")
    return (
        WebhookDelivery.objects.filter(
            Q(status=DeliveryStatus.FAILED) | Q(status=DeliveryStatus.PENDING, attempts__gt=0)
        )
        .select_related("subscription")
        .annotate(last_error=Subquery(last.values("error")[:1]), last_code=Subquery(last.values("response_code")[:1]))
        .order_by("status", "created_at", "pk")
    )
