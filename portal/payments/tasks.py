"""Celery tasks of the payment ledger: each takes ids, calls one service and owns its retries."""

from datetime import timedelta

from celery import shared_task

from portal.payments import emails, invoicing, services
from portal.payments.exceptions import PaymentServiceUnavailable
from portal.payments.models import Dispute, Payment

_RETRY = {
    "autoretry_for": (PaymentServiceUnavailable,),
    "retry_backoff": 10,
    "retry_backoff_max": 900,
    "retry_jitter": True,
    "max_retries": 12,
}


@shared_task(name="payments.process_stripe_event", keyed=True, **_RETRY)
def process_stripe_event(event_pk: int) -> None:
    """Apply one stored webhook event, once."""
    services.stripe_event_process(event_pk=event_pk)


@shared_task(
    name="payments.send_receipt",
    keyed=True,
    redoes_in_place=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_receipt(payment_id: int) -> None:
    """After a success is committed: the owner's documents (its invoice), then the receipt, once; its
    e-mails not yet out if it runs while its row is unfinished (payment_receipt_send)."""
    services.payment_receipt_send(payment_id=payment_id)


@shared_task(name="payments.reconcile", **_RETRY)
def reconcile_payments(older_than_seconds: int | None = None) -> int:
    """Every 15 minutes: settle payments whose webhook never came."""

    older = None if older_than_seconds is None else timedelta(seconds=older_than_seconds)
    return services.payments_reconcile(older_than=older)


@shared_task(name="payments.sync_payment", **_RETRY)
def sync_payment(payment_id: int) -> None:
    services.payment_sync(payment_id=payment_id)


@shared_task(name="payments.refund_duplicate", **_RETRY)
def refund_duplicate_payment(payment_id: int) -> None:
    """A second success for an owner already paid: refund it in full and tell the finance team."""
    services.payment_refund_duplicate(payment_id=payment_id)


@shared_task(name="payments.give_back_refused", **_RETRY)
def give_back_refused_payment(payment_id: int) -> None:
    """Money its owner could not take (late, canceled, a duplicate): refunded or returned, the payer told once."""
    services.payment_give_back(payment_id=payment_id)


@shared_task(name="payments.send_finance_notice", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_finance_notice(payment_id: int, kind: str) -> None:
    """Tell FINANCE_EMAILS of a payment held for a mismatch, or of money to send back."""

    emails.send_finance_notice(payment=Payment.objects.get(pk=payment_id), kind=kind)


@shared_task(name="payments.send_dispute_notice", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_dispute_notice(dispute_id: int, status: str) -> None:

    emails.send_dispute_notice(dispute=Dispute.objects.select_related("payment").get(pk=dispute_id), status=status)


@shared_task(name="payments.send_invoice_reminders")
def send_invoice_reminders() -> int:
    """Daily: remind payers of invoices falling due."""

    return invoicing.invoice_reminders_send()
