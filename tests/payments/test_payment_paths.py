"""The odd payment paths: webhooks that do not match or cannot be read, disputes, and bank transfers
that arrive twice, too much or short. Each asserts what the person sees and what the ledger holds."""

import json
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from wagtail.models import ModelLogEntry

from portal.payments import services
from portal.payments.models import (
    Dispute,
    PayerReturn,
    Payment,
    PaymentMethod,
    PaymentStatus,
    RefundStatus,
    StripeEvent,
)
from tests.conftest import login_staff
from tests.payments.conftest import sign
from tests.payments.factories import OwnerFactory, transfer_received

pytestmark = pytest.mark.django_db

WEBHOOK = "/payments/stripe/webhook/"
FINANCE = "finance@openinfra.example"


def _post_event(client, event: dict | bytes):
    body = event if isinstance(event, bytes) else json.dumps(event).encode()
    return client.post(WEBHOOK, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body))


def _intent_event(payment: Payment, *, amount: int, currency: str, event_id: str, intent_id: str = "pi_paths_1"):
    return {
        "id": event_id,
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": intent_id,
                "object": "payment_intent",
                "amount": amount,
                "currency": currency,
                "status": "succeeded",
                "customer": "cus_paths",
                "latest_charge": f"ch_{intent_id}",
                "metadata": {"guildhall_payment": payment.public_id},
            }
        },
    }


def _dispute_event(payment: Payment, *, event_id: str, kind: str, status: str, amount: int, due_by: int | None = None):
    return {
        "id": event_id,
        "object": "event",
        "type": f"charge.dispute.{kind}",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": "dp_paths_1",
                "object": "dispute",
                "amount": amount,
                "currency": payment.currency.lower(),
                "charge": payment.stripe_charge_id,
                "payment_intent": payment.stripe_payment_intent_id,
                "reason": "fraudulent",
                "status": status,
                "evidence_details": {"due_by": due_by},
                "metadata": {},
            }
        },
    }


def _card_payment(owner, amount="49.00", currency="EUR") -> Payment:
    return services.payment_create(owner=owner, amount=Decimal(amount), currency=currency, payer_email=owner.email)


def _paid_by_card(client, capture_on_commit, owner, amount: str) -> Payment:
    """A card payment in euros that Stripe's signed webhook reports paid in full (fulfilled, receipt sent)."""
    payment = _card_payment(owner, amount=amount)
    with capture_on_commit(execute=True):
        _post_event(
            client, _intent_event(payment, amount=int(payment.amount * 100), currency="eur", event_id="evt_paid")
        )
    payment.refresh_from_db()
    return payment


def _transfer(owner, amount="100000.00") -> Payment:
    return services.payment_create(
        owner=owner,
        amount=Decimal(amount),
        currency="EUR",
        payer_email=owner.email,
        description="Platinum membership dues",
        method=PaymentMethod.BANK_TRANSFER,
    )


# --- webhooks checked like money -------------------------------------------------------------------


def test_a_signed_success_for_another_amount_is_held_for_finance_and_fulfils_nothing(
    client, fulfilments, finance_user, django_capture_on_commit_callbacks
):
    owner = OwnerFactory()
    payment = _card_payment(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_event(client, _intent_event(payment, amount=100, currency="usd", event_id="evt_mismatch"))
    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CREATED and payment.succeeded_at is None
    assert payment.held_reason == ("Stripe reports 1.00 USD paid for a payment of 49.00 EUR (pi_paths_1).")
    assert fulfilments.succeeded == []
    [notice] = [m for m in mail.outbox if m.to == [FINANCE]]
    assert notice.subject == "Payment held, amount mismatch: 49.00 EUR" and "1.00 USD" in notice.body
    assert not [m for m in mail.outbox if m.to == [owner.email]]  # no receipt
    # The same event again, or the reconciliation, neither fulfils nor mails again.
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            _post_event(client, _intent_event(payment, amount=100, currency="usd", event_id="evt_m2")).status_code
            == 200
        )
    assert len(mail.outbox) == 1 and fulfilments.succeeded == []
    # The payer is told it is being checked, and cannot pay again meanwhile.
    page = client.get(payment.get_absolute_url()).content.decode()
    assert "being checked by our finance team" in page and 'id="card-form"' not in page
    assert "Your payment is being checked" in client.get(payment.get_return_url()).content.decode()
    # Finance see the flag on the list and the reason on the payment.
    login_staff(client, finance_user)
    assert "Held: amount mismatch" in client.get("/admin/finance/payments/").content.decode()
    detail = client.get(f"/admin/finance/payments/{payment.pk}/").content.decode()
    assert "Held for finance" in detail and "Stripe reports 1.00 USD paid" in detail


