"""The finance screens: only the Finance group reaches them; refunds, transfers, invoices and exports."""

import csv
import io
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.utils import timezone

from portal.core.csv_writer import safe_cell as _cell
from portal.payments import invoicing, services
from portal.payments.models import InvoiceStatus, Payment, PaymentStatus, Refund
from tests.conftest import login_staff
from tests.payments.conftest import GOOD_CARD, card_token
from tests.payments.factories import BUYER, LINES, OwnerFactory, bank_transfer_invoiced, transfer_received

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_staff():
    """An editor who reaches the Wagtail admin but is not in Finance."""
    user = OwnerFactory(email="editor@openinfra.example", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.fixture
def transfer(fulfilments):
    return bank_transfer_invoiced()


def _urls(payment, invoice) -> list[str]:
    return [
        "/admin/finance/payments/",
        f"/admin/finance/payments/{payment.pk}/",
        "/admin/finance/invoices/",
        f"/admin/finance/invoices/{invoice.pk}/",
        f"/admin/finance/invoices/{invoice.pk}/pdf/",
        "/admin/finance/export/payments.csv?start=2020-01-01&end=2030-12-31",
    ]


def test_only_the_finance_group_reaches_the_screens(client, transfer, finance_user, other_staff):
    payment, invoice = transfer
    login_staff(client, other_staff)
    for url in _urls(payment, invoice):
        assert client.get(url).status_code == 403, url
    response = client.post(
        f"/admin/finance/payments/{payment.pk}/received/",
        {"amount": "11950.00", "received_on": "2026-01-05", "reference": "X"},
    )
    assert response.status_code == 403
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CREATED
    login_staff(client, finance_user)
    for url in _urls(payment, invoice):
        assert client.get(url).status_code == 200, url


def test_anonymous_is_sent_to_log_in(client, transfer):
    response = client.get("/admin/finance/payments/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_finance_menu_item_is_shown_to_finance_only(client, finance_user, other_staff):
    login_staff(client, finance_user)
    assert b"/admin/finance/payments/" in client.get("/admin/").content
    login_staff(client, other_staff)
    assert b"/admin/finance/payments/" not in client.get("/admin/").content


def test_payment_list_filters(client, transfer, finance_user, localstripe, fulfilments):
    payment, _ = transfer
    owner = OwnerFactory()
    card = services.payment_create(owner=owner, amount=Decimal("80.00"), currency="EUR", payer_email=owner.email)
    services.payment_pay_with_card(payment=card, token=card_token(localstripe, GOOD_CARD))
    login_staff(client, finance_user)

    def rows(query: str) -> list[str]:
        soup = BeautifulSoup(client.get(f"/admin/finance/payments/?{query}").content, "html.parser")
        return [a["href"] for a in soup.select("table.listing tbody a")]

    assert rows("") == [f"/admin/finance/payments/{card.pk}/", f"/admin/finance/payments/{payment.pk}/"]
    assert rows("method=bank_transfer") == [f"/admin/finance/payments/{payment.pk}/"]
    assert rows("status=succeeded") == [f"/admin/finance/payments/{card.pk}/"]
    assert rows(f"q={owner.email}") == [f"/admin/finance/payments/{card.pk}/"]
    assert rows("created_to=2000-01-01") == []


def test_payment_list_query_budget(client, transfer, finance_user, fulfilments, django_assert_max_num_queries):
    for _ in range(5):
        owner = OwnerFactory()
        services.payment_create(owner=owner, amount=Decimal("80.00"), currency="EUR", payer_email=owner.email)
    login_staff(client, finance_user)
    with django_assert_max_num_queries(25):
        assert client.get("/admin/finance/payments/").status_code == 200


def test_staff_marks_a_transfer_received_and_the_owner_is_fulfilled_once(
    client, transfer, finance_user, fulfilments, django_capture_on_commit_callbacks
):
    payment, invoice = transfer
    login_staff(client, finance_user)
    today = timezone.localdate().isoformat()
    form = {"amount": "11950.00", "received_on": today, "reference": "BANK-REF-1"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/finance/payments/{payment.pk}/received/", form, follow=True)
    assert "Transfer recorded" in response.content.decode()
    again = client.post(f"/admin/finance/payments/{payment.pk}/received/", form, follow=True)
    assert "The transfer BANK-REF-1 is already recorded on this payment." in again.content.decode()
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert invoice.status == InvoiceStatus.PAID
    assert fulfilments.succeeded == [payment.pk]
    detail = client.get(f"/admin/finance/payments/{payment.pk}/").content.decode()
    assert "guildhall.payment.succeeded" in detail and str(finance_user) in detail  # the audit trail
    page = client.get(f"/admin/finance/invoices/{invoice.pk}/").content.decode()
    assert "Paid" in page


def test_refund_from_the_admin_with_a_reason_and_a_clear_error_when_too_large(
    client, transfer, finance_user, fulfilments, django_capture_on_commit_callbacks
):
    payment, invoice = transfer
    transfer_received(payment, payment.amount, reference="R", actor=finance_user)
    login_staff(client, finance_user)
    too_much = client.post(
        f"/admin/finance/payments/{payment.pk}/refund/", {"amount": "20000", "reason": "x"}, follow=True
    )
    assert "At most 11,950.00 EUR can be refunded." in too_much.content.decode()
    assert not Refund.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/finance/payments/{payment.pk}/refund/", {"amount": "950.00", "reason": "Unused seat"})
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED
    [refund] = payment.refunds.all()
    assert refund.created_by == finance_user and refund.reason == "Unused seat"
    [note] = invoice.credit_notes.all()
    assert note.total == Decimal("950.00")
    assert fulfilments.refunded == [(payment.pk, "950.00")]


def test_card_payment_events_show_on_its_detail(client, finance_user, localstripe, fulfilments):
    owner = OwnerFactory()
    payment = services.payment_create(owner=owner, amount=Decimal("80.00"), currency="EUR", payer_email=owner.email)
    services.payment_pay_with_card(payment=payment, token=card_token(localstripe, GOOD_CARD))
    from portal.payments.models import StripeEvent

    StripeEvent.objects.create(
        event_id="evt_shown", type="payment_intent.succeeded", payload={}, payment=payment, processed_at=timezone.now()
    )
    login_staff(client, finance_user)
    page = client.get(f"/admin/finance/payments/{payment.pk}/").content.decode()
    assert "evt_shown" in page and payment.stripe_payment_intent_id in page


def test_an_issued_invoice_is_not_editable_and_offers_a_credit_note(client, transfer, finance_user):
    _, invoice = transfer
    login_staff(client, finance_user)
    page = client.get(f"/admin/finance/invoices/{invoice.pk}/").content.decode()
    assert "cannot be edited" in page and "Issue a credit note" in page
    assert 'name="buyer_vat_id"' not in page
    response = client.post(f"/admin/finance/invoices/{invoice.pk}/", {**BUYER, "buyer_vat_id": "FR000"}, follow=True)
    assert "cannot be changed" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.buyer_vat_id == "DE123456789"
    client.post(f"/admin/finance/invoices/{invoice.pk}/credit/", {"amount": "100.00", "reason": "Goodwill"})
    [note] = invoice.credit_notes.all()
    assert note.number.startswith("CN-")


def test_a_draft_invoice_is_edited_then_issued(client, finance_user):
    draft = invoicing.invoice_create(currency="EUR", buyer=dict(BUYER), lines=LINES)
    login_staff(client, finance_user)
    page = client.get(f"/admin/finance/invoices/{draft.pk}/").content.decode()
    assert 'name="buyer_po_number"' in page
    client.post(f"/admin/finance/invoices/{draft.pk}/", {**BUYER, "buyer_po_number": "PO-77"})
    client.post(f"/admin/finance/invoices/{draft.pk}/issue/")
    draft.refresh_from_db()
    assert draft.buyer_po_number == "PO-77" and draft.status == InvoiceStatus.ISSUED and draft.number


def test_void_an_unpaid_invoice(client, transfer, finance_user):
    _, invoice = transfer
    login_staff(client, finance_user)
    client.post(f"/admin/finance/invoices/{invoice.pk}/void/")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID


def test_csv_exports_for_a_period(client, transfer, finance_user):
    payment, invoice = transfer
    login_staff(client, finance_user)
    today = timezone.localdate()
    response = client.get(f"/admin/finance/export/payments.csv?start={today}&end={today}")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["created", "reference", "status"]
    # A reference that happens to start like a formula ("-…") is written protected, as any cell is.
    assert [r[1] for r in rows[1:]] == [_cell(payment.public_id)]
    invoices = list(
        csv.reader(
            io.StringIO(client.get(f"/admin/finance/export/invoices.csv?start={today}&end={today}").content.decode())
        )
    )
    assert invoices[1][0] == invoice.number and invoices[1][7] == "DE123456789" and invoices[1][8] == "PO-2026-0042"
    earlier = client.get("/admin/finance/export/payments.csv?start=2000-01-01&end=2000-12-31")
    assert len(list(csv.reader(io.StringIO(earlier.content.decode())))) == 1
    assert client.get("/admin/finance/export/secrets.csv?start=2000-01-01&end=2000-12-31").status_code == 404


def test_reconcile_on_demand(client, finance_user, localstripe, fulfilments, settings):
    settings.PAYMENTS_RECONCILE_AFTER_SECONDS = 0
    owner = OwnerFactory()
    payment = services.payment_create(owner=owner, amount=Decimal("80.00"), currency="EUR", payer_email=owner.email)
    from tests.payments.conftest import THREE_D_SECURE_CARD, authenticate_3ds

    payment = services.payment_pay_with_card(payment=payment, token=card_token(localstripe, THREE_D_SECURE_CARD))
    authenticate_3ds(localstripe, payment.stripe_payment_intent_id)
    login_staff(client, finance_user)
    response = client.post("/admin/finance/payments/reconcile/", follow=True)
    assert "Reconciliation started" in response.content.decode()
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED


def test_bank_transfer_pay_page_shows_the_instructions(client, transfer):
    payment, invoice = transfer
    page = client.get(payment.get_absolute_url()).content.decode()
    assert invoice.number in page and "IBAN" in page
    assert "card-form" not in page and "payments.js" not in page


def test_csv_cells_cannot_run_as_formulas(client, finance_user, fulfilments):
    owner = OwnerFactory()
    services.payment_create(
        owner=owner, amount=Decimal("80.00"), currency="EUR", payer_email=owner.email, description="=HYPERLINK(1)"
    )
    login_staff(client, finance_user)
    today = timezone.localdate()
    rows = list(
        csv.reader(
            io.StringIO(client.get(f"/admin/finance/export/payments.csv?start={today}&end={today}").content.decode())
        )
    )
    assert rows[1][9] == "'=HYPERLINK(1)"


def test_the_payer_sees_the_invoice_as_html_and_pdf(client, transfer, django_assert_max_num_queries):
    payment, invoice = transfer
    client.get(f"/payments/{payment.public_id}/invoice/")  # warm the site chrome's caches (settings, footer)
    with django_assert_max_num_queries(6):
        page = client.get(f"/payments/{payment.public_id}/invoice/")
    soup = BeautifulSoup(page.content, "html.parser")
    assert soup.h1.get_text(strip=True) == f"Invoice {invoice.number}"
    text = soup.get_text()
    assert "VAT ID: DE123456789" in text and "PO number: PO-2026-0042" in text
    pdf = client.get(f"/payments/{payment.public_id}/invoice/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    owner = OwnerFactory()
    uninvoiced = services.payment_create(owner=owner, amount=Decimal("80.00"), currency="EUR", payer_email=owner.email)
    assert client.get(f"/payments/{uninvoiced.public_id}/invoice/").status_code == 404
