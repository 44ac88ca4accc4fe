"""Where registration meets the payments app (the payments contract in BRIEF.md).

Registration asks for money in three ways: start (or resume) a payment for an order, issue the
invoice of a paid order, and refund what an order's payments took.
"""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from events.models import Order
from portal.payments import invoicing, selectors
from portal.payments import services as payment_services
from portal.payments.models import OPEN_STATUSES, Invoice, PaymentStatus


def order_request_payment(
    *, order: Order, new: bool = False, method: str = "", description: str = "", return_url: str = ""
) -> str:
    """The pay page for the order's total: an open payment is resumed (a double click makes no second one).

    `new`: the order was placed in this request, so it has no payment to resume yet. `method`: resume only an
    open payment by that method. `description` and `return_url` (where the payer comes back after paying)
    default to the order's.
    """
    open_payment = None
    if not new:
        open_payments = selectors.payments_for_owner(order).filter(status__in=OPEN_STATUSES, amount=order.total)
        open_payment = (open_payments.filter(method=method) if method else open_payments).first()
    payment = open_payment or payment_services.payment_create(
        owner=order,
        amount=order.total,
        currency=order.currency,
        payer_email=order.buyer_email,
        description=description or f"{order.event.name}: order {order.code}",
        return_url=settings.SITE_URL + (return_url or order.get_absolute_url()),
    )
    return payment.get_absolute_url()


def order_invoice_for_payment(*, order: Order, payment) -> Invoice | None:
    """The paid order's invoice, issued paid on the payment so the payments receipt carries it (None
    when the payment has one already)."""
    if payment.invoices.all():  # read with the payment (payment_receipt_send)
        return None
    lines = []
    for line in order.lines.all():  # with their ticket types (selectors.order_with_details)
        if line.subtotal_before_discount <= 0:
            continue
        # The tax as the order states it (worked out when it was placed), so the invoice says the same.
        rate, included = line.tax_rate, order.prices_include_tax
        lines.append(
            invoicing.Line(
                description=f"{line.ticket_type.name}, {order.event.name}",
                unit_price=line.unit_price,
                quantity=Decimal(line.quantity),
                tax=line.tax + line.discount_tax,
                tax_rate=rate,
                price_includes_tax=included,
            )
        )
        if line.discount:
            code = f" (promo code {order.promo_code.code})" if order.promo_code else ""
            # Its own line, so quantity × price and the discount read as the order page shows them.
            lines.append(
                invoicing.Line(
                    description=f"Discount{code} on {line.ticket_type.name}",
                    unit_price=-line.discount,
                    tax=-line.discount_tax,
                    tax_rate=rate,
                    price_includes_tax=included,
                )
            )
    buyer = {
        "buyer_name": order.billing_company or order.buyer_name,
        "buyer_address": order.billing_address,
        "buyer_country": order.billing_country,
        "buyer_vat_id": order.billing_vat_id,
        "buyer_vat_check": order.vat_check,
        "buyer_email": order.buyer_email,
    }
    return invoicing.invoice_issue_paid(
        currency=order.currency,
        buyer=buyer,
        lines=lines,
        payment=payment,
        notes=f"Order {order.code}",
        tax_note=order.tax_note,
        tax_country=order.tax_country,
    )


def order_refund_payments(*, order: Order, amount: Decimal, reason: str, actor=None) -> Decimal:
    """Refund up to `amount` of the order's successful payments through the gateway; returns what was refunded."""
    refunded = Decimal("0")
    # A refused payment (late, duplicate) is given back by the ledger itself, never twice.
    payments = selectors.payments_for_owner(order).filter(
        status__in=[PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED], is_duplicate=False, refused_reason=""
    )
    for payment in payments:
        if refunded >= amount:
            break
        part = min(amount - refunded, payment.amount_refundable)
        if part > 0:
            payment_services.payment_refund(payment=payment, amount=part, reason=reason, actor=actor)
            refunded += part
    return refunded


def order_invoice_url(order: Order) -> str:
    """Where the buyer reads the paid order's invoice (HTML and PDF), or "" when there is none."""
    if order.total == 0 or not order.is_paid:
        return ""
    payment = (
        selectors.payments_for_owner(order)
        .filter(status__in=[PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED], is_duplicate=False)
        .filter(invoices__isnull=False)
        .first()
    )
    return reverse("payments:invoice", kwargs={"public_id": payment.public_id}) if payment else ""