def test_a_signed_success_for_the_exact_amount_fulfils_once(client, fulfilments, django_capture_on_commit_callbacks):
    owner = OwnerFactory()
    payment = _card_payment(owner)
    with django_capture_on_commit_callbacks(execute=True):
        _post_event(client, _intent_event(payment, amount=4900, currency="eur", event_id="evt_exact"))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and not payment.held_reason
    assert fulfilments.succeeded == [payment.pk]
    assert [m.subject for m in mail.outbox if m.to == [owner.email]] == ["Payment received: 49.00 EUR"]


def _event(**fields):
    base = {"id": "evt_shape", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_x"}}}
    base.update(fields)
    return json.dumps(base).encode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'{"id": "evt_broken", "type": "payment_intent.succ',
            "Malformed webhook payload: the body is not valid JSON.",
        ),
        (b'["evt_1"]', "Malformed webhook payload: the body is not a JSON object."),
        (
            json.dumps({"type": "payment_intent.succeeded", "data": {"object": {"id": "pi_x"}}}).encode(),
            "Malformed webhook event: it has no id.",
        ),
        (_event(id="evt_" + "x" * 97), "Malformed webhook event: its id is longer than 100 characters."),
        (_event(data="a string"), "Malformed webhook event: data.object is not an object."),
        (_event(type=None), "Malformed webhook event: it has no type."),
        (_event(data={"object": {"id": "pi_x", "amount": "49", "currency": "eur"}}), "data.object.amount is not"),
    ],
    ids=["broken-json", "not-an-object", "no-id", "id-over-100", "data-a-string", "no-type", "amount-a-string"],
)
def test_a_malformed_signed_event_is_a_400_saying_what_is_wrong_and_changes_nothing(client, body, message):
    response = client.post(WEBHOOK, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body))
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text and "signature" not in text
    assert not StripeEvent.objects.exists()


def test_a_bad_signature_is_still_called_one(client):
    body = _event(id="evt_ok")
    response = client.post(WEBHOOK, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(b"other"))
    assert response.status_code == 400 and response.content.decode() == "Invalid webhook signature."


def test_only_handled_event_types_are_stored(client):
    body = json.dumps({"id": "evt_customer", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}).encode()
    assert (
        client.post(WEBHOOK, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body)).status_code
        == 200
    )
    assert not StripeEvent.objects.exists()


# --- disputes -----------------------------------------------------------------------------------------


