"""The membership workflow's rules, through its services."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from members import selectors, services
from members.exceptions import ApplicationNotOpen, DuplicateApplication, MembershipError, TierFull, TierNotOpen
from members.models import DuesPeriod, Membership, MembershipApplication, OrganizationRole
from portal.payments import registry
from portal.payments import services as payment_services
from portal.payments.models import InvoiceStatus, PaymentMethod
from tests.accounts.factories import UserFactory
from tests.members.factories import MembershipFactory, MembershipTierFactory, OrganizationFactory, application

pytestmark = pytest.mark.django_db
A = MembershipApplication.Status


def test_submitting_mails_the_applicant_and_membership_staff(membership_staff, django_capture_on_commit_callbacks):
    applicant = UserFactory(email="ada@acme.example")
    with django_capture_on_commit_callbacks(execute=True):
        submitted = application(applicant=applicant, tier=MembershipTierFactory(name="Gold"))
    assert submitted.status == A.SUBMITTED
    assert submitted.agreement_version == services.AGREEMENT_VERSION and submitted.agreement_accepted_at
    recipients = {tuple(message.to): message.subject for message in mail.outbox}
    assert "Acme Cloud" in recipients[("ada@acme.example",)]
    assert "New membership application: Acme Cloud (Gold)" == recipients[("membership@openinfra.example",)]


@pytest.mark.parametrize(
    "second",
    [
        {"name": "Acme Cloud"},
        {"name": "ACME cloud"},
        {"name": "Acme Cloud Services", "legal_name": "Acme Cloud GmbH"},
    ],
    ids=["same-name", "same-slug", "same-legal-name"],
)
def test_a_second_application_from_the_same_organisation_is_refused_while_one_is_open(second):
    tier = MembershipTierFactory()
    application(tier=tier)
    with pytest.raises(DuplicateApplication, match="already being reviewed"):
        application(tier=MembershipTierFactory(), **second)
    assert MembershipApplication.objects.count() == 1


def test_after_a_rejection_the_organisation_may_apply_again():
    first = application()
    services.application_reject(application=first, reason="Incomplete.", actor=None)
    assert application().status == A.SUBMITTED


def test_a_rejection_needs_a_reason_and_mails_it(django_capture_on_commit_callbacks):
    submitted = application(applicant=UserFactory(email="ada@acme.example"))
    with pytest.raises(MembershipError, match="reason"):
        services.application_reject(application=submitted, reason="  ", actor=None)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(application=submitted, reason="Associate is for non-profits only.", actor=None)
    (message,) = mail.outbox
    assert message.to == ["ada@acme.example"]
    assert "Associate is for non-profits only." in message.body
    with pytest.raises(ApplicationNotOpen):
        services.application_approve(application=submitted, actor=None)


def test_approval_creates_the_organisation_its_admin_the_membership_and_the_first_invoiced_dues():
    applicant = UserFactory()
    tier = MembershipTierFactory(name="Gold", annual_fee=Decimal("50000.00"), currency="USD")
    membership = services.application_approve(application=application(applicant=applicant, tier=tier), actor=None)
    organization = membership.organization
    assert (organization.name, organization.legal_name, organization.vat_id) == (
        "Acme Cloud",
        "Acme Cloud GmbH",
        "DE123456789",
    )
    assert membership.status == Membership.Status.APPROVED and membership.tier == tier
    assert OrganizationRole.objects.filter(user=applicant, organization=organization, role="admin").exists()
    dues = DuesPeriod.objects.get(membership=membership)
    assert dues.amount == Decimal("50000.00") and dues.ends == dues.starts.replace(
        year=dues.starts.year + 1
    ) - datetime.timedelta(days=1)
    assert dues.invoice.status == InvoiceStatus.ISSUED and dues.invoice.buyer_name == "Acme Cloud GmbH"
    assert dues.invoice.buyer_country == "DE"
    assert dues.invoice.payment == dues.payment and dues.payment.amount == Decimal("50000.00")
    assert dues.payment.method == PaymentMethod.CARD and dues.payment.payer_email == "billing@acme.example"
    # Approved is not yet a member: the directory waits for the dues.
    assert not selectors.members_for_directory().filter(pk=organization.pk).exists()
    # The applicant, as the organisation's admin, sees the dues to pay under My account.
    assert list(selectors.unpaid_dues_for_user(applicant)) == [dues]


def test_the_payments_registry_activates_the_membership_once(django_capture_on_commit_callbacks, monkeypatch):
    purges = []
    monkeypatch.setattr("portal.core.cache.purge", lambda: purges.append(1))
    membership = services.application_approve(application=application(), actor=None)
    dues = membership.dues_periods.get()
    handler = registry.get("members.DuesPeriod")
    with django_capture_on_commit_callbacks(execute=True):
        handler.on_succeeded(dues.payment)
        handler.on_succeeded(dues.payment)  # a second call changes nothing
    membership.refresh_from_db()
    dues.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE and dues.paid_at is not None
    assert selectors.members_for_directory().filter(pk=membership.organization_id).exists()
    assert purges  # the anonymous page cache forgets the directory and the join page


def test_dues_by_bank_transfer_get_an_invoice_with_instructions_and_activate_when_received(
    django_capture_on_commit_callbacks,
):
    staff = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.application_approve(application=application(payment_method="bank_transfer"), actor=staff)
    dues = membership.dues_periods.get()
    assert dues.payment.method == PaymentMethod.BANK_TRANSFER
    assert "IBAN" in dues.invoice.notes
    assert any(message.to == ["billing@acme.example"] and message.attachments for message in mail.outbox)
    payment_services.payment_mark_transfer_received(
        payment=dues.payment, amount=dues.amount, received_on=timezone.localdate(), reference="ACME", actor=staff
    )
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE


def test_approval_refuses_past_the_tiers_seat_limit():
    platinum = MembershipTierFactory(name="Platinum", seat_limit=2)
    MembershipFactory(tier=platinum, status=Membership.Status.ACTIVE)
    first, second = application(tier=platinum, name="First Co"), application(tier=platinum, name="Second Co")
    services.application_approve(application=first, actor=None)
    with pytest.raises(TierFull, match="The Platinum tier is full: all 2 seats are taken"):
        services.application_approve(application=second, actor=None)
    second.refresh_from_db()
    assert second.status == A.SUBMITTED
    assert Membership.objects.filter(tier=platinum).count() == 2


def test_a_full_tier_takes_no_applications_and_lapsed_members_free_their_seat():
    platinum = MembershipTierFactory(name="Platinum", seat_limit=1)
    held = MembershipFactory(tier=platinum, status=Membership.Status.GRACE)
    with pytest.raises(TierFull):
        application(tier=platinum)
    held.status = Membership.Status.LAPSED
    held.save()
    assert application(tier=platinum).status == A.SUBMITTED


def test_a_tier_change_ends_one_row_and_starts_another():
    gold, platinum = MembershipTierFactory(name="Gold"), MembershipTierFactory(name="Platinum", seat_limit=3)
    old = MembershipFactory(tier=gold, starts=datetime.date(2021, 1, 1))
    new = services.membership_change_tier(membership=old, tier=platinum, actor=None)
    old.refresh_from_db()
    assert old.status == Membership.Status.CANCELED and old.ends is not None and "Platinum" in old.ended_reason
    assert new.previous == old and new.tier == platinum and new.status == Membership.Status.ACTIVE
    organization = selectors.organization_for_directory(old.organization.slug)
    assert organization.tier_name == "Platinum"
    assert organization.member_since == datetime.date(2021, 1, 1)


def test_free_dues_never_reach_stripe_and_activate_at_once():
    associate = MembershipTierFactory(name="Associate", annual_fee=Decimal("0"))
    membership = services.application_approve(application=application(tier=associate), actor=None)
    dues = membership.dues_periods.get()
    assert dues.payment is None and dues.paid_at is not None
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE


def test_hidden_tiers_take_no_applications():
    with pytest.raises(MembershipError, match="not open"):
        application(tier=MembershipTierFactory(is_public=False))


def test_an_existing_member_cannot_apply_again():
    MembershipFactory(organization=OrganizationFactory(name="Acme Cloud", slug="acme-cloud"))
    with pytest.raises(DuplicateApplication, match="already a member"):
        application()


def test_the_waiting_list_keeps_one_entry_per_address_and_tier_and_confirms_it(django_capture_on_commit_callbacks):
    tier = MembershipTierFactory(name="Platinum", seat_limit=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.waitlist_join(tier=tier, email="Ada@Acme.example", organization_name="Acme")
        services.waitlist_join(tier=tier, email="ada@acme.example", organization_name="Acme")
    assert tier.waitlist.count() == 1
    [confirmation] = mail.outbox
    assert confirmation.to == ["ada@acme.example"]
    assert confirmation.subject == "You are on the Platinum membership waiting list"
    assert "Acme is on the waiting list" in confirmation.body and "all its 2 seats are taken" in confirmation.body


def test_a_tier_without_a_seat_limit_has_no_waiting_list(client):
    tier = MembershipTierFactory(name="Silver", slug="silver", seat_limit=None)
    with pytest.raises(TierNotOpen, match="no seat limit"):
        services.waitlist_join(tier=tier, email="ada@acme.example", organization_name="Acme")
    assert client.get("/join/waitlist/silver/").status_code == 404
    assert client.post("/join/waitlist/silver/", {"email": "a@b.example", "organization_name": "B"}).status_code == 404
    assert not tier.waitlist.exists()


def test_renewal_invoices_the_next_year_ahead_then_grace_then_lapse_and_payment_brings_it_back(settings):
    # The invoice goes out MEMBERS_RENEWAL_NOTICE_DAYS before the end (was: the
    # day after, straight into grace); grace starts the day after the end. The full year: test_renewal.py.
    settings.MEMBERS_RENEWAL_NOTICE_DAYS, settings.MEMBERS_GRACE_DAYS = 30, 30
    membership = services.application_approve(application=application(), actor=None)
    first = membership.dues_periods.get()
    handler = registry.get("members.DuesPeriod")
    handler.on_succeeded(first.payment)
    first.refresh_from_db()
    notice_day = first.ends - datetime.timedelta(days=30)
    day_after = first.ends + datetime.timedelta(days=1)

    assert services.memberships_renew(today=notice_day - datetime.timedelta(days=1))["invoiced"] == 0
    assert services.memberships_renew(today=notice_day)["invoiced"] == 1
    assert services.memberships_renew(today=notice_day)["invoiced"] == 0  # once
    second = membership.dues_periods.order_by("-starts").first()
    assert second.starts == day_after and not second.is_paid and second.invoice.due_on == first.ends
    assert second.invoice.status == InvoiceStatus.ISSUED and second.payment.payer_email == "billing@acme.example"
    assert services.memberships_renew(today=first.ends)["grace"] == 0
    assert services.memberships_renew(today=day_after)["grace"] == 1
    membership.refresh_from_db()
    assert membership.status == Membership.Status.GRACE
    assert selectors.members_for_directory(today=day_after).filter(pk=membership.organization_id).exists()

    later = day_after + datetime.timedelta(days=30)
    assert services.memberships_renew(today=later - datetime.timedelta(days=1))["lapsed"] == 0
    assert services.memberships_renew(today=later)["lapsed"] == 1
    membership.refresh_from_db()
    assert membership.status == Membership.Status.LAPSED
    assert not selectors.members_for_directory(today=later).filter(pk=membership.organization_id).exists()

    handler.on_succeeded(second.payment)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE and membership.ends is None
