"""Celery tasks of the API: outbound webhook deliveries, one attempt per run; retries are kept in the row."""

from celery import shared_task

from portal.api import services
from portal.api.exceptions import DeliveryFailed
from portal.api.models import WebhookDelivery


@shared_task(name="api.deliver_webhook")
def deliver_webhook(delivery_id: int) -> bool:
    """POST one delivery once; a failure is logged on it with its next attempt's time (beat retries it)."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return False
    try:
        services.webhook_delivery_attempt(delivery=delivery)
    except DeliveryFailed:
        return False  # a long wait in the broker would be redelivered early; the row holds it instead
    return True


@shared_task(name="api.retry_webhooks")
def retry_webhooks() -> int:
    """Beat, every minute: the deliveries whose next attempt is due."""
    return services.webhook_deliveries_retry()
