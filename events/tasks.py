"""Registration's Celery tasks: each takes ids, loads rows and calls one service or e-mail."""

import logging
from decimal import Decimal

from celery import shared_task

from events import contract_emails, emails, payments, services, sponsor_emails
from events.models import Order

logger = logging.getLogger(__name__)


@shared_task(name="events.expire_orders")
def expire_orders() -> int:
    """Beat, every minute: release the seats of pending orders whose hold ran out."""
    return services.orders_expire()


@shared_task(name="events.send_payment_links")
def send_payment_links() -> int:
    """Beat, every minute: unpaid orders get their link by e-mail, once."""
    return services.orders_send_payment_links()


@shared_task(name="events.send_order_payment_link", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_order_payment_link(order_id: int) -> None:
    emails.send_order_payment_link(order_id)


@shared_task(name="events.send_order_confirmation", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_order_confirmation(order_id: int) -> None:
    emails.send_order_confirmation(order_id)


@shared_task(name="events.send_ticket_to_holder", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_ticket_to_holder(ticket_id: int) -> None:
    emails.send_ticket_to_holder(ticket_id)


@shared_task(name="events.send_order_received")
def send_order_received(order_id: int) -> None:
    emails.send_order_received(order_id)


@shared_task(name="events.send_order_approved")
def send_order_approved(order_id: int) -> None:
    emails.send_order_approved(order_id)


@shared_task(name="events.send_order_canceled")
def send_order_canceled(order_id: int, refund: str | None = None) -> None:
    emails.send_order_canceled(order_id, Decimal(refund) if refund is not None else None)


@shared_task(name="events.refund_late_payment", autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def refund_late_payment(order_id: int) -> None:
    """A payment arrived after the hold ran out and the seats were gone: give the money back, tell the buyer."""
    order = Order.objects.select_related("event").get(pk=order_id)
    refunded = payments.order_refund_payments(
        order=order, amount=order.total, reason="Seats sold out before the payment arrived"
    )
    emails.send_late_payment_refunded(order_id, refunded)


@shared_task(name="events.refund_canceled_order", autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def refund_canceled_order(order_id: int, amount: str | None = None) -> None:
    """`amount`: what the cancellation gives back (the policy's fee kept); none: what is left of the payment."""
    order = Order.objects.select_related("event").get(pk=order_id)
    payments.order_refund_payments(
        order=order,
        amount=Decimal(amount) if amount is not None else order.total - order.refunded_amount,
        reason="Canceled by the buyer",
    )


@shared_task(name="events.refund_canceled_ticket", autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def refund_canceled_ticket(order_id: int, amount: str) -> None:
    order = Order.objects.select_related("event").get(pk=order_id)
    payments.order_refund_payments(order=order, amount=Decimal(amount), reason="One ticket canceled")


@shared_task(name="events.send_ticket_canceled", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_ticket_canceled(ticket_id: int, refund: str) -> None:
    emails.send_ticket_canceled(ticket_id, Decimal(refund))


@shared_task(name="events.expire_waiting_list_offers")
def expire_waiting_list_offers() -> int:
    """Beat, every minute: offers not used in time lapse and go to the next people."""
    return services.waiting_list_expire_offers()


@shared_task(name="events.send_waiting_list_joined", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_waiting_list_joined(entry_id: int) -> None:
    emails.send_waiting_list_joined(entry_id)


@shared_task(name="events.send_waiting_list_offer", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_waiting_list_offer(entry_id: int) -> None:
    emails.send_waiting_list_offer(entry_id)


@shared_task(name="events.send_sponsorship_pay_link", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_sponsorship_pay_link(sponsorship_id: int, payment_id: int) -> None:
    emails.send_sponsorship_pay_link(sponsorship_id, payment_id)


@shared_task(name="events.send_sponsorship_passes", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_sponsorship_passes(sponsorship_id: int) -> None:
    emails.send_sponsorship_passes(sponsorship_id)


@shared_task(name="events.send_sponsorship_received", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_sponsorship_received(sponsorship_id: int) -> None:
    emails.send_sponsorship_received(sponsorship_id)


@shared_task(name="events.send_sponsorship_approved", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_sponsorship_approved(sponsorship_id: int) -> None:
    emails.send_sponsorship_approved(sponsorship_id)


@shared_task(name="events.send_sponsorship_contract_ready", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_sponsorship_contract_ready(sponsorship_id: int) -> None:
    contract_emails.send_sponsorship_contract_ready(sponsorship_id)


@shared_task(
    name="events.send_sponsorship_contract_countersigned", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_sponsorship_contract_countersigned(sponsorship_id: int) -> None:
    contract_emails.send_sponsorship_contract_countersigned(sponsorship_id)


@shared_task(
    name="events.send_sponsorship_contract_signed", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_sponsorship_contract_signed(sponsorship_id: int) -> None:
    contract_emails.send_sponsorship_contract_signed(sponsorship_id)


@shared_task(
    name="events.send_sponsor_waiting_list_joined", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_sponsor_waiting_list_joined(entry_id: int) -> None:
    emails.send_sponsor_waiting_list_joined(entry_id)


@shared_task(
    name="events.send_sponsor_representation_request", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_sponsor_representation_request(request_id: int) -> None:
    emails.send_sponsor_representation_request(request_id)


@shared_task(
    name="events.send_sponsor_representation_decided", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_sponsor_representation_decided(request_id: int) -> None:
    emails.send_sponsor_representation_decided(request_id)


@shared_task(name="events.send_sponsor_benefits_released", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_sponsor_benefits_released(sponsorship_id: int, benefit_ids: list[int]) -> None:
    sponsor_emails.send_benefits_released(sponsorship_id, benefit_ids)


@shared_task(name="events.send_sponsor_benefits_withdrawn", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_sponsor_benefits_withdrawn(sponsorship_id: int, benefit_ids: list[int]) -> None:
    sponsor_emails.send_benefits_withdrawn(sponsorship_id, benefit_ids)


@shared_task(name="events.send_sponsor_benefit_fulfilled", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_sponsor_benefit_fulfilled(benefit_id: int) -> None:
    sponsor_emails.send_benefit_fulfilled(benefit_id)


@shared_task(name="events.send_sponsor_asset_received", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_sponsor_asset_received(sponsorship_id: int, what: str) -> None:
    sponsor_emails.send_asset_received(sponsorship_id, what)
