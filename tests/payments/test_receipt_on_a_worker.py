"""The receipt as a worker sends it: its e-mails without outbox rows of their own, and sent again, once,
when the worker died between the receipt's commit and the e-mails."""

from decimal import Decimal

import pytest
from django.core import mail

from events import payments as order_payments
from events import services as order_services
from portal.core.models import OutboxMessage
from portal.payments import services
from portal.payments.models import Payment
from portal.payments.tasks import send_receipt
from tests.events.factories import TicketTypeFactory
from tests.payments.conftest import GOOD_CARD, card_token
from tests.worker_run import run_as_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.localstripe]


class WorkerDied(BaseException):
    """The worker is gone (SIGKILL) at that moment: no handler in it runs any more."""


class _DyingMailServer:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise WorkerDied


def _paid_order(localstripe) -> tuple[Payment, OutboxMessage]:
    """An order for two, one ticket for a colleague with an address of her own, paid by card while the
    broker keeps the receipt's message (as a worker is about to take it)."""
    ticket_type = TicketTypeFactory(price=Decimal("180.00"))
    order = order_services.order_create(
        event=ticket_type.event,
        quantities={ticket_type.pk: 2},
        attendees=[{"name": "Ada Lovelace"}, {"name": "Grace Hopper", "email": "grace@example.org"}],
        buyer_name="Ada Lovelace",
        buyer_email="ada@example.org",
        accepted_code_of_conduct=True,
    )
    order_payments.order_request_payment(order=order, new=True)
    payment = Payment.objects.get()
    services.payment_pay_with_card(payment=payment, token=card_token(localstripe, GOOD_CARD))
    return payment, OutboxMessage.objects.get(task_name="payments.send_receipt", finished_at__isnull=True)


def _sent() -> list[tuple[str, str]]:
    return sorted((message.to[0], message.subject.split(":")[0].split(" (")[0]) for message in mail.outbox)


def test_a_worker_sends_the_receipt_and_tickets_with_no_rows_for_them(localstripe, broker_loses_messages):
    payment, row = _paid_order(localstripe)
    assert not mail.outbox

    run_as_worker(send_receipt, row.pk, payment.pk)
    assert _sent() == [
        ("ada@example.org", "Payment received"),
        ("ada@example.org", f"Your tickets for {payment.owner.event.name}"),
        ("grace@example.org", f"Your ticket for {payment.owner.event.name}"),
    ]
    receipt = next(m for m in mail.outbox if m.subject.startswith("Payment received"))
    assert [a[0] for a in receipt.attachments] == [f"{payment.invoices.get().number}.pdf"]
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [row.pk], "no row per e-mail"
    row.refresh_from_db()
    assert row.finished_at is not None


def test_a_worker_that_died_before_the_mails_went_out_leaves_them_to_the_next_copy_which_sends_them_once(
    localstripe, broker_loses_messages, settings
):
    payment, row = _paid_order(localstripe)
    mail_server = settings.GUILDHALL_EMAIL_BACKEND
    settings.GUILDHALL_EMAIL_BACKEND = f"{__name__}._DyingMailServer"
    with pytest.raises(WorkerDied):
        run_as_worker(send_receipt, row.pk, payment.pk)
    settings.GUILDHALL_EMAIL_BACKEND = mail_server
    payment.refresh_from_db()
    assert payment.receipt_sent_at is not None and payment.invoices.count() == 1, "the receipt's work committed"
    assert not mail.outbox
    row.refresh_from_db()
    assert row.finished_at is None, "its row is what brings the e-mails back"

    # The sweep relays the row again (or the broker redelivers the message): a worker takes that copy.
    run_as_worker(send_receipt, row.pk, payment.pk)
    event = payment.owner.event.name
    assert _sent() == [
        ("ada@example.org", "Payment received"),
        ("ada@example.org", f"Your tickets for {event}"),
        ("grace@example.org", f"Your ticket for {event}"),
    ]
    receipt = next(m for m in mail.outbox if m.subject.startswith("Payment received"))
    assert [a[0] for a in receipt.attachments] == [f"{payment.invoices.get().number}.pdf"], "the same invoice"
    assert payment.invoices.count() == 1
    row.refresh_from_db()
    assert row.finished_at is not None

    run_as_worker(send_receipt, row.pk, payment.pk)  # one more copy, after the row finished
    assert len(mail.outbox) == 3, "nothing is sent twice"
