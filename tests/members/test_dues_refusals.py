"""Dues that can no longer be paid: the pay page says so, and a transfer that arrives anyway goes back
to the payer as a task for Finance, in words true to a bank transfer; a lost card dispute flags the
membership for staff instead of ending it."""

import json
import time

import pytest
from django.core import mail
from django.utils import timezone

from members import services
from members.models import Membership
from portal.payments import invoicing
from portal.payments import services as payment_services
from portal.payments.models import PayerReturn, PaymentStatus, RefundStatus
from tests.members.factories import application
from tests.payments.conftest import sign

pytestmark = pytest.mark.django_db


def test_a_transfer_for_voided_dues_is_refused_and_listed_to_return(
    client, finance_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.application_approve(application=application(payment_method="bank_transfer"), actor=None)
    dues = membership.dues_periods.get()
    invoicing.invoice_void(invoice=dues.invoice, actor=finance_user)
    payment = dues.payment
    page = client.get(payment.get_absolute_url()).content.decode()
    assert f"Invoice {dues.invoice.number} for these dues was canceled, so it can no longer be paid." in page
    assert "Pay by bank transfer" not in page

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        payment_services.payment_mark_transfer_received(
            payment=payment,
            amount=dues.amount,
            received_on=timezone.localdate(),
            reference="ACME-LATE",
            actor=finance_user,
        )
    payment.refresh_from_db()
    dues.refresh_from_db()
    membership.refresh_from_db()
    assert dues.paid_at is None and membership.status == Membership.Status.APPROVED
    assert (
        payment.refused_reason
        == f"Invoice {dues.invoice.number} for these dues was canceled before your payment arrived."
    )
    assert payment.status == PaymentStatus.REFUNDED and payment.refunds.get().status == RefundStatus.PENDING
    [task] = PayerReturn.objects.all()
    assert (task.amount, task.payer_reference) == (dues.amount, "ACME-LATE")
    [told] = [m for m in mail.outbox if m.to == [payment.payer_email]]
    assert told.subject == f"Your transfer of {payment.amount_display} will be returned"
    assert "bank transfer to the account it came from" in told.body and "card" not in told.body
    assert not [m for m in mail.outbox if m.subject.startswith("Payment received")]
    page = client.get(payment.get_return_url()).content.decode()
    assert "Your transfer will be returned" in page and "Being returned" in page


def test_a_lost_dispute_on_dues_flags_the_membership_and_keeps_it(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.application_approve(application=application(), actor=None)
    payment = membership.dues_periods.get().payment
    minor = int(payment.amount * 100)
    intent = {
        "id": "pi_dues_1",
        "object": "payment_intent",
        "amount": minor,
        "currency": payment.currency.lower(),
        "status": "succeeded",
        "latest_charge": "ch_dues_1",
        "metadata": {"guildhall_payment": payment.public_id},
    }
    dispute = {
        "id": "dp_dues_1",
        "object": "dispute",
        "amount": minor,
        "currency": payment.currency.lower(),
        "charge": "ch_dues_1",
        "payment_intent": "pi_dues_1",
        "reason": "product_not_received",
        "status": "lost",
        "evidence_details": {"due_by": int(time.time())},
    }
    for event_id, kind, obj in [
        ("evt_dues_paid", "payment_intent.succeeded", intent),
        ("evt_dues_lost", "charge.dispute.closed", dispute),
    ]:
        body = f'{{"id": "{event_id}", "type": "{kind}", "data": {{"object": {json.dumps(obj)}}}}}'
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/payments/stripe/webhook/",
                body,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=sign(body.encode()),
            )
        assert response.status_code == 200
    membership.refresh_from_db()
    payment.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE  # not silently canceled
    assert membership.flagged_reason == f"Card dispute lost: {payment.amount_display} of dues taken back"
    assert payment.status == PaymentStatus.REFUNDED and payment.amount_refunded == payment.amount
    assert payment.invoices.filter(kind="credit_note").count() == 1
    assert any("(lost)" in m.subject for m in mail.outbox)
