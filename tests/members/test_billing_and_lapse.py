"""Billing contacts' invoicing details; grace and lapse told to billing contacts and Membership staff; what a
lapsed organisation's pages say."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from members import services
from members.models import OrganizationRole
from tests.accounts.factories import UserFactory
from tests.members.factories import MembershipTierFactory, role_for
from tests.members.test_tier_changes import _at, joined, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def gold():
    return MembershipTierFactory(name="Gold", slug="gold", annual_fee=Decimal("100000.00"))


def test_a_billing_contact_edits_the_invoicing_details_and_the_next_invoice_carries_them(gold, client):
    membership = joined(gold, on=datetime.date(2026, 1, 1), name="Łódź Systems")
    billing = role_for(membership.organization, "billing")
    client.force_login(billing)
    url = f"/members/manage/{membership.organization.slug}/invoices/details/"
    page = client.get(url).content.decode()
    assert "Purchase order number" in page
    response = client.post(
        url,
        {
            "legal_name": "Łódź Systems Sp. z o.o.",
            "billing_address": "ul. Piotrkowska 1\n90-001 Łódź",
            "vat_id": "PL1234567890",
            "po_number": "PO-2027-17",
        },
    )
    assert response.status_code == 302
    services.memberships_renew(today=datetime.date(2026, 12, 1))
    renewal = membership.dues_periods.get(starts=datetime.date(2027, 1, 1))
    invoice = renewal.invoice
    assert (invoice.buyer_name, invoice.buyer_po_number, invoice.buyer_vat_id) == (
        "Łódź Systems Sp. z o.o.",
        "PO-2027-17",
        "PL1234567890",
    )
    first = membership.dues_periods.get(starts=datetime.date(2026, 1, 1)).invoice
    assert first.buyer_po_number == ""  # an issued invoice keeps what it was issued with


def test_a_technical_contact_cannot_edit_the_invoicing_details(gold, client):
    membership = joined(gold, on=datetime.date(2026, 1, 1))
    client.force_login(role_for(membership.organization, "technical"))
    response = client.post("/members/manage/delta-data/invoices/details/", {"legal_name": "X", "po_number": "1"})
    assert response.status_code == 403
    membership.organization.refresh_from_db()
    assert membership.organization.po_number == ""


def test_grace_and_lapse_are_told_to_billing_and_membership_staff_and_the_pages_say_what_to_pay(
    gold, client, membership_staff, settings, django_capture_on_commit_callbacks
):
    settings.MEMBERS_GRACE_DAYS, settings.MEMBERS_GRACE_REMINDER_DAYS = 30, (14,)
    membership = joined(gold, on=datetime.date(2026, 1, 1))
    role_for(membership.organization, "billing", user=UserFactory(email="billing@delta.example"))

    def run(day):
        with _at(day), django_capture_on_commit_callbacks(execute=True):
            services.memberships_renew(today=day)

    for day in (datetime.date(2026, 12, 1), datetime.date(2027, 1, 1)):
        run(day)
    staff_mail = [m.subject for m in mail.outbox if m.to == [membership_staff.email]]
    assert staff_mail == ["[Membership] Delta Data entered its grace period"]
    grace = [m for m in mail.outbox if "grace period until 31 January 2027" in m.subject]
    assert len(grace) == 1 and "billing@delta.example" in grace[0].to
    run(datetime.date(2027, 1, 15))
    run(datetime.date(2027, 1, 16))
    assert len([m for m in mail.outbox if m.subject.startswith("Reminder: Delta Data's membership lapses")]) == 1
    run(datetime.date(2027, 2, 1))
    assert [m.subject for m in mail.outbox if m.to == [membership_staff.email]][-1] == (
        "[Membership] Delta Data's membership lapsed"
    )
    renewal = membership.dues_periods.get(starts=datetime.date(2027, 1, 1))
    admin = OrganizationRole.objects.get(organization=membership.organization, role="admin").user
    with _at(datetime.date(2027, 2, 2)):
        client.force_login(admin)
        response = client.get("/members/manage/delta-data/")
        assert response.status_code == 200, response
        page = response.content.decode().replace("\xa0", " ")
        tier_page = client.get("/members/manage/delta-data/tier/").content.decode().replace("\xa0", " ")
    assert "Apply to join" not in page and "Apply to join" not in tier_page
    assert f"Delta Data's {membership.tier.name} membership lapsed on 31 December 2026" in page
    assert f"To come back, pay invoice {renewal.invoice.number} for 100,000.00 USD" in page
    assert renewal.invoice.number in tier_page
    # A technical contact is not shown the invoices.
    with _at(datetime.date(2027, 2, 2)):
        client.force_login(role_for(membership.organization, "technical", user=UserFactory()))
        other = client.get("/members/manage/delta-data/").content.decode()
    assert renewal.invoice.number not in other


@pytest.mark.dejavu
@pytest.mark.cjk_font
@pytest.mark.parametrize("legal_name", ["Łódź Systems Sp. z o.o.", "株式会社アクメ・クラウド"])
def test_the_dues_receipt_prints_a_polish_or_japanese_name_and_says_paid_with_date_and_method(gold, client, legal_name):
    from tests import pdf_text

    membership = joined(gold, on=datetime.date(2026, 3, 2), paid=False)
    organization = membership.organization
    organization.legal_name = legal_name
    organization.save(update_fields=["legal_name"])
    dues = membership.dues_periods.get()
    # The first invoice was issued before the legal name changed; the next one carries it.
    fresh = services.dues_period_create(
        membership=membership, starts=datetime.date(2027, 3, 2), payer_email="billing@delta.example"
    )
    with _at(datetime.date(2026, 3, 5)):
        pay(fresh.payment)
    admin = OrganizationRole.objects.get(organization=organization, role="admin").user
    client.force_login(admin)
    response = client.get(f"/members/manage/delta-data/invoices/{fresh.invoice.number}.pdf")
    [page] = pdf_text.page_texts(response.content)
    lines = page.splitlines()
    assert lines[:3] == [f"Invoice {fresh.invoice.number}", "PAID", "Paid on 05 March 2026 by card"]
    assert legal_name in lines and not any(line.startswith("Due:") for line in lines)
    unpaid = client.get(f"/members/manage/delta-data/invoices/{dues.invoice.number}.pdf")
    assert "PAID" not in pdf_text.page_texts(unpaid.content)[0].splitlines()
