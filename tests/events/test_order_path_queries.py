"""The order journey's requests, as `make bench` makes them, each under a query budget.

Choose a ticket, give the details, place the order, open the pay page, pay by card on localstripe,
land on the return page; localstripe's webhook comes in; the receipt task sends the invoice. The
budgets are what these steps cost once slimmed: a query more on any of them fails here first.
"""

import json
import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.utils import timezone

from events.models import Order
from portal.payments.models import Invoice, InvoiceSequence, Payment, PaymentStatus, StripeEvent
from tests.events.factories import EventFactory, TicketTypeFactory
from tests.payments.conftest import GOOD_CARD, card_token, intent_event, sign

# Outside a test transaction, so each service's transaction is its own (BEGIN/COMMIT, no savepoints),
# as in the running site.
pytestmark = [pytest.mark.localstripe, pytest.mark.django_db(transaction=True)]


# What each task a step schedules costs it: the outbox row, written in the step's transaction, and
# its "relayed" mark after the commit (portal/core/outbox.py).
OUTBOX_PER_TASK = 2


def budget(queries: int, *, transactions: int = 0, capacity_lock: bool = False, tasks: int = 0) -> int:
    """The statements a step sends: its queries, BEGIN and COMMIT of each of its transactions, the outbox's
    two per task it schedules and, on PostgreSQL, the one that sets the capacity lock's timeout."""
    lock = 1 if capacity_lock and connection.vendor == "postgresql" else 0
    return queries + 2 * transactions + OUTBOX_PER_TASK * tasks + lock


@pytest.fixture
def queued(monkeypatch):
    """Tasks are queued here instead of run on the spot, so a request's budget counts the request only."""
    from celery.app.task import Task

    tasks: list = []
    monkeypatch.setattr(Task, "delay", lambda task, *args, **kwargs: tasks.append((task, args, kwargs)))
    # The outbox relays with apply_async once the transaction commits.
    monkeypatch.setattr(
        Task,
        "apply_async",
        lambda task, args=None, kwargs=None, **options: tasks.append((task, tuple(args or ()), kwargs or {})),
    )
    return tasks


