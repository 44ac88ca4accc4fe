"""Whether another payment paid the owner: the statement the pay page and the card payment run is the
ledger's definition (payments_that_paid_the_owner), for payments in every state."""

import itertools

import pytest

from portal.payments.models import PaymentStatus
from portal.payments.selectors import owner_paid_by_another, payment_for_pay_page, payments_that_paid_the_owner
from tests.payments.factories import OwnerFactory, PaymentFactory

pytestmark = pytest.mark.django_db


def _orm_answer(payment) -> bool:
    others = payments_that_paid_the_owner(payment.owner_content_type_id, payment.owner_object_id)
    return others.exclude(pk=payment.pk).exists()


def test_the_written_out_statement_answers_as_the_ledgers_definition():
    owners = [OwnerFactory() for _ in range(3)]
    shapes = itertools.product(PaymentStatus.values, [False, True], ["", "late"])
    # Each owner gets a different mix; every payment asks about its own owner.
    payments = [
        PaymentFactory(owner_obj=owners[n % 3], status=status, is_duplicate=duplicate, refused_reason=refused)
        for n, (status, duplicate, refused) in enumerate(shapes)
    ]
    payments.append(PaymentFactory(owner_obj=OwnerFactory(), status=PaymentStatus.CREATED))  # alone
    answers = [(owner_paid_by_another(p), _orm_answer(p)) for p in payments]
    assert all(mine == orm for mine, orm in answers), answers
    assert {mine for mine, _ in answers} == {True, False}, "both answers occur"
    # The pay page's read: the payment itself, and the same answer in the same statement.
    for payment, (_mine, orm) in zip(payments, answers, strict=True):
        page = payment_for_pay_page(payment.public_id)
        assert (page.pk, page.status, page._paid_by_another) == (payment.pk, payment.status, orm)


def test_a_payment_that_paid_its_owner_alone_is_not_paid_by_another():
    owner = OwnerFactory()
    paid = PaymentFactory(owner_obj=owner, status=PaymentStatus.SUCCEEDED)
    unpaid = PaymentFactory(owner_obj=owner, status=PaymentStatus.CREATED)
    assert owner_paid_by_another(paid) is False
    assert owner_paid_by_another(unpaid) is True
    assert owner_paid_by_another(PaymentFactory(owner_obj=OwnerFactory(), status=PaymentStatus.SUCCEEDED)) is False


def test_the_pay_page_of_no_payment_is_not_found():
    from django.http import Http404

    with pytest.raises(Http404):
        payment_for_pay_page("no-such-payment")
