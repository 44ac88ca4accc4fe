"""The ledger's services against the suite's localstripe: one PaymentIntent, fulfilled once, never backwards."""

import json
from decimal import Decimal

import pytest
from django.core import mail
from wagtail.models import ModelLogEntry

from portal.core import outbox
from portal.core.models import OutboxMessage
from portal.payments import gateway, services
from portal.payments.exceptions import (
    BelowMinimumCharge,
    PaymentDeclined,
    PaymentError,
    PaymentNotPayable,
    PaymentServiceUnavailable,
    RefundTooLarge,
)
from portal.payments.models import ALLOWED_TRANSITIONS, Payment, PaymentMethod, PaymentStatus, StripeEvent
from tests.conftest import free_port
from tests.payments.conftest import (
    DECLINED_CARD,
    GOOD_CARD,
    THREE_D_SECURE_CARD,
    authenticate_3ds,
    card_token,
    intent_event,
    intents_for,
    ls_request,
)
from tests.payments.factories import OwnerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.localstripe]
S = PaymentStatus


def _create(owner, amount="120.00", currency="EUR", **kwargs) -> Payment:
    return services.payment_create(
        owner=owner, amount=Decimal(amount), currency=currency, payer_email=owner.email, description="Ticket", **kwargs
    )


@pytest.fixture
def owner():
    return OwnerFactory()


# --- creating -----------------------------------------------------------------------------


def test_create_gives_an_unguessable_pay_page(fulfilments, owner):
    payment = _create(owner)
    other = _create(OwnerFactory())
    assert payment.owner == owner
    assert payment.status == S.CREATED
    assert len(payment.public_id) >= 24 and payment.public_id != other.public_id
    assert payment.get_absolute_url() == f"/payments/{payment.public_id}/"
    assert ModelLogEntry.objects.filter(action="guildhall.payment.create", object_id=str(payment.pk)).exists()


@pytest.mark.parametrize("amount", ["0", "0.00", "-5"])
def test_free_or_negative_amounts_never_become_payments(fulfilments, owner, amount):
    with pytest.raises(PaymentError, match="Nothing to pay"):
        _create(owner, amount=amount)
    assert not Payment.objects.exists()


def test_minimum_charge_is_enforced_by_us(fulfilments, owner):
    with pytest.raises(BelowMinimumCharge, match="0.50 EUR"):
        _create(owner, amount="0.49")
    with pytest.raises(BelowMinimumCharge, match="50 JPY"):
        _create(owner, amount="49", currency="JPY")
    assert _create(owner, amount="50", currency="JPY").amount == Decimal("50")
    # A bank transfer has no card minimum.
    assert _create(owner, amount="0.10", method=PaymentMethod.BANK_TRANSFER).amount == Decimal("0.10")


def test_amount_finer_than_the_currency_is_refused(fulfilments, owner):
    with pytest.raises(PaymentError):
        _create(owner, amount="500.5", currency="JPY")


def test_an_owner_type_nobody_registered_cannot_be_paid_for(owner):
    with pytest.raises(ValueError, match="registered"):
        _create(owner)


def test_transitions_never_lead_back_from_succeeded():
    assert S.PROCESSING not in ALLOWED_TRANSITIONS[S.SUCCEEDED]
    assert S.FAILED not in ALLOWED_TRANSITIONS[S.SUCCEEDED]
    assert ALLOWED_TRANSITIONS[S.REFUNDED] == frozenset()
    assert set(ALLOWED_TRANSITIONS) == set(S.values)


# --- paying by card --------------------------------------------------------------------------


def test_card_payment_succeeds_and_fulfils_once(localstripe, fulfilments, owner):
    payment = _create(owner)
    paid = services.payment_pay_with_card(payment=payment, token=card_token(localstripe, GOOD_CARD))
    assert paid.status == S.SUCCEEDED
    assert paid.stripe_payment_intent_id.startswith("pi_")
    assert paid.stripe_charge_id.startswith("ch_")
    assert paid.stripe_customer_id.startswith("cus_")
    assert paid.succeeded_at is not None
    assert fulfilments.succeeded == [payment.pk]
    [intent] = intents_for(localstripe, payment)
    assert intent["amount"] == 12000 and intent["currency"] == "eur"
    # Posting again (a double click, a reload) reads back the same intent: no second charge, no second fulfilment.
    again = services.payment_pay_with_card(payment=payment, token=card_token(localstripe, GOOD_CARD))
    assert again.stripe_payment_intent_id == paid.stripe_payment_intent_id
    assert len(intents_for(localstripe, payment)) == 1
    assert fulfilments.succeeded == [payment.pk]