def _run(tasks: list) -> None:
    """What the worker does: each queued task, and the tasks those queue."""
    while tasks:
        task, args, kwargs = tasks.pop(0)
        task.apply(args, kwargs)


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_each_step_of_the_order_journey_stays_within_its_query_budget(
    client, site_with_home, localstripe, django_assert_max_num_queries, queued
):
    event = EventFactory(slug="summit", currency="EUR")
    full = TicketTypeFactory(event=event, name="Full access", price=Decimal("749.00"), capacity=100, position=1)
    TicketTypeFactory(event=event, name="Student", price=Decimal("99.00"), capacity=10, position=2)
    register = "/events/summit/register/"
    # As in a running process: the site's settings and footer cached, Django's content types known.
    client.get(register)
    for model in (Order, Payment, Invoice):
        ContentType.objects.get_for_model(model, for_concrete_model=False)
    InvoiceSequence.objects.create(series="INV", year=timezone.localdate().year)  # the year's first invoice was issued

    with django_assert_max_num_queries(2):  # the event; its ticket types with the seats left, in one query
        choose = client.get(register)
    assert choose.status_code == 200 and "100 left" in choose.content.decode()

    # The ticket types with their event (no seat count before the lock); the tax rules, cached from then on.
    with django_assert_max_num_queries(2):
        details = client.get(register, {"step": "details", f"qty_{full.pk}": "1"})
    assert details.status_code == 200 and "Continue to payment" in details.content.decode()

    data = {
        "step": "place",
        f"qty_{full.pk}": "1",
        "promo_code": "",
        "buyer_name": "Ada Lovelace",
        "buyer_email": "ada@example.org",
        "attendee_1_name": "Ada Lovelace",
        "accept_code_of_conduct": "on",
        "csrfmiddlewaretoken": _csrf(details.content.decode()),
    }
    # The types with their event; the lock (+ its timeout), the count; the order, its line, its ticket,
    # its audit row; the payment and its audit row.
    with django_assert_max_num_queries(budget(9, transactions=2, capacity_lock=True)):
        placed = client.post(register, data)
    payment = Payment.objects.get()
    assert placed.status_code == 302 and placed["Location"] == payment.get_absolute_url()

    # The payment (a card payment shows no invoice here); what it is for and whether another payment
    # paid it already: a page never offers to pay what cannot be fulfilled.
    with django_assert_max_num_queries(3):
        pay_page = client.get(payment.get_absolute_url())
    assert pay_page.status_code == 200 and 'id="card-form"' in pay_page.content.decode()

    token = card_token(localstripe, GOOD_CARD)
    # The payment, then locked; its update; the order locked as the owner (its service reads it from
    # there), "already paid?", the order updated; the payment's invoices; one audit insert.
    with django_assert_max_num_queries(budget(8, transactions=1, tasks=1)):
        paid = client.post(f"/payments/{payment.public_id}/card/", {"token": token})
    assert paid.status_code == 302 and paid["Location"] == payment.get_return_url()
    assert Order.objects.get().status == Order.Status.PAID
    assert not mail.outbox, "the confirmation and the receipt are sent by tasks, after the commit"

    with django_assert_max_num_queries(3):  # the payment, its invoice's number, the order with its event
        landed = client.get(payment.get_return_url())
    assert "Thank you: payment received" in landed.content.decode()
    assert "You are registered for" in landed.content.decode()

    # The one task the payment enqueued: the invoice, the tickets and the receipt (one batch of audit rows).
    assert [task.name for task, *_ in queued] == ["payments.send_receipt"]
    # The payment locked, with its invoices (none yet); the order, its lines, its tickets; the invoice issued
    # already paid in one service (its number taken in one update of the year's sequence, the invoice and
    # its lines inserted, no savepoint; the PDF reads the lines it inserted); the payment; one audit insert.
    # Its two e-mails (the receipt, the tickets) go out as tasks of their own, through the outbox.
    with django_assert_max_num_queries(budget(10, transactions=1, tasks=2)):
        _run(queued)
    receipt = next(m for m in mail.outbox if m.subject.startswith("Payment received"))
    assert [name for name, *_ in receipt.attachments] == [f"{payment.invoices.get().number}.pdf"]
    assert any("Your tickets" in m.subject for m in mail.outbox)
    number = payment.invoices.get().number
    with django_assert_max_num_queries(3):  # as before: the payment, its invoice's number, the order
        assert f"Invoice {number}" in client.get(payment.get_return_url()).content.decode()

    payment.refresh_from_db()
    intent = {"id": payment.stripe_payment_intent_id, "status": "succeeded", "amount": 74900, "currency": "eur"}
    body = intent_event(intent, event_type="payment_intent.succeeded", event_id="evt_journey")
    # Stripe's news of a success the card form recorded already: the payment looked up, the event
    # stored as processed; no task, since processing it could change nothing.
    with django_assert_max_num_queries(budget(2, transactions=1)):
        hook = client.post(
            "/payments/stripe/webhook/", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body)
        )
    assert hook.status_code == 200 and not queued
    stored = StripeEvent.objects.get(event_id="evt_journey")
    assert stored.processed_at is not None and stored.payment_id == payment.pk
    noise = json.dumps({"id": "evt_customer", "object": "event", "type": "customer.created", "data": {"object": {}}})
    with django_assert_max_num_queries(0):  # a type that never moves a payment: answered, not stored
        hook = client.post(
            "/payments/stripe/webhook/",
            noise,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=sign(noise.encode()),
        )
    assert hook.status_code == 200 and not StripeEvent.objects.filter(event_id="evt_customer").exists()
    assert Payment.objects.get().status == PaymentStatus.SUCCEEDED
