"""Celery tasks of the membership workflow: each calls one service."""

from celery import shared_task

from members import services


@shared_task(name="members.renew")
def renew_memberships() -> dict[str, int]:
    """Daily (CELERY_BEAT_SCHEDULE): renewal invoices, reminders, grace and lapse; running it twice sends nothing twice."""
    return services.memberships_renew()


@shared_task(name="members.refund_dues_payment")
def refund_dues_payment(payment_id: int) -> None:
    """Dues paid for a lapsed membership whose tier filled up meanwhile: refunded in full."""
    services.dues_payment_refund_no_seat(payment_id=payment_id)


@shared_task(name="members.refund_dues_credits")
def refund_dues_credits(organization_id: int) -> None:
    """An organisation left with credits not yet taken off a renewal: they are paid back."""
    services.dues_credits_refund(organization_id=organization_id)