def test_yen_is_sent_in_whole_yen(localstripe, fulfilments, owner):
    payment = _create(owner, amount="5000", currency="JPY")
    services.payment_pay_with_card(payment=payment, token=card_token(localstripe))
    [intent] = intents_for(localstripe, payment)
    assert (intent["amount"], intent["currency"]) == (5000, "jpy")


def test_declined_card_fails_with_the_banks_message_and_a_retry_succeeds(localstripe, fulfilments, owner):
    payment = _create(owner)
    with pytest.raises(PaymentDeclined) as declined:
        services.payment_pay_with_card(payment=payment, token=card_token(localstripe, DECLINED_CARD))
    assert declined.value.message == "Your card was declined."
    payment.refresh_from_db()
    assert payment.status == S.FAILED
    assert payment.failure_message == "Your card was declined."
    assert fulfilments.succeeded == []
    # The failed payment cannot be paid again; the payer tries again with a new payment for the same owner.
    with pytest.raises(PaymentNotPayable):
        services.payment_pay_with_card(payment=payment, token=card_token(localstripe, GOOD_CARD))
    retry = services.payment_retry(payment=payment)
    assert retry.pk != payment.pk and retry.owner == owner and retry.amount == payment.amount
    services.payment_pay_with_card(payment=retry, token=card_token(localstripe, GOOD_CARD))
    retry.refresh_from_db()
    assert retry.status == S.SUCCEEDED
    assert fulfilments.succeeded == [retry.pk]
    with pytest.raises(PaymentNotPayable, match="already been paid"):
        services.payment_retry(payment=payment)


def test_three_d_secure_waits_for_the_payer_then_syncs(localstripe, fulfilments, owner):
    payment = _create(owner)
    payment = services.payment_pay_with_card(payment=payment, token=card_token(localstripe, THREE_D_SECURE_CARD))
    assert payment.status == S.REQUIRES_ACTION
    assert services.payment_client_secret(payment=payment).startswith(payment.stripe_payment_intent_id)
    assert fulfilments.succeeded == []
    authenticate_3ds(localstripe, payment.stripe_payment_intent_id)
    synced = services.payment_sync(payment_id=payment.pk)
    assert synced.status == S.SUCCEEDED
    assert fulfilments.succeeded == [payment.pk]


def test_failed_authentication_ends_failed(localstripe, fulfilments, owner):
    payment = services.payment_pay_with_card(payment=_create(owner), token=card_token(localstripe, THREE_D_SECURE_CARD))
    authenticate_3ds(localstripe, payment.stripe_payment_intent_id, success=False)
    synced = services.payment_sync(payment_id=payment.pk)
    assert synced.status == S.FAILED
    assert synced.failure_message
    assert fulfilments.succeeded == []


def test_stripe_unreachable_marks_nothing(settings, fulfilments, owner, localstripe):
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    payment = _create(owner)
    with pytest.raises(PaymentServiceUnavailable) as error:
        services.payment_pay_with_card(payment=payment, token="tok_unused")
    assert error.value.message == "The payment service is unavailable, please try again in a few minutes."
    payment.refresh_from_db()
    assert payment.status == S.CREATED and payment.stripe_payment_intent_id == ""
    assert fulfilments.succeeded == []


# --- events -------------------------------------------------------------------------------------


def _paid(localstripe, owner) -> Payment:
    payment = _create(owner)
    return services.payment_pay_with_card(payment=payment, token=card_token(localstripe, GOOD_CARD))


