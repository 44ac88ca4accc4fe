"""What happens when a kind of thing is paid for: apps register handlers by their model's label.

    registry.register("events.Order", on_succeeded=order_mark_paid, on_refunded=order_refunded,
                      after_succeeded=order_invoice)

`portal.payments` imports no domain app; it calls these by the label of the payment's owner.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Refusal:
    """Why an owner can no longer be paid, in words for the payer, and where they can go instead."""

    message: str
    next_url: str = ""
    next_label: str = ""


@dataclass(frozen=True)
class Handler:
    on_succeeded: Callable[[Any], str | None]
    on_refunded: Callable[[Any, Decimal], None] | None = None
    describe: Callable[[Any], str] | None = None
    after_succeeded: Callable[[Any], list | None] | None = None
    refusal: Callable[[Any], Refusal | None] | None = None
    on_dispute_lost: Callable[[Any, Decimal], None] | None = None
    paid_message: Callable[[Any], str] | None = None


_handlers: dict[str, Handler] = {}


def _key(model_label: str) -> str:
    return model_label.lower()


def label_of(model: type[models.Model] | models.Model) -> str:
    return model._meta.label


def register(
    model_label: str,
    *,
    on_succeeded: Callable[[Any], str | None],
    on_refunded: Callable[[Any, Decimal], None] | None = None,
    describe: Callable[[Any], str] | None = None,
    after_succeeded: Callable[[Any], list | None] | None = None,
    refusal: Callable[[Any], Refusal | None] | None = None,
    on_dispute_lost: Callable[[Any, Decimal], None] | None = None,
    paid_message: Callable[[Any], str] | None = None,
) -> None:
    """on_succeeded(payment) runs once, inside the transaction that records the success, with the owner's
    row locked and read as `payment.owner`. It returns None when the owner took the money, or a sentence
    for the payer when it could not (an order that had expired): the ledger then gives the money back
    and sends that sentence instead of a receipt.

    refusal(owner), if given, says before any money moves whether the owner can still be paid (the pay
    page and the card form ask it): None, or a Refusal.

    on_dispute_lost(payment, amount), if given, runs when a card dispute is lost: the owner is flagged
    for staff (the money is gone), never silently canceled.

    paid_message(payment), if given, is what the payer reads under "payment received" on the return page:
    what the payment got them ("You are registered…; your tickets were sent to…").

    after_succeeded(payment), if given, runs once in a task after that commit, under the payment's
    lock, just before the receipt is sent: the place for documents the receipt carries (an invoice).
    It returns the invoices it issued (the receipt attaches them); `payment.invoices.all()` holds the
    payment's invoices from before it ran, read without a query.
    """
    _handlers[_key(model_label)] = Handler(
        on_succeeded, on_refunded, describe, after_succeeded, refusal, on_dispute_lost, paid_message
    )


def unregister(model_label: str) -> None:
    _handlers.pop(_key(model_label), None)


def get(model_label: str) -> Handler | None:
    return _handlers.get(_key(model_label))


def is_registered(model_label: str) -> bool:
    return _key(model_label) in _handlers
