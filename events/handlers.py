"""What the payments app calls when an order's payment succeeds or is refunded."""

from decimal import Decimal

from events import emails, payments, selectors, services
from events.models import Order


def on_succeeded(payment) -> None:
    """Called once, inside the transaction that records the success, with the order locked (the ledger
    locks a payment's owner): mark paid, or refuse a late one. The tickets then go with the payment's
    receipt (after_succeeded): one task after the commit, not two.
    """
    services.order_payment_succeeded(
        order=payment.owner, amount=payment.amount, locked=True, tickets_sent_by_caller=True
    )


def after_succeeded(payment) -> list:
    """After that commit, before the receipt: the invoice and the tickets of an order this payment paid
    (not of a refused one). Returns the invoice issued, for the receipt."""
    order = selectors.order_with_details(payment.owner_object_id)
    if order.paid_at is None:
        return []
    invoice = payments.order_invoice_for_payment(order=order, payment=payment)
    emails.send_order_confirmation_of(order)
    return [invoice] if invoice is not None else []


def on_refunded(payment, refund_amount: Decimal) -> None:
    services.order_payment_refunded(order=payment.owner, amount=refund_amount)


def describe(order: Order) -> str:
    return f"{order.event.name}: order {order.code}"


def sponsorship_succeeded(payment) -> None:
    """The sponsorship's invoice is paid: logo, passes."""
    services.sponsorship_mark_paid(sponsorship=payment.owner)


def sponsorship_describe(sponsorship) -> str:
    return f"{sponsorship.package.event.name}: {sponsorship.package.name} sponsorship, {sponsorship.organization.name}"


def register() -> None:
    from portal.payments import registry

    registry.register(
        "events.Order",
        on_succeeded=on_succeeded,
        on_refunded=on_refunded,
        describe=describe,
        after_succeeded=after_succeeded,
    )
    registry.register("events.Sponsorship", on_succeeded=sponsorship_succeeded, describe=sponsorship_describe)
