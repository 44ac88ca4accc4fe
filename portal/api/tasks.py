"""Celery tasks of the API: outbound webhook deliveries, retried with exponential backoff."""

from celery import shared_task
from django.conf import settings

from portal.api import services
from portal.api.exceptions import DeliveryFailed
from portal.api.models import WebhookDelivery


@shared_task(
    bind=True,
    name="api.deliver_webhook",
    autoretry_for=(DeliveryFailed,),
    retry_backoff=settings.WEBHOOK_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=6 * 60 * 60,
    retry_jitter=True,
    max_retries=settings.WEBHOOK_MAX_RETRIES,
)
def deliver_webhook(self, delivery_id: int) -> bool:
    """POST one delivery; a failure raises DeliveryFailed and Celery retries (1, 2, 4, … minutes)."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return False
    final = self.request.retries >= self.max_retries
    try:
        services.webhook_delivery_attempt(delivery=delivery, final=final)
    except DeliveryFailed:
        if final:
            return False  # logged and marked failed; staff can replay it from the admin
        raise
    return True
