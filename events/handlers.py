"""What the payments app calls when an order's payment succeeds or is refunded."""

from decimal import Decimal

from events import services
from events.models import Order


def on_succeeded(payment) -> None:
    """Called once, inside the transaction that records the success."""
    services.order_payment_succeeded(order=payment.owner, amount=payment.amount)


def on_refunded(payment, refund_amount: Decimal) -> None:
    services.order_payment_refunded(order=payment.owner, amount=refund_amount)


def describe(order: Order) -> str:
    return f"{order.event.name}: order {order.code}"


def register() -> None:
    try:
        from portal.payments import registry
    except ImportError:  # the payments core is not merged yet
        return
    registry.register("events.order", on_succeeded=on_succeeded, on_refunded=on_refunded, describe=describe)
