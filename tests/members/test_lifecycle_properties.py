"""Random sequences of apply / approve / change tier / pay / time passing (renewals, grace, lapse), with what
must hold after every step: an organisation is listed exactly when its current membership is active or in
grace, an organisation that paid for today is listed, every issued invoice is paid, open or cancelled by a
credit note, and no tier holds more seats than its limit."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from members import selectors, services
from members.models import DuesPeriod, Membership, MembershipApplication, Organization
from portal.core.exceptions import ApplicationError
from portal.payments import services as payments
from portal.payments.models import Invoice, Payment
from tests.accounts.factories import UserFactory
from tests.members.factories import MembershipTierFactory, application_data

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

START = datetime.date(2027, 1, 1)
NAMES = ("Alpha", "Beta")
TIERS = ("free", "silver", "gold", "full")  # "full" has one seat

steps = st.lists(
    st.one_of(
        st.tuples(st.just("apply"), st.sampled_from(NAMES), st.sampled_from(TIERS)),
        st.tuples(st.just("approve")),  # every open application, in turn
        st.tuples(st.just("change"), st.sampled_from(NAMES), st.sampled_from(TIERS), st.booleans()),
        st.tuples(st.just("pay"), st.sampled_from(NAMES)),
        st.tuples(st.just("days"), st.sampled_from([1, 20, 100, 200, 340])),
    ),
    min_size=1,
    max_size=20,
)


def _open_payment(organization: Organization) -> Payment | None:
    """The oldest open payment of the organisation's unpaid dues that can still be paid."""
    for dues in DuesPeriod.objects.filter(membership__organization=organization, paid_at__isnull=True).order_by(
        "starts", "pk"
    ):
        for payment in dues.payments():
            if payment.status == "created" and payment.replaced_at is None:
                return payment
    return None


def _run(step, tiers):
    kind = step[0]
    organization = Organization.objects.filter(name=step[1]).first() if kind not in ("days", "approve") else None
    if kind == "apply":
        services.application_submit(
            applicant=UserFactory(), tier=tiers[step[2]], data=application_data(step[1]), agreement_accepted=True
        )
    elif kind == "approve":
        for pending in MembershipApplication.objects.filter(status__in=MembershipApplication.OPEN_STATUSES):
            try:
                with transaction.atomic():
                    services.application_approve(application=pending, actor=None)
            except ApplicationError:
                pass
    elif kind == "change" and organization is not None:
        current = services._current_membership(organization)
        if current is not None:
            services.membership_change_tier(
                membership=current, tier=tiers[step[2]], actor=UserFactory(is_superuser=True), early=step[3]
            )
    elif kind == "pay" and organization is not None:
        payment = _open_payment(organization)
        if payment is not None:
            payments._move(Payment.objects.select_for_update().get(pk=payment.pk), "succeeded")


def _check(tiers, day):
    listed = set(selectors.members_for_directory(today=day).values_list("pk", flat=True))
    for organization in Organization.objects.all():
        current = [
            m
            for m in organization.memberships.all()
            if m.status in Membership.SEAT_STATUSES and m.starts <= day and (m.ends is None or m.ends >= day)
        ]
        shown = any(m.status in Membership.PUBLIC_STATUSES for m in current)
        assert (organization.pk in listed) == shown, (organization, current)
        paid_for_today = DuesPeriod.objects.filter(
            membership__organization=organization, paid_at__isnull=False, starts__lte=day, ends__gte=day
        ).exclude(refunded_amount__gt=0)
        if paid_for_today.exists():
            assert organization.pk in listed, f"{organization} paid for {day} but is not listed"
    for invoice in Invoice.objects.filter(kind="invoice").exclude(status="draft"):
        if invoice.status == "void":
            credited = sum((note.total for note in invoice.credit_notes.all()), Decimal("0"))
            assert credited == invoice.total, invoice
        else:
            assert invoice.status in ("paid", "issued"), invoice
    for tier in tiers.values():
        if tier.seat_limit is not None:
            assert selectors.tier_seats_taken(tier=tier, today=day) <= tier.seat_limit, tier


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
# The organisation that changed tier between approval and paying, then renewed after a year.
@example(
    steps=[
        ("apply", "Alpha", "silver"),
        ("approve",),
        ("change", "Alpha", "gold", False),
        ("pay", "Alpha"),
        ("days", 340),
        ("pay", "Alpha"),
        ("days", 100),
    ]
)
# A second change the same day, before the first change's upgrade invoice is paid.
@example(
    steps=[
        ("apply", "Beta", "free"),
        ("approve",),
        ("change", "Beta", "silver", False),
        ("change", "Beta", "gold", False),
        ("pay", "Beta"),
        ("change", "Beta", "gold", False),
    ]
)
def test_no_sequence_leaves_a_paid_member_unlisted_an_invoice_unaccounted_or_a_tier_over_its_seats(steps):
    with transaction.atomic():
        tiers = {
            "free": MembershipTierFactory(slug="free", annual_fee=Decimal("0")),
            "silver": MembershipTierFactory(slug="silver", annual_fee=Decimal("25000.00")),
            "gold": MembershipTierFactory(slug="gold", annual_fee=Decimal("100000.00")),
            "full": MembershipTierFactory(slug="full", annual_fee=Decimal("50000.00"), seat_limit=1),
        }
        day = START
        with time_machine.travel(datetime.datetime(2027, 1, 1, 10, tzinfo=datetime.UTC), tick=False) as clock:
            for step in steps:
                if step[0] == "days":
                    for _ in range(step[1] // 20 or 1):  # renewals run at least every 20 days
                        day += datetime.timedelta(days=min(step[1], 20))
                        clock.move_to(datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC))
                        services.memberships_renew(today=day)
                else:
                    try:
                        with transaction.atomic():
                            _run(step, tiers)
                    except ApplicationError:
                        pass
                _check(tiers, day)
        transaction.set_rollback(True)
