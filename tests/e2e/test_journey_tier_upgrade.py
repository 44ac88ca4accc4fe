"""A Gold member upgrades to Platinum in Chromium: its admin sees the pro-rata price before asking, Membership
staff see it again before approving, the admin pays the upgrade invoice by card (localstripe), and the
directory lists the company as Platinum."""

import datetime
import re

import pytest
from django.db import transaction
from django.utils import timezone

from members import services
from members.models import Membership, MembershipTier, OrganizationRole
from members.services import year_end
from members.tier_changes import prorata
from portal.accounts.groups import MEMBERSHIP_STAFF
from portal.core import money
from portal.payments import services as payments
from portal.payments.models import Payment, PaymentStatus
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.test_journeys import _fill_card
from tests.e2e.test_journeys_organisations import _log_in, _message, _staff_in_the_admin, journey  # noqa: F401
from tests.members.factories import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.localstripe]


def _gold_member_since(days_ago: int):
    """Quillfeather Cloud, a Gold member whose paid year began `days_ago` days ago."""
    gold = MembershipTier.objects.get(slug="gold")
    admin = UserFactory(email="ada@quillfeather.example", first_name="Ada", last_name="Quill")
    membership = services.application_approve(
        application=application(applicant=admin, tier=gold, name="Quillfeather Cloud"), actor=None
    )
    dues = membership.dues_periods.get()
    with transaction.atomic():
        payments._move(Payment.objects.select_for_update().get(pk=dues.payment.pk), "succeeded")
    starts = timezone.localdate() - datetime.timedelta(days=days_ago)
    Membership.objects.filter(pk=membership.pk).update(starts=starts)
    type(dues).objects.filter(pk=dues.pk).update(starts=starts, ends=year_end(starts))
    return admin, starts, year_end(starts)


def test_a_gold_member_sees_the_price_staff_approve_it_pays_by_card_and_is_listed_as_platinum(
    live_server,
    demo_site,
    localstripe,
    settings,
    journey,  # noqa: F811
):
    settings.SITE_URL = live_server.url
    admin, starts, paid_until = _gold_member_since(100)
    days_left, days = (paid_until - timezone.localdate()).days + 1, (paid_until - starts).days + 1
    amount = prorata(money.round_money(250000, "USD"), days_left=days_left, days_in_period=days, currency="USD")
    price = money.format_money(amount, "USD").replace("\xa0", " ")
    trip = journey("tier-upgrade")

    # The company's admin reads what Platinum would cost today, then asks for it.
    company = trip.person()
    company.goto(live_server.url + "/accounts/login/")
    _log_in(company, admin.email, PASSWORD)
    company.wait_for_url(f"{live_server.url}/accounts/")
    company.goto(live_server.url + "/members/manage/quillfeather-cloud/tier/")
    costs = company.get_by_role("list", name="What a change costs")
    assert f"Platinum from today: {price} invoiced at once" in costs.inner_text().replace("\xa0", " ")
    assert f"the {days_left} of {days} days left" in costs.inner_text()
    assert "Silver from the next renewal" in costs.inner_text()
    trip.shoot(company, "price")
    company.get_by_label("New tier").select_option(label="Platinum")
    company.get_by_label("Note for the membership team").fill("We run three regions now.")
    company.get_by_role("button", name="Send the request").click()
    company.wait_for_url("**/members/manage/quillfeather-cloud/tier/")
    assert "Your request is with the membership team" in _message(company)

    # Membership staff see the same price in their queue, and approve.
    staff = _staff_in_the_admin(trip, live_server, MEMBERSHIP_STAFF, "Maya")
    staff.goto(live_server.url + "/admin/members/tier-changes/")
    request = staff.get_by_role("region", name="Quillfeather Cloud: Gold → Platinum")
    assert f"{price} invoiced at once" in request.inner_text().replace("\xa0", " ")
    trip.shoot(staff, "queue", ours=False)
    with staff.expect_navigation():
        request.get_by_role("button", name="Approve", exact=True).click()
    assert "Quillfeather Cloud is now a Platinum member" in _message(staff)

    # The admin pays the upgrade invoice by card from the invoices page.
    company.goto(live_server.url + "/members/manage/quillfeather-cloud/invoices/")
    trip.shoot(company, "invoices")
    company.get_by_role(
        "button", name=re.compile(rf"^Pay {re.escape(money.format_money(amount, 'USD'))} by card")
    ).click()
    company.get_by_placeholder("number").wait_for()
    _fill_card(company, "4242424242424242")
    company.get_by_role("button", name=re.compile(r"^Pay ")).click()
    company.wait_for_url("**/return/**", timeout=20_000)
    assert company.locator("h1").inner_text() == "Thank you: payment received"
    trip.shoot(company, "paid")
    platinum = Membership.objects.get(organization__slug="quillfeather-cloud", tier__slug="platinum")
    upgrade = platinum.dues_periods.get()
    assert upgrade.is_paid and upgrade.amount == amount and upgrade.invoice.status == "paid"
    assert Payment.objects.filter(status=PaymentStatus.SUCCEEDED, amount=amount).count() == 1
    assert OrganizationRole.objects.filter(user=admin, organization=platinum.organization).exists()

    # The directory lists the company as Platinum.
    visitor = trip.person()
    visitor.goto(live_server.url + "/members/quillfeather-cloud/")
    assert visitor.locator("h1").inner_text() == "Quillfeather Cloud"
    assert "Platinum member" in visitor.get_by_role("main").inner_text()
    trip.shoot(visitor, "member")
    assert not trip.axe_failures, "\n".join(trip.axe_failures)
