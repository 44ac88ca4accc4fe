"""E-mails of the payment ledger (sent through Celery after commit by the mail backend)."""

from django.conf import settings
from django.core.mail import EmailMessage, send_mail

from portal.core import money
from portal.payments.models import Invoice, Payment, Refund


def finance_recipients() -> list[str]:
    return list(getattr(settings, "FINANCE_EMAILS", [])) or [entry[1] for entry in settings.MANAGERS]


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


def _attach_invoice(message: EmailMessage, invoice: Invoice) -> None:
    from portal.payments.pdf import invoice_pdf

    message.attach(f"{invoice.number}.pdf", invoice_pdf(invoice), "application/pdf")


def send_invoice(*, invoice: Invoice) -> None:
    """The issued invoice with the transfer instructions."""
    if not invoice.buyer_email:
        return
    message = EmailMessage(
        subject=f"Invoice {invoice.number} from {invoice.seller.get('name', '')}",
        body=(
            f"Dear {invoice.buyer_name},\n\nPlease find attached invoice {invoice.number} for {invoice.total_display}, "
            f"due on {invoice.due_on:%d %B %Y}.\n\n{invoice.notes}\n"
        ),
        to=[invoice.buyer_email],
    )
    _attach_invoice(message, invoice)
    message.send()


def send_receipt(*, payment: Payment, invoices: list[Invoice]) -> None:
    """Thanks for paying; the paid invoices (invoicing.invoices_paid_for_payment) are attached."""
    message = EmailMessage(
        subject=f"Payment received: {payment.amount_display}",
        body=(
            f"Thank you. We received your payment of {payment.amount_display}"
            f"{' for ' + payment.description if payment.description else ''}.\n\nReference: {payment.public_id}\n"
        ),
        to=[payment.payer_email],
    )
    for invoice in invoices:
        _attach_invoice(message, invoice)
    message.send()


def send_refund_notice(*, refund: Refund) -> None:
    payment = refund.payment
    amount = money.format_money(refund.amount, payment.currency)
    message = EmailMessage(
        subject=f"Refund of {amount}",
        body=(
            f"We have refunded {amount} of your payment {payment.public_id}"
            f"{' (' + payment.description + ')' if payment.description else ''}.\n\nReason: {refund.reason}\n"
            "A card refund reaches your account within 5 to 10 business days.\n"
        ),
        to=[payment.payer_email],
    )
    note = Invoice.objects.filter(refund=refund).first()
    if note is not None:
        _attach_invoice(message, note)
    message.send()


def send_invoice_reminder(*, invoice: Invoice) -> None:
    if not invoice.buyer_email:
        return
    message = EmailMessage(
        subject=f"Reminder: invoice {invoice.number} is due on {invoice.due_on:%d %B %Y}",
        body=(
            f"Dear {invoice.buyer_name},\n\nInvoice {invoice.number} for {invoice.total_display} is due on "
            f"{invoice.due_on:%d %B %Y}. If you have already paid, thank you, and please ignore this message.\n\n"
            f"{invoice.notes}\n"
        ),
        to=[invoice.buyer_email],
    )
    _attach_invoice(message, invoice)
    message.send()
