"""Reads of the payment ledger, shaped for their pages."""

from datetime import datetime

from django.db.models import QuerySet

from portal.payments.models import OPEN_STATUSES, Payment, PaymentMethod, PaymentStatus


def payment_for_payer(public_id: str) -> Payment:
    """The pay page's payment: the unguessable id is the permission (404 otherwise)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Payment.objects.select_related("owner_content_type"), public_id=public_id)


def payments_to_reconcile(*, before: datetime) -> QuerySet[Payment]:
    """Card payments still open at Stripe that have not moved since `before`."""
    return (
        Payment.objects.filter(
            method=PaymentMethod.CARD,
            status__in=[PaymentStatus.PROCESSING, PaymentStatus.REQUIRES_ACTION, PaymentStatus.CREATED],
            updated_at__lt=before,
        )
        .exclude(stripe_payment_intent_id="")
        .order_by("updated_at")
    )


def payments_for_owner(owner) -> QuerySet[Payment]:
    """All attempts to pay for one thing, newest first."""
    from django.contrib.contenttypes.models import ContentType

    return Payment.objects.filter(
        owner_content_type=ContentType.objects.get_for_model(owner, for_concrete_model=False),
        owner_object_id=str(owner.pk),
    ).order_by("-created_at", "-id")


__all__ = ["OPEN_STATUSES", "payment_for_payer", "payments_for_owner", "payments_to_reconcile"]
