"""Writes for registration, one module per concern; callers import `events.services` and read the same names."""

from events.services.contract_signing import (
    sponsorship_contract_countersign,
    sponsorship_contract_sign,
    sponsorship_contract_upload,
)
from events.services.contracts import sponsorship_contract_generate, sponsorship_invoice_waits_for_contract
from events.services.orders import (
    order_approve,
    order_create,
    order_flag,
    order_late_payment_reason,
    order_payment_refunded,
    order_payment_refusal,
    order_payment_succeeded,
    orders_expire,
    orders_send_payment_links,
)
from events.services.pricing import Quote, QuoteLine, order_quote, order_validate
from events.services.refunds import order_refund
from events.services.seats import BUSY, SPONSORS_BUSY, Capacity
from events.services.sponsorships import (
    sponsor_organization_create,
    sponsor_waiting_list_join,
    sponsorship_apply_as_new_organization,
    sponsorship_approve,
    sponsorship_cancel,
    sponsorship_cancellable,
    sponsorship_invoice,
    sponsorship_mark_paid,
    sponsorship_request,
)
from events.services.tickets import (
    RefundQuote,
    cancellation_quote,
    order_can_cancel,
    order_cancel,
    ticket_can_cancel,
    ticket_cancel,
    ticket_check_in,
    ticket_update,
)
from events.services.waiting_list import (
    ticket_type_seats_added,
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
    "RefundQuote",
    "SPONSORS_BUSY",
    "cancellation_quote",
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
    "orders_send_payment_links",
    "sponsor_waiting_list_join",
    "sponsorship_approve",
    "sponsorship_cancel",
    "sponsorship_cancellable",
    "sponsorship_contract_countersign",
    "sponsorship_contract_generate",
    "sponsorship_contract_sign",
    "sponsorship_contract_upload",
    "sponsorship_invoice_waits_for_contract",
    "sponsorship_apply_as_new_organization",
    "sponsor_organization_create",
    "sponsorship_invoice",
    "sponsorship_mark_paid",
    "sponsorship_request",
    "ticket_can_cancel",
    "ticket_cancel",
    "ticket_check_in",
    "ticket_type_seats_added",
    "ticket_update",
    "waiting_list_anonymise",
    "waiting_list_expire_offers",
    "waiting_list_join",
    "waiting_list_leave",
    "waiting_list_offer",
]
