"""Refunds of paid orders."""

from decimal import Decimal

from events import payments
from events.exceptions import NotRefundable
from events.models import Order
from portal.core.audit import audit


def order_refund(*, order: Order, actor, reason: str = "Refunded by the events team") -> Decimal:
    """Staff refund what is left of a paid order through the gateway; the order follows the gateway's answer."""

    if order.status not in Order.SOLD or order.total - order.refunded_amount <= 0:
        raise NotRefundable(f"Order {order.code} has nothing left to refund.")
    refunded = payments.order_refund_payments(
        order=order, amount=order.total - order.refunded_amount, reason=reason, actor=actor
    )
    audit("events.order.refund_by_staff", order, actor=actor, data={"code": order.code, "amount": str(refunded)})
    return refunded