def test_a_late_event_never_moves_a_payment_backwards(
    localstripe, fulfilments, owner, django_capture_on_commit_callbacks
):
    payment = _paid(localstripe, owner)
    intent = ls_request(localstripe["url"], "GET", f"/v1/payment_intents/{payment.stripe_payment_intent_id}")
    for n, (status, kind) in enumerate(
        [("processing", "payment_intent.processing"), ("requires_payment_method", "payment_intent.payment_failed")]
    ):
        event = json.loads(intent_event({**intent, "status": status}, event_type=kind, event_id=f"evt_late_{n}"))
        with django_capture_on_commit_callbacks(execute=True):
            stored, created = services.stripe_event_record(event=event)
        assert created
        stored.refresh_from_db()
        assert stored.processed_at is not None and stored.payment_id == payment.pk
    payment.refresh_from_db()
    assert payment.status == S.SUCCEEDED
    assert fulfilments.succeeded == [payment.pk]


def test_an_event_for_an_intent_we_do_not_know_is_stored_and_ignored(fulfilments, django_capture_on_commit_callbacks):
    intent = {"id": "pi_unknown", "status": "succeeded", "amount": 100}
    event = json.loads(intent_event(intent, event_type="payment_intent.succeeded"))
    with django_capture_on_commit_callbacks(execute=True):
        stored, _ = services.stripe_event_record(event=event)
    stored.refresh_from_db()
    assert stored.processed_at is not None and stored.payment is None
    assert fulfilments.succeeded == []


def test_news_of_a_success_already_recorded_is_stored_processed_without_a_task(
    localstripe, fulfilments, owner, django_capture_on_commit_callbacks
):
    payment = _paid(localstripe, owner)
    intent = ls_request(localstripe["url"], "GET", f"/v1/payment_intents/{payment.stripe_payment_intent_id}")
    event = json.loads(intent_event(intent, event_type="payment_intent.succeeded", event_id="evt_known"))
    with django_capture_on_commit_callbacks() as callbacks:
        stored, created = services.stripe_event_record(event=event)
    assert created and not callbacks, "nothing left for a task to do"
    assert stored.processed_at is not None and stored.payment_id == payment.pk
    assert fulfilments.succeeded == [payment.pk], "fulfilled once, by the card form"


def test_processing_an_event_twice_applies_it_once(localstripe, fulfilments, owner):
    payment = services.payment_pay_with_card(payment=_create(owner), token=card_token(localstripe, THREE_D_SECURE_CARD))
    authenticate_3ds(localstripe, payment.stripe_payment_intent_id)
    intent = ls_request(localstripe["url"], "GET", f"/v1/payment_intents/{payment.stripe_payment_intent_id}")
    event = json.loads(intent_event(intent, event_type="payment_intent.succeeded", event_id="evt_twice"))
    stored, _ = services.stripe_event_record(event=event)  # stored; its task not run yet
    services.stripe_event_process(event_pk=stored.pk)
    services.stripe_event_process(event_pk=stored.pk)
    assert services.stripe_event_record(event=event)[1] is False
    assert StripeEvent.objects.filter(event_id="evt_twice").count() == 1
    payment.refresh_from_db()
    assert payment.status == S.SUCCEEDED
    assert fulfilments.succeeded == [payment.pk]


def test_a_receipt_relayed_again_after_it_went_out_is_not_sent_twice(
    localstripe, fulfilments, owner, django_capture_on_commit_callbacks
):
    # The receipt task skips the outbox's "finished already?" query (it is keyed on receipt_sent_at),
    # so a redelivered or swept copy must find the receipt sent under the payment's lock.
    with django_capture_on_commit_callbacks(execute=True):
        payment = services.payment_pay_with_card(payment=_create(owner), token=card_token(localstripe, GOOD_CARD))
    row = OutboxMessage.objects.get(task_name="payments.send_receipt")
    assert row.finished_at is not None
    receipts = [m for m in mail.outbox if m.subject.startswith("Payment received")]
    assert len(receipts) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.relay(row.pk, row.task_name, row.args, row.kwargs)
    assert [m for m in mail.outbox if m.subject.startswith("Payment received")] == receipts
    payment.refresh_from_db()
    assert payment.receipt_sent_at is not None


