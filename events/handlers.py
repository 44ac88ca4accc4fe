"""What the payments app calls when an order's payment succeeds or is refunded."""

from decimal import Decimal

from django.urls import reverse

from events import emails, payments, selectors, services
from events.models import Order
from portal.payments import registry
from portal.payments.registry import Refusal


def on_succeeded(payment) -> str | None:
    """Called once, inside the transaction that records the success, with the order locked (the ledger
    locks a payment's owner): mark paid, or refuse a late one (the ledger gives it back and tells the
    buyer in the words returned). The tickets go with the payment's receipt (after_succeeded).
    """
    order = payment.owner
    if services.order_payment_succeeded(
        order=order, amount=payment.amount, locked=True, tickets_sent_by_caller=True, refund_by_caller=True
    ):
        return None
    return services.order_late_payment_reason(order)


def refusal(order: Order) -> Refusal | None:
    """Before any money moves: a canceled order, or one whose hold ran out, is not paid."""
    message = services.order_payment_refusal(order)
    if not message:
        return None
    return Refusal(message, next_url=order.event.get_register_url(), next_label="Start a new order")


def on_dispute_lost(payment, amount: Decimal) -> None:
    services.order_flag(order=payment.owner, reason=f"Card dispute lost: {payment.amount_display} taken back")


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


def sponsorship_succeeded(payment) -> str | None:
    """The sponsorship's invoice is paid: logo, passes; a canceled one takes no money."""
    sponsorship = payment.owner
    if sponsorship.status == sponsorship.Status.CANCELED:
        return (
            f"The sponsorship your payment was for ({payment.description}) had been canceled "
            "before your payment arrived."
        )
    services.sponsorship_mark_paid(sponsorship=sponsorship)
    return None


def sponsorship_refusal(sponsorship) -> Refusal | None:
    if sponsorship.status != sponsorship.Status.CANCELED:
        return None
    return Refusal(
        "This sponsorship was canceled, so its invoice can no longer be paid. "
        "Nothing was charged; please write to the events team if you still wish to sponsor.",
        next_url=reverse("events:sponsor", kwargs={"slug": sponsorship.package.event.slug}),
        next_label="Sponsorship packages",
    )


def sponsorship_describe(sponsorship) -> str:
    return f"{sponsorship.package.event.name}: {sponsorship.package.name} sponsorship, {sponsorship.organization.name}"


def paid_message(payment) -> str:
    """One query: the order's event, its buyer, and whether any attendee has an address of their own."""
    event_name, buyer_email, holders = selectors.order_paid_summary(payment.owner_object_id)
    also = ", and each attendee with an address of their own got theirs" if holders else ""
    return f"You are registered for {event_name}. Your tickets were sent to {buyer_email}{also}."


def register() -> None:

    registry.register(
        "events.Order",
        on_succeeded=on_succeeded,
        on_refunded=on_refunded,
        describe=describe,
        after_succeeded=after_succeeded,
        refusal=refusal,
        on_dispute_lost=on_dispute_lost,
        paid_message=paid_message,
    )
    registry.register(
        "events.Sponsorship",
        on_succeeded=sponsorship_succeeded,
        describe=sponsorship_describe,
        refusal=sponsorship_refusal,
    )