def test_a_dispute_shows_on_the_payment_and_a_lost_one_reverses_the_ledger(
    client, fulfilments, finance_user, django_capture_on_commit_callbacks
):
    owner = OwnerFactory()
    payment = _paid_by_card(client, django_capture_on_commit_callbacks, owner, amount="120.00")
    assert payment.status == PaymentStatus.SUCCEEDED
    mail.outbox.clear()
    due_by = int(time.time()) + 7 * 86400
    with django_capture_on_commit_callbacks(execute=True):
        created = _dispute_event(
            payment, event_id="evt_dp1", kind="created", status="needs_response", amount=12000, due_by=due_by
        )
        assert _post_event(client, created).status_code == 200
    dispute = Dispute.objects.get()
    assert (dispute.payment_id, dispute.amount, dispute.status) == (payment.pk, Decimal("120.00"), "needs_response")
    assert int(dispute.evidence_due_by.timestamp()) == due_by
    [notice] = mail.outbox
    assert notice.to == [FINANCE] and notice.subject.startswith("Card dispute (needs a response): 120.00 EUR")
    assert "Evidence due by" in notice.body and "fraudulent" in notice.body
    login_staff(client, finance_user)
    detail = client.get(f"/admin/finance/payments/{payment.pk}/").content.decode()
    assert (
        "dp_paths_1" in detail
        and "Needs a response" in detail
        and dispute.evidence_due_by.strftime("%Y-%m-%d") in detail
    )

    with django_capture_on_commit_callbacks(execute=True):
        _post_event(client, _dispute_event(payment, event_id="evt_dp2", kind="closed", status="lost", amount=12000))
        # An older "updated" delivered late does not reopen it.
        _post_event(
            client, _dispute_event(payment, event_id="evt_dp0", kind="updated", status="under_review", amount=12000)
        )
    dispute.refresh_from_db()
    payment.refresh_from_db()
    assert dispute.status == "lost" and dispute.reversed_at is not None
    assert payment.status == PaymentStatus.REFUNDED and payment.amount_refunded == Decimal("120.00")
    [reversal] = payment.refunds.all()
    assert reversal.reason == "Dispute dp_paths_1 lost (fraudulent)" and reversal.stripe_refund_id == ""
    assert fulfilments.refunded == []  # the owner is not told "refunded" (not canceled)
    lost = [m for m in mail.outbox if "(lost)" in m.subject]
    assert len(lost) == 1 and "ledger records the money as taken back" in lost[0].body
    assert not [m for m in mail.outbox if m.to == [owner.email]]


# --- bank transfers as they really are ---------------------------------------------------------------


