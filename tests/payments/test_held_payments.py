"""Finance decide on a payment held for a mismatch: refund what Stripe took, or accept it as paid.
Against localstripe, so the refund is a real one at the fake Stripe."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from wagtail.models import ModelLogEntry

from portal.payments import gateway, services
from portal.payments.models import Payment, PaymentStatus
from tests.conftest import login_staff
from tests.payments.conftest import card_token, ls_request
from tests.payments.factories import OwnerFactory

pytestmark = pytest.mark.django_db

FINANCE = "finance@openinfra.example"


def _held(localstripe, owner, *, taken_minor: int, currency: str = "EUR") -> Payment:
    """A 49.00 EUR payment whose PaymentIntent at Stripe was for another amount: held on reading it."""
    payment = services.payment_create(
        owner=owner, amount=Decimal("49.00"), currency="EUR", payer_email=owner.email, description="Summit ticket"
    )
    customer = gateway.card_customer_create(email=owner.email, token=card_token(localstripe), idempotency_key="k")
    intent = gateway.intent_create_and_confirm(
        amount_minor=taken_minor,
        currency=currency,
        customer_id=customer.customer_id,
        payment_method=customer.card_id,
        metadata={"guildhall_payment": payment.public_id},
        idempotency_key=f"held-{payment.public_id}",
    )
    Payment.objects.filter(pk=payment.pk).update(stripe_payment_intent_id=intent.id)
    services.payment_sync(payment_id=payment.pk)
    payment.refresh_from_db()
    assert payment.held_reason and payment.status == PaymentStatus.CREATED
    return payment


def _decide(client, payment, decision: str, reason: str = "Checked with the payer"):
    return client.post(
        f"/admin/finance/payments/{payment.pk}/held/", {"decision": decision, "reason": reason}, follow=True
    )


def _decide_on_commit(client, payment, decision: str, reason: str, capture) -> str:
    """Post the decision, run what it scheduled on commit; the page's text, `payment` read again."""
    with capture(execute=True):
        page = _decide(client, payment, decision, reason).content.decode()
    payment.refresh_from_db()
    return page


def _charge(localstripe, payment) -> dict:
    intent = ls_request(localstripe["url"], "GET", f"/v1/payment_intents/{payment.stripe_payment_intent_id}")
    charge = intent["latest_charge"]  # localstripe expands it
    return charge if isinstance(charge, dict) else ls_request(localstripe["url"], "GET", f"/v1/charges/{charge}")


def test_finance_refund_a_held_payment_in_its_own_currency_and_the_payer_may_pay_again(
    client, localstripe, fulfilments, finance_user, django_capture_on_commit_callbacks
):
    owner = OwnerFactory()
    payment = _held(localstripe, owner, taken_minor=100, currency="USD")
    login_staff(client, finance_user)
    detail = client.get(f"/admin/finance/payments/{payment.pk}/").content.decode()
    assert "Decide on the held payment" in detail
    mail.outbox.clear()

    page = _decide_on_commit(
        client, payment, "return", "Charged in the wrong currency", django_capture_on_commit_callbacks
    )

    assert "Refunded at Stripe; the payer is told and may pay again." in page
    assert payment.status == PaymentStatus.FAILED and not payment.held_reason
    assert payment.failure_message == "Returned by finance: Charged in the wrong currency"
    assert _charge(localstripe, payment)["amount_refunded"] == 100  # all of the 1.00 USD, in USD
    assert fulfilments.succeeded == [] and not payment.invoices.exists()
    [notice] = [m for m in mail.outbox if m.to == [owner.email]]
    assert notice.subject == "Your payment of 1.00 USD was refunded"
    assert "does not match the 49.00 EUR due" in notice.body and "Charged in the wrong currency" in notice.body
    entry = ModelLogEntry.objects.get(action="guildhall.payment.held_returned", object_id=str(payment.pk))
    assert entry.data["returned"] == "1.00 USD" and entry.data["held"].startswith("Stripe reports 1.00 USD")
    # No longer flagged; the payer can start a new payment of the right amount.
    assert "Held: amount mismatch" not in client.get("/admin/finance/payments/").content.decode()
    again = services.payment_retry(payment=payment)
    assert again.amount == Decimal("49.00") and again.status == PaymentStatus.CREATED
    # A second decision finds nothing held: no second refund.
    page = _decide(client, payment, "return").content.decode()
    assert "Only a payment held for finance" in page
    assert _charge(localstripe, payment)["amount_refunded"] == 100


def test_finance_accept_a_held_overpayment_fulfils_once_and_refund_the_surplus(
    client, localstripe, fulfilments, finance_user, django_capture_on_commit_callbacks
):
    owner = OwnerFactory()
    payment = _held(localstripe, owner, taken_minor=5000)  # 50.00 EUR for 49.00 EUR
    login_staff(client, finance_user)
    mail.outbox.clear()

    page = _decide_on_commit(
        client, payment, "accept", "Payer typed the amount by hand", django_capture_on_commit_callbacks
    )

    assert "Accepted as paid" in page
    assert payment.status == PaymentStatus.SUCCEEDED and not payment.held_reason
    assert fulfilments.succeeded == [payment.pk]
    assert _charge(localstripe, payment)["amount_refunded"] == 100  # the 1.00 EUR surplus went back
    assert [m.subject for m in mail.outbox if m.to == [owner.email]] == ["Payment received: 49.00 EUR"]
    actions = set(ModelLogEntry.objects.filter(object_id=str(payment.pk)).values_list("action", flat=True))
    assert {"guildhall.payment.held_accepted", "guildhall.payment.surplus_refunded"} <= actions


def test_a_short_held_payment_accepted_writes_the_difference_off(
    client, localstripe, fulfilments, finance_user, django_capture_on_commit_callbacks
):
    payment = _held(localstripe, OwnerFactory(), taken_minor=4800)
    login_staff(client, finance_user)
    with django_capture_on_commit_callbacks(execute=True):
        _decide(client, payment, "accept", "Bank fee, agreed")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.amount_written_off == Decimal("1.00")
    assert fulfilments.succeeded == [payment.pk]


def test_another_currency_cannot_be_accepted_and_nothing_moves(client, localstripe, fulfilments, finance_user):
    payment = _held(localstripe, OwnerFactory(), taken_minor=4900, currency="USD")
    login_staff(client, finance_user)
    page = _decide(client, payment, "accept").content.decode()
    assert "Stripe took 49.00 USD, another currency than EUR: return it instead." in page
    payment.refresh_from_db()
    assert payment.held_reason and payment.status == PaymentStatus.CREATED
    assert fulfilments.succeeded == [] and _charge(localstripe, payment)["amount_refunded"] == 0


def test_only_finance_decide_and_a_reason_is_required(client, localstripe, fulfilments, finance_user):
    payment = _held(localstripe, OwnerFactory(), taken_minor=100, currency="USD")
    staff = OwnerFactory(email="events-staff@openinfra.example", is_staff=True)
    staff.groups.add(Group.objects.get(name="Events staff"))
    login_staff(client, staff)
    assert (
        client.post(f"/admin/finance/payments/{payment.pk}/held/", {"decision": "return", "reason": "x"}).status_code
        == 403
    )
    login_staff(client, finance_user)
    page = _decide(client, payment, "return", "").content.decode()
    assert "reason: This field is required." in page
    payment.refresh_from_db()
    assert payment.held_reason and _charge(localstripe, payment)["amount_refunded"] == 0