# --- a second success for an owner already paid ----------------------------------------------------


def test_second_success_for_a_paid_owner_is_refunded_and_staff_told(
    localstripe, fulfilments, owner, django_capture_on_commit_callbacks
):
    first = services.payment_pay_with_card(payment=_create(owner), token=card_token(localstripe, THREE_D_SECURE_CARD))
    second = _create(owner)  # e.g. the payer opened the pay page twice
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_pay_with_card(payment=second, token=card_token(localstripe, GOOD_CARD))
    authenticate_3ds(localstripe, first.stripe_payment_intent_id)
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_sync(payment_id=first.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.status == S.SUCCEEDED and not second.is_duplicate
    assert first.is_duplicate and first.status == S.REFUNDED and first.amount_refunded == first.amount
    assert fulfilments.succeeded == [second.pk]
    assert fulfilments.refunded == []  # the owner keeps what the other payment paid for
    [refund] = first.refunds.all()
    assert refund.stripe_refund_id.startswith("re_")
    [staff_mail] = [m for m in mail.outbox if m.to == ["finance@openinfra.example"]]
    assert "Duplicate payment given back" in staff_mail.subject and "refunded to the card" in staff_mail.body
    payer_mail = [m for m in mail.outbox if m.to == [owner.email]]
    # One receipt for the payment kept, one notice for the duplicate: no receipt for it.
    assert [m.subject for m in payer_mail] == ["Payment received: 120.00 EUR", "Your payment of 120.00 EUR is refunded"]
    assert "already been paid" in payer_mail[1].body and "refunded to your card" in payer_mail[1].body


# --- refunds ---------------------------------------------------------------------------------------


def test_partial_then_full_refund(localstripe, fulfilments, owner, admin_user):
    payment = _paid(localstripe, owner)
    services.payment_refund(payment=payment, amount=Decimal("20.00"), reason="Workshop cancelled", actor=admin_user)
    payment.refresh_from_db()
    assert payment.status == S.PARTIALLY_REFUNDED and payment.amount_refunded == Decimal("20.00")
    with pytest.raises(RefundTooLarge, match="100.00 EUR"):
        services.payment_refund(payment=payment, amount=Decimal("100.01"), reason="Too much", actor=admin_user)
    services.payment_refund(payment=payment, amount=Decimal("100.00"), reason="Event cancelled", actor=admin_user)
    payment.refresh_from_db()
    assert payment.status == S.REFUNDED and payment.amount_refunded == payment.amount
    assert fulfilments.refunded == [(payment.pk, "20.00"), (payment.pk, "100.00")]
    charge = ls_request(localstripe["url"], "GET", f"/v1/charges/{payment.stripe_charge_id}")
    assert charge["amount_refunded"] == 12000
    assert ModelLogEntry.objects.filter(action="guildhall.refund.create", object_id=str(payment.pk)).count() == 2


def test_refund_of_an_unpaid_payment_is_refused(fulfilments, owner):
    payment = _create(owner)
    with pytest.raises(PaymentNotPayable):
        services.payment_refund(payment=payment, amount=Decimal("1.00"), reason="x", actor=None)


def test_gateway_pins_the_api_version(localstripe):
    assert gateway.client()._requestor._options.stripe_version == gateway.API_VERSION


# --- fulfilment inside the transaction, lost answers, task retries -------------------------------------


def test_fulfilment_runs_inside_the_transaction_that_records_success(localstripe, owner):
    from portal.payments import registry

    def broken(payment):
        raise RuntimeError("the owner's app failed")

    registry.register("portal.User", on_succeeded=broken)
    try:
        payment = services.payment_pay_with_card(
            payment=_create(owner), token=card_token(localstripe, THREE_D_SECURE_CARD)
        )
        authenticate_3ds(localstripe, payment.stripe_payment_intent_id)
        with pytest.raises(RuntimeError):
            services.payment_sync(payment_id=payment.pk)
        payment.refresh_from_db()
        assert payment.status == S.REQUIRES_ACTION, "no success is recorded without its fulfilment"
    finally:
        registry.unregister("portal.User")


def test_an_intent_whose_answer_was_lost_is_adopted_from_its_event(
    localstripe, fulfilments, owner, django_capture_on_commit_callbacks
):
    payment = _create(owner)
    # Our create call reached Stripe but its answer never came back: we stored no intent id.
    customer = gateway.card_customer_create(email=owner.email, token=card_token(localstripe), idempotency_key="k")
    intent = gateway.intent_create_and_confirm(
        amount_minor=12000,
        currency="EUR",
        customer_id=customer.customer_id,
        payment_method=customer.card_id,
        metadata={services.METADATA_KEY: payment.public_id},
        idempotency_key="k2",
    )
    raw = ls_request(localstripe["url"], "GET", f"/v1/payment_intents/{intent.id}")
    event = json.loads(intent_event(raw, event_type="payment_intent.succeeded", event_id="evt_adopt"))
    with django_capture_on_commit_callbacks(execute=True):
        services.stripe_event_record(event=event)
    payment.refresh_from_db()
    assert payment.stripe_payment_intent_id == intent.id and payment.status == S.SUCCEEDED
    assert fulfilments.succeeded == [payment.pk]


def test_tasks_retry_while_stripe_is_unavailable(localstripe, fulfilments, owner, monkeypatch):
    from celery.exceptions import Retry

    from portal.payments import tasks

    payment = services.payment_pay_with_card(payment=_create(owner), token=card_token(localstripe, THREE_D_SECURE_CARD))
    authenticate_3ds(localstripe, payment.stripe_payment_intent_id)
    real_retrieve = gateway.intent_retrieve

    def unavailable(intent_id):
        raise PaymentServiceUnavailable()

    monkeypatch.setattr(gateway, "intent_retrieve", unavailable)
    with pytest.raises(Retry, match=r"Retry in \d+s"):  # scheduled again with backoff, not failed
        tasks.sync_payment.apply(args=[payment.pk])
    payment.refresh_from_db()
    assert payment.status == S.REQUIRES_ACTION and fulfilments.succeeded == []
    monkeypatch.setattr(gateway, "intent_retrieve", real_retrieve)
    tasks.sync_payment.apply(args=[payment.pk])
    payment.refresh_from_db()
    assert payment.status == S.SUCCEEDED
    assert fulfilments.succeeded == [payment.pk]


def test_real_stripe_gets_a_return_url_and_localstripe_does_not(settings, monkeypatch):
    sent = []

    class FakeClient:
        def raw_request(self, method, path, **params):
            sent.append((method, path, params))
            raise gateway.stripe.APIConnectionError("offline")

    monkeypatch.setattr(gateway, "client", lambda: FakeClient())
    arguments = {
        "amount_minor": 100,
        "currency": "EUR",
        "customer_id": "cus_1",
        "payment_method": "card_1",
        "metadata": {},
        "idempotency_key": "guildhall-intent-x",
        "return_url": "https://portal.example/payments/x/return/",
    }
    for base in ("https://api.stripe.com", "http://127.0.0.1:8420"):
        settings.STRIPE_API_BASE = base
        with pytest.raises(PaymentServiceUnavailable):
            gateway.intent_create_and_confirm(**arguments)
    (method, path, stripe_params), (_, _, local_params) = sent
    assert (method, path) == ("post", "/v1/payment_intents")
    assert stripe_params["return_url"] == arguments["return_url"] and stripe_params["currency"] == "eur"
    assert stripe_params["idempotency_key"] == "guildhall-intent-x" and local_params["idempotency_key"]
    assert "return_url" not in local_params and "payment_method_types" not in stripe_params


def test_stripe_calls_go_through_the_proxy_of_the_environment_unless_stripe_is_exempt(monkeypatch):
    """The proxy settings are read once, when the client is made (not on every call); NO_PROXY counts."""
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    through_proxy = gateway._http_client("https://api.stripe.com")
    assert through_proxy._proxy["https"] == "http://proxy.internal:3128"
    assert through_proxy._session.trust_env is False
    assert gateway._http_client("http://127.0.0.1:8420")._proxy is None
