"""Tier changes as money: the quote, an upgrade's pro-rata invoice, a downgrade at renewal, Finance's early
downgrade credited on the renewal, and a change before the first dues are paid."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.test import Client

from members import selectors, services
from members.exceptions import MembershipError, TierFull
from members.manage import services as manage_services
from members.manage.exceptions import NotAllowed
from members.models import DuesCredit, DuesPeriod, Membership, OrganizationRole
from members.tier_changes import Change, prorata, tier_change_quote
from portal.payments import services as payments
from portal.payments.models import Invoice, Payment
from tests.accounts.factories import UserFactory
from tests.members.factories import MembershipTierFactory, application

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def _at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10), tzinfo=UTC), tick=False)


def pay(payment: Payment) -> None:
    """The payment succeeds, as the webhook or the return page would record it."""
    from django.db import transaction

    with transaction.atomic():
        payments._move(Payment.objects.select_for_update().get(pk=payment.pk), "succeeded")


def listed_tier(organization) -> str | None:
    row = selectors.members_for_directory().filter(pk=organization.pk).first()
    return row.tier_slug if row else None


@pytest.fixture
def tiers():
    return {
        "associate": MembershipTierFactory(name="Associate", slug="associate", rank=40, annual_fee=Decimal("0")),
        "silver": MembershipTierFactory(name="Silver", slug="silver", rank=30, annual_fee=Decimal("25000.00")),
        "gold": MembershipTierFactory(name="Gold", slug="gold", rank=20, annual_fee=Decimal("100000.00")),
        "platinum": MembershipTierFactory(
            name="Platinum", slug="platinum", rank=10, annual_fee=Decimal("350000.00"), seat_limit=2
        ),
    }


def joined(tier, *, on: datetime.date, name: str = "Delta Data", paid: bool = True, method: str = "card") -> Membership:
    """An organisation approved at `tier` on `on`, its first year paid (or not)."""
    admin = UserFactory(email=f"admin@{name.lower().replace(' ', '')}.example")
    with _at(on):
        membership = services.application_approve(
            application=application(applicant=admin, tier=tier, name=name, payment_method=method), actor=None
        )
        if paid and membership.dues_periods.get().payment is not None:
            pay(membership.dues_periods.get().payment)
    membership.refresh_from_db()
    return membership


def approve_change(membership, tier, *, on: datetime.date, actor=None, early: bool = False) -> Membership:
    admin = OrganizationRole.objects.filter(organization=membership.organization, role="admin").first().user
    with _at(on):
        change = manage_services.tier_change_request(organization=membership.organization, tier=tier, actor=admin)
        staff = actor or UserFactory(is_superuser=True)
        return manage_services.tier_change_approve(change_request=change, actor=staff, early=early)


# --- The rule ---------------------------------------------------------------------------


def test_prorata_rounds_half_up_once_to_the_minor_unit():
    assert prorata(Decimal("10.00"), days_left=1, days_in_period=16, currency="USD") == Decimal("0.63")
    assert prorata(Decimal("1000"), days_left=1, days_in_period=16, currency="JPY") == Decimal("63")
    assert prorata(Decimal("75000.00"), days_left=100, days_in_period=365, currency="USD") == Decimal("20547.95")


@pytest.mark.parametrize(
    ("today", "days_left", "amount"),
    [
        # The paid year 2 March 2027 – 1 March 2028 holds 29 February 2028: 366 days.
        (datetime.date(2027, 3, 2), 366, Decimal("75000.00")),  # its first day: the whole difference
        (datetime.date(2028, 3, 1), 1, Decimal("204.92")),  # its last day: 75,000 / 366
        (datetime.date(2028, 2, 29), 2, Decimal("409.84")),
        (datetime.date(2027, 9, 1), 183, Decimal("37500.00")),
    ],
)
def test_an_upgrade_costs_the_difference_for_the_days_left_of_a_leap_year(tiers, today, days_left, amount):
    membership = joined(tiers["silver"], on=datetime.date(2027, 3, 2))
    quote = tier_change_quote(membership=membership, tier=tiers["gold"], today=today)
    assert (quote.kind, quote.days_in_period, quote.days_left, quote.amount) == (
        Change.UPGRADE,
        366,
        days_left,
        amount,
    )
    assert f"{quote.days_left} of 366 days left" in quote.summary


def test_in_a_common_year_the_period_has_365_days(tiers):
    membership = joined(tiers["silver"], on=datetime.date(2026, 1, 1))
    quote = tier_change_quote(membership=membership, tier=tiers["gold"], today=datetime.date(2026, 12, 31))
    assert (quote.days_in_period, quote.days_left, quote.amount) == (365, 1, Decimal("205.48"))


def test_a_downgrade_starts_at_the_renewal_and_says_so(tiers):
    membership = joined(tiers["gold"], on=datetime.date(2026, 1, 1))
    quote = tier_change_quote(membership=membership, tier=tiers["silver"], today=datetime.date(2026, 7, 1))
    assert (quote.kind, quote.amount, quote.effective_on) == (Change.DOWNGRADE, 0, datetime.date(2027, 1, 1))
    assert "from the next renewal, on 01 January 2027" in quote.summary
    early = tier_change_quote(membership=membership, tier=tiers["silver"], today=datetime.date(2026, 7, 1), early=True)
    # 75,000 × 184 / 365, credited.
    assert (early.kind, early.credit) == (Change.EARLY_DOWNGRADE, Decimal("37808.22"))


# --- Change before paying -----------------------------------------------------------------


def test_an_approved_organisation_that_changes_tier_before_paying_becomes_a_member_when_it_pays(tiers):
    silver = joined(tiers["silver"], on=datetime.date(2026, 6, 1), paid=False)
    first = silver.dues_periods.get()
    old_payment, old_invoice = first.payment, first.invoice
    gold = approve_change(silver, tiers["gold"], on=datetime.date(2026, 6, 3))

    assert gold.status == Membership.Status.APPROVED and gold.tier.slug == "gold"
    old_invoice.refresh_from_db()
    old_payment.refresh_from_db()
    [note] = old_invoice.credit_notes.all()
    assert (old_invoice.status, note.total, note.kind) == ("void", old_invoice.total, "credit_note")
    new_dues = gold.dues_periods.get()
    assert (new_dues.amount, new_dues.invoice.total, new_dues.invoice.status) == (
        Decimal("100000.00"),
        Decimal("100000.00"),
        "issued",
    )
    assert (old_payment.status, old_payment.replaced_by) == ("canceled", new_dues.payment)

    # The old pay link (from the approval e-mail) says the invoice was replaced and links to the new one.
    page = Client().get(old_payment.get_absolute_url()).content.decode()
    assert f"This invoice ({old_invoice.number}) was replaced" in page
    assert new_dues.payment.get_absolute_url() in page and f"Pay the new invoice {new_dues.invoice.number}" in page
    assert "card-form" not in page
    assert Client().post(f"/payments/{old_payment.public_id}/retry/").status_code == 302
    assert Payment.objects.filter(owner_object_id=str(first.pk)).count() == 1  # no retry of a replaced payment

    pay(new_dues.payment)
    gold.refresh_from_db()
    assert gold.status == Membership.Status.ACTIVE and listed_tier(gold.organization) == "gold"
    invoices = {i.number: i.status for i in Invoice.objects.filter(kind="invoice")}
    assert invoices == {old_invoice.number: "void", new_dues.invoice.number: "paid"}


def test_a_change_waits_while_a_payment_of_the_open_invoice_is_under_way(tiers):
    silver = joined(tiers["silver"], on=datetime.date(2026, 6, 1), paid=False)
    Payment.objects.filter(pk=silver.dues_periods.get().payment.pk).update(status="processing")
    with pytest.raises(Exception, match="under way"):
        approve_change(silver, tiers["gold"], on=datetime.date(2026, 6, 3))
    assert list(silver.organization.memberships.values_list("tier__slug", "status")) == [("silver", "approved")]


# --- Upgrades, downgrades ---------------------------------------------------------------


def test_an_upgrade_invoices_the_pro_rata_difference_at_once_and_lists_the_new_tier(tiers):
    gold = joined(tiers["gold"], on=datetime.date(2027, 3, 2))
    platinum = approve_change(gold, tiers["platinum"], on=datetime.date(2027, 9, 1))
    with _at(datetime.date(2027, 9, 1)):
        assert (platinum.status, listed_tier(platinum.organization)) == ("active", "platinum")
    upgrade = platinum.dues_periods.get()
    # 250,000 × 183 / 366.
    assert (upgrade.starts, upgrade.ends, upgrade.amount) == (
        datetime.date(2027, 9, 1),
        datetime.date(2028, 3, 1),
        Decimal("125000.00"),
    )
    [line] = upgrade.invoice.lines.all()
    assert line.description.startswith("Upgrade from Gold to Platinum, 01 Sep 2027 – 01 Mar 2028 (183 of 366 days)")
    assert upgrade.invoice.status == "issued" and upgrade.payment.amount == Decimal("125000.00")
    pay(upgrade.payment)
    upgrade.refresh_from_db()
    assert upgrade.is_paid and upgrade.invoice.status == "paid"


def test_a_free_associate_upgrading_to_platinum_pays_the_pro_rata_fee(tiers):
    associate = joined(tiers["associate"], on=datetime.date(2026, 1, 1))
    assert associate.status == "active"
    platinum = approve_change(associate, tiers["platinum"], on=datetime.date(2026, 7, 2))
    # 350,000 × 183 / 365.
    assert platinum.dues_periods.get().amount == Decimal("175479.45")


def test_a_downgrade_keeps_the_tier_until_the_renewal_which_invoices_the_new_fee(tiers, settings):
    settings.MEMBERS_RENEWAL_NOTICE_DAYS = 30
    gold = joined(tiers["gold"], on=datetime.date(2026, 1, 1))
    silver = approve_change(gold, tiers["silver"], on=datetime.date(2026, 7, 1))
    gold.refresh_from_db()
    assert (gold.status, gold.ends) == ("active", datetime.date(2026, 12, 31))
    assert (silver.starts, silver.status) == (datetime.date(2027, 1, 1), "active")
    with _at(datetime.date(2026, 7, 1)):
        assert listed_tier(gold.organization) == "gold"
        admin = OrganizationRole.objects.get(organization=gold.organization, role="admin").user
        browser = Client()
        browser.force_login(admin)
        page = browser.get("/members/manage/delta-data/tier/").content.decode()
        assert "moves to the Silver tier on 1 January 2027, at the renewal" in page
        assert "What a change costs" not in page
    services.memberships_renew(today=datetime.date(2026, 12, 1))
    renewal = DuesPeriod.objects.get(starts=datetime.date(2027, 1, 1))
    assert (renewal.membership, renewal.amount) == (silver, Decimal("25000.00"))
    pay(renewal.payment)
    with _at(datetime.date(2027, 1, 2)):
        assert listed_tier(gold.organization) == "silver"
        services.memberships_renew(today=datetime.date(2027, 1, 2))
    assert DuesPeriod.objects.filter(membership=gold).count() == 1  # the ended row renews nothing


def test_finance_lets_a_downgrade_start_early_and_the_credit_is_a_line_of_the_renewal_invoice(tiers, staff_groups):
    from portal.accounts.groups import FINANCE, MEMBERSHIP_STAFF

    gold = joined(tiers["gold"], on=datetime.date(2026, 1, 1))
    membership_staff = UserFactory(groups=[MEMBERSHIP_STAFF])
    with pytest.raises(NotAllowed, match="Finance"):
        approve_change(gold, tiers["silver"], on=datetime.date(2026, 7, 1), actor=membership_staff, early=True)
    finance = UserFactory(groups=[FINANCE])
    gold.organization.tier_change_requests.all().delete()
    silver = approve_change(gold, tiers["silver"], on=datetime.date(2026, 11, 1), actor=finance, early=True)
    assert (silver.starts, silver.status, listed_tier(gold.organization)) == (
        datetime.date(2026, 11, 1),
        "active",
        "silver",
    )
    credit = DuesCredit.objects.get()
    paid_invoice = gold.dues_periods.get().invoice
    # 75,000 × 61 / 365, as a credit note on the paid invoice.
    assert credit.amount == Decimal("12534.25") and credit.credit_note.credited_invoice == paid_invoice
    assert credit.credit_note.total == Decimal("12534.25")
    services.memberships_renew(today=datetime.date(2026, 12, 1))
    renewal = silver.dues_periods.get(starts=datetime.date(2027, 1, 1))
    lines = [(line.description, line.unit_price) for line in renewal.invoice.lines.all()]
    assert lines[1] == (f"Credit note {credit.credit_note.number}", Decimal("-12534.25"))
    assert renewal.invoice.total == renewal.amount == renewal.payment.amount == Decimal("12465.75")
    credit.refresh_from_db()
    assert credit.applied_to == renewal
    services.memberships_renew(today=datetime.date(2026, 12, 2))
    assert DuesPeriod.objects.filter(starts=datetime.date(2027, 1, 1)).count() == 1


def test_a_member_leaving_with_a_credit_not_yet_taken_off_is_paid_it_back(
    tiers, settings, django_capture_on_commit_callbacks
):
    settings.MEMBERS_GRACE_DAYS = 30
    gold = joined(tiers["gold"], on=datetime.date(2026, 1, 1), method="bank_transfer")
    paid = gold.dues_periods.get()
    silver = approve_change(gold, tiers["silver"], on=datetime.date(2026, 2, 1), early=True)
    credit = DuesCredit.objects.get()
    assert credit.amount == Decimal("68630.14")  # 75,000 × 334 / 365: more than Silver's fee
    for day in (datetime.date(2026, 12, 1), datetime.date(2027, 2, 1)):
        with _at(day), django_capture_on_commit_callbacks(execute=True):
            services.memberships_renew(today=day)
    silver.refresh_from_db()
    credit.refresh_from_db()
    renewal = silver.dues_periods.get(starts=datetime.date(2027, 1, 1))
    assert renewal.amount == Decimal("25000.00")  # the credit did not fit: no negative invoice
    # It lapsed, so it left: the credit is paid back against the payment of the invoice it credits.
    assert silver.status == "lapsed" and credit.applied_to is None
    assert credit.refund.amount == Decimal("68630.14") and credit.refund.payment == paid.payment
    assert credit.credit_note.refund == credit.refund  # recorded on the credit note: no second one
    assert paid.invoice.credit_notes.count() == 1
    assert services.dues_credits_refund(organization_id=gold.organization_id) == []


# --- Pages --------------------------------------------------------------------------------


def test_the_request_page_and_the_staff_queue_show_the_price_before_anything_is_sent(
    tiers, client, membership_staff, staff_client_factory
):
    gold = joined(tiers["gold"], on=datetime.date(2026, 1, 1))
    admin = OrganizationRole.objects.get(organization=gold.organization, role="admin").user
    client.force_login(admin)
    with _at(datetime.date(2026, 7, 2)):
        page = client.get("/members/manage/delta-data/tier/").content.decode()
        assert "Platinum</strong>: Platinum from today: 125,342.47 USD invoiced at once" in page.replace("\xa0", " ")
        assert "Silver</strong>: Silver from the next renewal, on 01 January 2027" in page
        client.post("/members/manage/delta-data/tier/", {"tier": tiers["platinum"].pk})
        staff = staff_client_factory(user=membership_staff, client=Client())
        queue = staff.get("/admin/members/tier-changes/").content.decode().replace("\xa0", " ")
    assert "On approval today" in queue and "125,342.47 USD invoiced at once" in queue


# --- Seats ---------------------------------------------------------------------------------


def test_a_lapsed_member_paying_when_its_tier_is_full_stays_out_and_is_refunded(
    tiers, settings, django_capture_on_commit_callbacks
):
    settings.MEMBERS_GRACE_DAYS = 30
    tier = MembershipTierFactory(name="Diamond", slug="diamond", annual_fee=Decimal("1000.00"), seat_limit=1)
    admin = UserFactory()
    with _at(datetime.date(2026, 1, 1)):
        first = services.application_approve(
            application=application(applicant=admin, tier=tier, name="Acme", payment_method="bank_transfer"),
            actor=None,
        )
        payments.payment_mark_transfer_received(
            payment=first.dues_periods.get().payment,
            amount=Decimal("1000.00"),
            received_on=datetime.date(2026, 1, 1),
            reference="T1",
            actor=None,
        )
    for day in (datetime.date(2026, 12, 5), datetime.date(2027, 2, 5)):
        with _at(day):
            services.memberships_renew(today=day)
    first.refresh_from_db()
    assert first.status == "lapsed"
    joined(tier, on=datetime.date(2027, 2, 6), name="Other")  # the seat is taken meanwhile
    renewal = first.dues_periods.get(starts=datetime.date(2027, 1, 1))
    with _at(datetime.date(2027, 2, 7)), django_capture_on_commit_callbacks(execute=True):
        payments.payment_mark_transfer_received(
            payment=renewal.payment,
            amount=Decimal("1000.00"),
            received_on=datetime.date(2027, 2, 7),
            reference="T2",
            actor=None,
        )
    first.refresh_from_db()
    renewal.payment.refresh_from_db()
    assert first.status in ("lapsed", "canceled") and listed_tier(first.organization) is None
    assert renewal.payment.status == "refunded"
    assert selectors.tier_seats_taken(tier=tier, today=datetime.date(2027, 2, 7)) == 1


def test_a_tier_change_into_a_full_tier_is_refused(tiers):
    joined(tiers["platinum"], on=datetime.date(2026, 1, 1), name="A")
    joined(tiers["platinum"], on=datetime.date(2026, 1, 1), name="B")
    gold = joined(tiers["gold"], on=datetime.date(2026, 1, 1))
    with _at(datetime.date(2026, 2, 1)), pytest.raises(TierFull):
        services.membership_change_tier(membership=gold, tier=tiers["platinum"], actor=None)


def test_the_first_on_the_waiting_list_hears_when_a_seat_frees_and_until_when_it_is_held(
    tiers, settings, django_capture_on_commit_callbacks
):
    settings.MEMBERS_WAITLIST_HOLD_DAYS = 10
    a = joined(tiers["platinum"], on=datetime.date(2026, 1, 1), name="A")
    joined(tiers["platinum"], on=datetime.date(2026, 1, 1), name="B")
    with django_capture_on_commit_callbacks(execute=True):
        first = services.waitlist_join(tier=tiers["platinum"], email="first@x.example", organization_name="First")
        services.waitlist_join(tier=tiers["platinum"], email="second@x.example", organization_name="Second")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approve_change(a, tiers["gold"], on=datetime.date(2026, 6, 1), early=True)
    first.refresh_from_db()
    assert [m.to for m in mail.outbox if "seat is free" in m.subject] == [["first@x.example"]]
    assert first.hold_until == datetime.date(2026, 6, 11)
    assert "Apply by 11 June 2026" in next(m.body for m in mail.outbox if "seat is free" in m.subject)
    # The hold expires unanswered: the seat goes to the next on the list, once.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.memberships_renew(today=datetime.date(2026, 6, 12))
        services.memberships_renew(today=datetime.date(2026, 6, 13))
    assert [m.to for m in mail.outbox if "seat is free" in m.subject] == [["second@x.example"]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_members_changing_to_the_last_seat_at_once_one_gets_it(tiers):
    from tests.concurrency import run_at_once

    joined(tiers["platinum"], on=datetime.date(2026, 1, 1), name="Holder")
    racers = [joined(tiers["gold"], on=datetime.date(2026, 1, 1), name=name) for name in ("Alpha", "Beta")]
    outcomes = run_at_once(
        lambda membership: services.membership_change_tier(membership=membership, tier=tiers["platinum"], actor=None),
        [(membership,) for membership in racers],
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Membership", "TierFull"], outcomes
    assert selectors.tier_seats_taken(tier=tiers["platinum"]) == 2
    assert Invoice.objects.filter(lines__description__startswith="Upgrade from Gold to Platinum").count() == 1


def test_a_second_change_waits_until_the_first_upgrade_is_paid(tiers):
    associate = joined(tiers["associate"], on=datetime.date(2026, 1, 1))
    with _at(datetime.date(2026, 7, 2)):
        silver = services.membership_change_tier(membership=associate, tier=tiers["silver"], actor=None)
        with pytest.raises(MembershipError, match="still open: pay it before changing tier again"):
            services.membership_change_tier(membership=silver, tier=tiers["gold"], actor=None)
        pay(silver.dues_periods.get().payment)
        gold = services.membership_change_tier(membership=silver, tier=tiers["gold"], actor=None)
    # Gold − Silver for the 183 days left: Silver's difference is paid already.
    assert gold.dues_periods.get().amount == Decimal("37602.74")


def test_the_decision_e_mail_says_what_is_due_now_or_when_a_downgrade_starts(tiers, django_capture_on_commit_callbacks):
    gold = joined(tiers["gold"], on=datetime.date(2026, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        platinum = approve_change(gold, tiers["platinum"], on=datetime.date(2026, 7, 2))
    upgrade = platinum.dues_periods.get()
    (decided,) = [m for m in mail.outbox if m.subject == "Delta Data is now a Platinum member"]
    assert upgrade.invoice.number in decided.body and upgrade.payment.get_absolute_url() in decided.body
    pay(upgrade.payment)
    with django_capture_on_commit_callbacks(execute=True):
        approve_change(platinum, tiers["silver"], on=datetime.date(2026, 7, 3))
    assert any(m.subject == "Delta Data moves to the Silver tier on 01 January 2027" for m in mail.outbox)
