"""E-mails of the payment ledger (sent through Celery after commit by the mail backend)."""

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.urls import reverse

from portal.core import money
from portal.payments.models import Dispute, DisputeStatus, Invoice, Payment, PaymentMethod, Refund
from portal.payments.pdf import invoice_pdf


def finance_recipients() -> list[str]:
    return list(getattr(settings, "FINANCE_EMAILS", [])) or [entry[1] for entry in settings.MANAGERS]


def how_money_comes_back(payment: Payment, amount: str) -> str:
    """The sentence that tells a payer how their money comes back, true to how they paid."""
    if payment.method == PaymentMethod.BANK_TRANSFER:
        return (
            f"Our finance team will send {amount} back by bank transfer to the account it came from; "
            "we will write when it is on its way."
        )
    return f"{amount} is refunded to your card; it reaches your account within 5 to 10 business days."


def _finance_link(payment: Payment) -> str:

    return f"{settings.SITE_URL}{reverse('payments_finance:payment', kwargs={'pk': payment.pk})}"


def send_duplicate_refunded(*, payment: Payment) -> None:
    """Tell the finance team that a second payment for something already paid was given back."""
    recipients = finance_recipients()
    if not recipients:
        return
    given_back = "refunded to the card" if payment.method == PaymentMethod.CARD else "listed to be returned by transfer"
    send_mail(
        subject=f"Duplicate payment given back: {payment.amount_display}",
        message=(
            f"A second payment succeeded for {payment.owner_label} #{payment.owner_object_id}, "
            f"which was already paid. It is {given_back} in full.\n\n"
            f"Payment: {payment.public_id}\nAmount: {payment.amount_display}\nPayer: {payment.payer_email}\n"
            f"Stripe PaymentIntent: {payment.stripe_payment_intent_id}\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )


def _attach_invoice(message: EmailMessage, invoice: Invoice) -> None:

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
    how = "bank transfer" if payment.method == PaymentMethod.BANK_TRANSFER else "card payment"
    received = payment.amount_display
    settled = ""
    if payment.amount_received is not None and payment.amount_received != payment.amount:
        received = money.format_money(payment.amount_received, payment.currency)
        if payment.amount_written_off:
            written_off = money.format_money(payment.amount_written_off, payment.currency)
            settled = f" It settles {payment.amount_display} in full: the remaining {written_off} is waived.\n"
    message = EmailMessage(
        subject=f"Payment received: {received}",
        body=(
            f"Thank you. We received your {how} of {received}"
            f"{' for ' + payment.description if payment.description else ''}.\n{settled}\n"
            f"Reference: {payment.public_id}\n"
        ),
        to=[payment.payer_email],
    )
    for invoice in invoices:
        _attach_invoice(message, invoice)
    message.send()


def _send_refund_message(refund: Refund, *, subject: str, body: str) -> None:
    """A message to the payer about money going back, with the refund's credit note when one was issued."""
    message = EmailMessage(subject=subject, body=body, to=[refund.payment.payer_email])
    note = Invoice.objects.filter(refund=refund).first()
    if note is not None:
        _attach_invoice(message, note)
    message.send()


def send_refund_notice(*, refund: Refund) -> None:
    payment = refund.payment
    amount = money.format_money(refund.amount, payment.currency)
    _send_refund_message(
        refund,
        subject=f"Refund of {amount}" if payment.method == PaymentMethod.CARD else f"{amount} to be returned to you",
        body=(
            f"We have refunded {amount} of your payment {payment.public_id}"
            f"{' (' + payment.description + ')' if payment.description else ''}.\n\nReason: {refund.reason}\n"
            f"{how_money_comes_back(payment, amount)}\n"
        ),
    )


def send_held_returned(*, payment: Payment, returned: str, reason: str) -> None:
    """The payer of a held payment hears once what happened to the money, and how to pay again."""
    pay_again = f"{settings.SITE_URL}{payment.get_absolute_url()}"
    send_mail(
        subject=f"Your payment of {returned} was refunded",
        message=(
            f"Your card was charged {returned} for {payment.description or payment.public_id}, "
            f"which does not match the {payment.amount_display} due, so nothing was confirmed.\n"
            f"Our finance team has refunded {returned} to your card; it reaches your account within 5 to 10 "
            f"business days.\nReason: {reason}\n\nTo pay {payment.amount_display}: {pay_again}\n"
            f"Reference: {payment.public_id}\n"
        ),
        from_email=None,
        recipient_list=[payment.payer_email],
    )


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


def send_refused_notice(*, refund: Refund) -> None:
    """The one e-mail for money that arrived for something that could no longer take it: what
    happened, and how the money comes back (no receipt is sent for it)."""
    payment = refund.payment
    amount = money.format_money(refund.amount, payment.currency)
    subject = (
        f"Your payment of {amount} is refunded"
        if payment.method == PaymentMethod.CARD
        else f"Your transfer of {amount} will be returned"
    )
    _send_refund_message(
        refund,
        subject=subject,
        body=(
            f"{payment.refused_reason}\n\n{how_money_comes_back(payment, amount)}\n\n"
            f"{payment.description + chr(10) if payment.description else ''}Reference: {payment.public_id}\n"
        ),
    )


_FINANCE_NOTICES = {
    "held": (
        "Payment held, amount mismatch: {amount}",
        "Stripe reported a success that does not match this payment, so nothing was fulfilled.\n{held}\n",
    ),
    "return": (
        "Money to return by bank transfer: {amount}",
        "A bank transfer must be sent back to the payer; it is listed under Returns to payers.\n",
    ),
}


def send_finance_notice(*, payment: Payment, kind: str) -> None:
    """Finance must act on a payment: one held for a mismatch, or money to send back by transfer."""
    recipients = finance_recipients()
    if not recipients or kind not in _FINANCE_NOTICES:
        return
    subject, intro = _FINANCE_NOTICES[kind]
    send_mail(
        subject=subject.format(amount=payment.amount_display),
        message=(
            intro.format(held=payment.held_reason)
            + f"\nPayment: {payment.public_id} ({payment.description})\nPayer: {payment.payer_email}\n"
            f"{_finance_link(payment)}\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )


def send_dispute_notice(*, dispute: Dispute, status: str) -> None:
    """Finance hear of every dispute change: its amount, its deadline, and what a lost one did."""
    recipients = finance_recipients()
    if not recipients:
        return
    payment = dispute.payment
    label = DisputeStatus(status).label if status in DisputeStatus.values else status
    due = f"Evidence due by {dispute.evidence_due_by:%d %B %Y %H:%M} UTC.\n" if dispute.evidence_due_by else ""
    lost = (
        "The dispute was lost: the ledger records the money as taken back and what it paid for is flagged.\n"
        if status == "lost"
        else ""
    )
    send_mail(
        subject=f"Card dispute ({label.lower()}): {dispute.amount_display} on {payment.public_id}",
        message=(
            f"Stripe reports a dispute of {dispute.amount_display} on a card payment of {payment.amount_display}.\n"
            f"Reason: {dispute.reason or 'not given'}.\n{due}{lost}\n"
            f"Payment: {payment.public_id} ({payment.description})\nPayer: {payment.payer_email}\n"
            f"Dispute: {dispute.stripe_dispute_id}\n{_finance_link(payment)}\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )


def send_return_sent(*, payer_return) -> None:
    """The payer hears that the money is on its way back, with the reference to look for."""
    payment = payer_return.payment
    send_mail(
        subject=f"{payer_return.amount_display} sent back to you",
        message=(
            f"We have sent {payer_return.amount_display} back by bank transfer to the account it came from"
            f"{' (your reference ' + payer_return.payer_reference + ')' if payer_return.payer_reference else ''}.\n"
            f"Our transfer's reference: {payer_return.sent_reference}\n\n"
            f"{payment.description + chr(10) if payment.description else ''}Reference: {payment.public_id}\n"
        ),
        from_email=None,
        recipient_list=[payment.payer_email],
    )
