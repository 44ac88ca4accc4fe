"""The receipt as a worker sends it: its e-mails without outbox rows of their own; when the worker died
between the receipt's commit and the e-mails, or between two of them, the next run sends, once, those
not yet out."""

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


class _MailServerThatTakes:
    """Takes `left` more messages (into django.core.mail.outbox), then the worker dies: as it hands over
    the next one (`after_taking` False), or just after the server took it (True), before anything
    records that it went out."""

    left = 0
    after_taking = False

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        cls = _MailServerThatTakes
        if cls.left == 0:
            if cls.after_taking:
                mail.outbox.extend(messages)
            raise WorkerDied
        cls.left -= 1
        mail.outbox.extend(messages)
        return len(messages)


def _run_dying(settings, payment: Payment, row: OutboxMessage, *, left: int, after_taking: bool) -> None:
    mail_server = settings.GUILDHALL_EMAIL_BACKEND
    settings.GUILDHALL_EMAIL_BACKEND = f"{__name__}._MailServerThatTakes"
    _MailServerThatTakes.left, _MailServerThatTakes.after_taking = left, after_taking
    with pytest.raises(WorkerDied):
        run_as_worker(send_receipt, row.pk, payment.pk)
    settings.GUILDHALL_EMAIL_BACKEND = mail_server


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


def _the_order_s_three(payment: Payment) -> list[tuple[str, str]]:
    """What `_sent()` holds once the order's e-mails are each out once."""
    event = payment.owner.event.name
    return [
        ("ada@example.org", "Payment received"),
        ("ada@example.org", f"Your tickets for {event}"),
        ("grace@example.org", f"Your ticket for {event}"),
    ]


def test_a_worker_sends_the_receipt_and_tickets_with_no_rows_for_them(localstripe, broker_loses_messages):
    payment, row = _paid_order(localstripe)
    assert not mail.outbox

    run_as_worker(send_receipt, row.pk, payment.pk)
    assert _sent() == _the_order_s_three(payment)
    receipt = next(m for m in mail.outbox if m.subject.startswith("Payment received"))
    assert [a[0] for a in receipt.attachments] == [f"{payment.invoices.get().number}.pdf"]
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [row.pk], "no row per e-mail"
    row.refresh_from_db()
    assert row.finished_at is not None


def test_a_worker_that_died_before_the_mails_went_out_leaves_them_to_the_next_copy_which_sends_them_once(
    localstripe, broker_loses_messages, settings
):
    payment, row = _paid_order(localstripe)
    _run_dying(settings, payment, row, left=0, after_taking=False)
    payment.refresh_from_db()
    assert payment.receipt_sent_at is not None and payment.invoices.count() == 1, "the receipt's work committed"
    assert not mail.outbox
    row.refresh_from_db()
    assert row.finished_at is None, "its row is what brings the e-mails back"

    # The sweep relays the row again (or the broker redelivers the message): a worker takes that copy.
    run_as_worker(send_receipt, row.pk, payment.pk)
    assert _sent() == _the_order_s_three(payment)
    receipt = next(m for m in mail.outbox if m.subject.startswith("Payment received"))
    assert [a[0] for a in receipt.attachments] == [f"{payment.invoices.get().number}.pdf"], "the same invoice"
    assert payment.invoices.count() == 1
    row.refresh_from_db()
    assert row.finished_at is not None

    run_as_worker(send_receipt, row.pk, payment.pk)  # one more copy, after the row finished
    assert len(mail.outbox) == 3, "nothing is sent twice"


def test_a_worker_that_died_between_two_mails_leaves_the_next_copy_only_those_not_yet_out(
    localstripe, broker_loses_messages, settings
):
    payment, row = _paid_order(localstripe)
    _run_dying(settings, payment, row, left=1, after_taking=False)
    first = list(mail.outbox)
    assert len(first) == 1, "one e-mail went out before the worker died"

    run_as_worker(send_receipt, row.pk, payment.pk)
    assert _sent() == _the_order_s_three(payment), "each once: the one that was out is not sent again"
    assert mail.outbox[0] is first[0]
    row.refresh_from_db()
    assert row.finished_at is not None and payment.invoices.count() == 1


def test_a_mail_the_server_took_as_the_worker_died_comes_again_as_the_same_message(
    localstripe, broker_loses_messages, settings
):
    """Between the mail server taking a message and its record there is a moment no outbox closes: the
    next copy sends that message again, with the same Message-ID, so the reader's mail client shows it
    once; the others are not sent again."""
    payment, row = _paid_order(localstripe)
    _run_dying(settings, payment, row, left=1, after_taking=True)
    in_doubt = mail.outbox[1]

    run_as_worker(send_receipt, row.pk, payment.pk)
    assert len(mail.outbox) == 4, "the first once, the one in doubt twice, the last once"
    again = [m for m in mail.outbox if m.subject == in_doubt.subject and m.to == in_doubt.to]
    assert len(again) == 2
    assert again[0].extra_headers["Message-ID"] == again[1].extra_headers["Message-ID"]
    ids = {m.extra_headers["Message-ID"] for m in mail.outbox}
    assert len(ids) == 3, "three messages, one of them delivered twice"


def test_mails_out_before_a_worker_died_are_known_by_whom_and_what_they_are_not_by_their_place(
    localstripe, broker_loses_messages, settings
):
    """Between the runs the first attendee gives an address of her own: her ticket now goes out before
    Grace's, which was out already. The next run sends hers and the receipt, and not Grace's again."""
    payment, row = _paid_order(localstripe)
    _run_dying(settings, payment, row, left=2, after_taking=False)
    event = payment.owner.event.name
    assert _sent() == [
        ("ada@example.org", f"Your tickets for {event}"),
        ("grace@example.org", f"Your ticket for {event}"),
    ]

    ada = payment.owner.tickets.get(attendee_name="Ada Lovelace")
    ada.attendee_email = "ada.work@example.org"
    ada.save(update_fields=["attendee_email"])
    run_as_worker(send_receipt, row.pk, payment.pk)
    assert _sent() == [
        ("ada.work@example.org", f"Your ticket for {event}"),
        ("ada@example.org", "Payment received"),
        ("ada@example.org", f"Your tickets for {event}"),
        ("grace@example.org", f"Your ticket for {event}"),
    ]
