"""Writes for registration, one module per concern; callers import `events.services` and read the same names."""

from events.services.orders import (
    order_approve,
    order_create,
    order_flag,
    order_late_payment_reason,
    order_payment_refunded,
    order_payment_refusal,
    order_payment_succeeded,
    orders_expire,
)
from events.services.pricing import Quote, QuoteLine, order_quote, order_validate
from events.services.refunds import order_refund
from events.services.seats import BUSY, SPONSORS_BUSY, Capacity
from events.services.sponsorships import (
    sponsor_waiting_list_join,
    sponsorship_approve,
    sponsorship_cancel,
    sponsorship_invoice,
    sponsorship_mark_paid,
    sponsorship_request,
)
from events.services.tickets import order_can_cancel, order_cancel, ticket_check_in, ticket_update
from events.services.waiting_list import (
    waiting_list_anonymise,
    waiting_list_expire_offers,
    waiting_list_join,
    waiting_list_leave,
    waiting_list_offer,
)

__all__ = [
    "BUSY",
    "Capacity",
    "Quote",
    "QuoteLine",
    "SPONSORS_BUSY",
    "order_approve",
    "order_can_cancel",
    "order_cancel",
    "order_create",
    "order_flag",
    "order_payment_refunded",
    "order_late_payment_reason",
    "order_payment_refusal",
    "order_payment_succeeded",
    "order_quote",
    "order_refund",
    "order_validate",
    "orders_expire",
    "sponsor_waiting_list_join",
    "sponsorship_approve",
    "sponsorship_cancel",
    "sponsorship_invoice",
    "sponsorship_mark_paid",
    "sponsorship_request",
    "ticket_check_in",
    "ticket_update",
    "waiting_list_anonymise",
    "waiting_list_expire_offers",
    "waiting_list_join",
    "waiting_list_leave",
    "waiting_list_offer",
]
