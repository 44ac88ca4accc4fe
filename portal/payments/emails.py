"""E-mails of the payment ledger (sent through Celery after commit by the mail backend)."""

from django.conf import settings
from django.core.mail import send_mail

from portal.payments.models import Payment


def finance_recipients() -> list[str]:
    return list(getattr(settings, "FINANCE_EMAILS", [])) or [email for _, email in settings.MANAGERS]


def send_duplicate_refunded(*, payment: Payment) -> None:
    """Tell the finance team that a second payment for something already paid was refunded."""
    recipients = finance_recipients()
    if not recipients:
        return
    send_mail(
        subject=f"Duplicate payment refunded: {payment.amount_display}",
        message=(
            f"A second payment succeeded for {payment.owner_label} #{payment.owner_object_id}, "
            f"which was already paid. It has been refunded in full.\n\n"
            f"Payment: {payment.public_id}\nAmount: {payment.amount_display}\nPayer: {payment.payer_email}\n"
            f"Stripe PaymentIntent: {payment.stripe_payment_intent_id}\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )
