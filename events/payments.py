"""The seam between registration and the payments app (the payments contract in BRIEF.md).

Registration asks for money in exactly two ways: start a payment for an order, and refund one.
"""

from decimal import Decimal

from django.conf import settings

from events.models import Order
from portal.exceptions import ApplicationError


class PaymentUnavailable(ApplicationError):
    code = "payment_unavailable"
    status_code = 503


def _services():
    try:
        from portal.payments import services
    except ImportError:  # the payments core is not merged yet
        raise PaymentUnavailable(
            "Online payment is not available yet. Your seats are held; please try later."
        ) from None
    return services


def order_request_payment(*, order: Order) -> str:
    """Create a payment for the order's total and return the pay page the buyer goes to."""
    payment = _services().payment_create(
        owner=order,
        amount=order.total,
        currency=order.currency,
        payer_email=order.buyer_email,
        description=f"{order.event.name}: order {order.code}",
        return_url=settings.SITE_URL + order.get_absolute_url(),
    )
    return payment.get_absolute_url()


def order_refund_payments(*, order: Order, amount: Decimal, reason: str, actor=None) -> Decimal:
    """Refund up to `amount` of the order's successful payments through the gateway; returns what was refunded."""
    services = _services()
    refunded = Decimal("0")
    for payment in services.payments_for_owner(order):
        if refunded >= amount:
            break
        part = min(amount - refunded, payment.refundable_amount)
        if part > 0:
            services.payment_refund(payment=payment, amount=part, reason=reason, actor=actor)
            refunded += part
    return refunded