def test_a_transfer_for_something_already_paid_by_card_becomes_a_return_task(
    client, fulfilments, finance_user, django_capture_on_commit_callbacks
):
    owner = OwnerFactory()
    card = _paid_by_card(client, django_capture_on_commit_callbacks, owner, amount="100000.00")
    wire = _transfer(owner)
    mail.outbox.clear()
    login_staff(client, finance_user)
    form = {"amount": "100000.00", "received_on": timezone.localdate().isoformat(), "reference": "NL-WIRE-0042"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/finance/payments/{wire.pk}/received/", form)
    wire.refresh_from_db()
    assert wire.is_duplicate and wire.status == PaymentStatus.REFUNDED
    assert fulfilments.succeeded == [card.pk]
    [refund] = wire.refunds.all()
    assert refund.status == RefundStatus.PENDING and refund.stripe_refund_id == ""  # no money moved yet
    [task] = PayerReturn.objects.all()
    assert (task.payment_id, task.amount, task.payer_reference, task.done_at) == (
        wire.pk,
        Decimal("100000.00"),
        "NL-WIRE-0042",
        None,
    )
    payer = [m for m in mail.outbox if m.to == [owner.email]]
    assert [m.subject for m in payer] == ["Your transfer of 100,000.00 EUR will be returned"]
    assert "back by bank transfer to the account it came from" in payer[0].body and "card" not in payer[0].body
    assert not [m for m in mail.outbox if m.subject.startswith("Payment received")]
    assert any(m.to == [FINANCE] and "returned by transfer" in m.body for m in mail.outbox)

    listing = client.get("/admin/finance/returns/").content.decode()
    assert owner.email in listing and "100,000.00" in listing and "NL-WIRE-0042" in listing and "Mark sent" in listing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/finance/returns/{task.pk}/done/", {"sent_reference": "OUT-77"}, follow=True)
    assert f"Marked sent: 100,000.00 EUR to {owner.email}." in response.content.decode()
    task.refresh_from_db()
    refund.refresh_from_db()
    assert task.done_by == finance_user and task.sent_reference == "OUT-77" and task.done_at is not None
    assert refund.status == RefundStatus.SUCCEEDED
    assert ModelLogEntry.objects.filter(action="guildhall.payer_return.done", user=finance_user).count() == 1
    assert "Mark sent" not in client.get("/admin/finance/returns/").content.decode()
    [sent] = [m for m in mail.outbox if m.subject == "100,000.00 EUR sent back to you"]
    assert sent.to == [owner.email] and "OUT-77" in sent.body and "NL-WIRE-0042" in sent.body


def test_a_surplus_transfer_pays_and_returns_the_difference(
    client, fulfilments, finance_user, django_capture_on_commit_callbacks
):
    owner = OwnerFactory()
    wire = _transfer(owner)
    with django_capture_on_commit_callbacks(execute=True):
        transfer_received(wire, "100050.00", reference="SURPLUS-1", actor=finance_user)
    wire.refresh_from_db()
    assert wire.status == PaymentStatus.SUCCEEDED and fulfilments.succeeded == [wire.pk]
    [task] = wire.payer_returns.all()
    assert (task.amount, task.refund_id, task.payer_reference) == (Decimal("50.00"), None, "SURPLUS-1")
    [receipt] = [m for m in mail.outbox if m.to == [owner.email]]
    assert receipt.subject == "Payment received: 100,050.00 EUR" and "bank transfer" in receipt.body


def test_a_short_transfer_stays_partly_paid_until_finance_write_off_the_rest(
    client, fulfilments, finance_user, django_capture_on_commit_callbacks
):
    owner = OwnerFactory()
    wire = _transfer(owner)
    login_staff(client, finance_user)
    form = {"amount": "99980.00", "received_on": timezone.localdate().isoformat(), "reference": "FEES-1"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/finance/payments/{wire.pk}/received/", form, follow=True)
    assert "partly paid, 20.00 EUR outstanding" in response.content.decode()
    wire.refresh_from_db()
    assert wire.status == PaymentStatus.CREATED and wire.amount_received == Decimal("99980.00")
    assert fulfilments.succeeded == [] and not mail.outbox
    assert "Partly paid" in client.get("/admin/finance/payments/").content.decode()
    pay_page = client.get(wire.get_absolute_url()).content.decode()
    assert "We received 99,980.00" in pay_page and "20.00" in pay_page and "still to pay" in pay_page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/finance/payments/{wire.pk}/accept-short/")
    wire.refresh_from_db()
    assert wire.status == PaymentStatus.SUCCEEDED and wire.amount_written_off == Decimal("20.00")
    assert fulfilments.succeeded == [wire.pk]
    entry = ModelLogEntry.objects.get(action="guildhall.payment.write_off")
    assert entry.user == finance_user and entry.data == {"amount": "20.00"}
    [receipt] = [m for m in mail.outbox if m.to == [owner.email]]
    assert receipt.subject == "Payment received: 99,980.00 EUR"
    assert "remaining 20.00 EUR is waived" in receipt.body.replace("\u00a0", " ")


def test_a_short_transfer_written_off_at_once_and_only_by_finance(
    fulfilments, finance_user, django_capture_on_commit_callbacks
):
    owner = OwnerFactory()
    wire = _transfer(owner)
    with pytest.raises(Exception, match="Only Finance staff"):
        transfer_received(wire, "99980.00", reference="R", actor=owner, write_off=True)
    with django_capture_on_commit_callbacks(execute=True):
        transfer_received(wire, "99980.00", reference="R", actor=finance_user, write_off=True)
    wire.refresh_from_db()
    assert (wire.status, wire.amount_received, wire.amount_written_off) == (
        PaymentStatus.SUCCEEDED,
        Decimal("99980.00"),
        Decimal("20.00"),
    )
    assert fulfilments.succeeded == [wire.pk]
