"""Invoices: gap-free yearly numbers, immutable once issued, credit notes, PDF, bank transfers, reminders."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from portal.payments import invoicing, services
from portal.payments.invoicing import InvoiceNotEditable, Line
from portal.payments.models import Invoice, InvoiceKind, InvoiceStatus, PaymentStatus
from portal.payments.pdf import invoice_pdf
from tests import pdf_text
from tests.concurrency import run_at_once
from tests.payments.factories import BUYER, LINES, bank_transfer_invoiced, transfer_received


def _draft(**kwargs) -> Invoice:
    return invoicing.invoice_create(currency="EUR", buyer=dict(BUYER), lines=LINES, **kwargs)


@pytest.mark.django_db
def test_issue_numbers_are_sequential_and_restart_each_year():
    with time_machine.travel("2026-12-31 23:00:00+00:00"):
        first = invoicing.invoice_issue(invoice=_draft())
        second = invoicing.invoice_issue(invoice=_draft())
    with time_machine.travel("2027-01-01 09:00:00+00:00"):
        third = invoicing.invoice_issue(invoice=_draft())
    assert [first.number, second.number, third.number] == ["INV-2026-00001", "INV-2026-00002", "INV-2027-00001"]
    assert first.seller["name"] == "Open Infrastructure Foundation"
    assert (first.net_total, first.tax_total, first.total) == (
        Decimal("10050.00"),
        Decimal("1900.00"),
        Decimal("11950.00"),
    )
    assert first.due_on == date(2027, 1, 30)


@pytest.mark.django_db
def test_an_invoice_issued_paid_is_the_document_and_history_of_create_issue_and_mark_paid(django_assert_num_queries):
    from wagtail.models import ModelLogEntry

    from tests.payments.factories import PaymentFactory

    with time_machine.travel("2026-06-01 10:00:00+00:00"):
        stepwise = invoicing.invoice_create(currency="EUR", buyer=dict(BUYER), lines=LINES, payment_terms_days=0)
        stepwise = invoicing.invoice_mark_paid(invoice=invoicing.invoice_issue(invoice=stepwise))
        payment = PaymentFactory()
        issued = invoicing.invoice_issue_paid(currency="eur", buyer=dict(BUYER), lines=LINES, payment=payment)
    paid = Invoice.objects.get(pk=issued.pk)  # as stored
    # The receipt's PDF reads the lines of the invoice it was handed: the stored ones, without a query.
    with django_assert_num_queries(0):
        handed = [(line.pk, line.position, line.description, line.unit_price) for line in issued.lines.all()]
    assert handed == [(line.pk, line.position, line.description, line.unit_price) for line in paid.lines.all()]
    assert len(handed) == 2
    assert paid.number == "INV-2026-00002"  # the same gap-free series
    assert paid.payment == payment and paid.status == InvoiceStatus.PAID and paid.paid_at is not None
    fields = ("currency", "net_total", "tax_total", "total", "seller", "issued_on", "due_on", "buyer_vat_id")
    assert [getattr(paid, f) for f in fields] == [getattr(stepwise, f) for f in fields]
    assert [(line.description, line.net(paid.currency)) for line in paid.lines.order_by("position")] == [
        (line.description, line.net(stepwise.currency)) for line in stepwise.lines.order_by("position")
    ]
    actions = ModelLogEntry.objects.filter(object_id=str(paid.pk), action__startswith="guildhall.invoice.")
    assert sorted(actions.values_list("action", flat=True)) == [
        "guildhall.invoice.create",
        "guildhall.invoice.issue",
        "guildhall.invoice.paid",
    ]
    with pytest.raises(InvoiceNotEditable):
        invoicing.invoice_void(invoice=paid)


@pytest.mark.django_db
def test_a_rolled_back_issue_leaves_no_gap():
    draft = _draft()
    with pytest.raises(RuntimeError), time_machine.travel("2026-06-01 10:00:00+00:00"):
        from django.db import transaction

        with transaction.atomic():
            invoicing.invoice_issue(invoice=draft)
            raise RuntimeError("something after issuing failed")
    with time_machine.travel("2026-06-01 10:00:00+00:00"):
        assert invoicing.invoice_issue(invoice=draft).number == "INV-2026-00001"


@pytest.mark.django_db(transaction=True)
def test_invoices_issued_at_once_get_consecutive_numbers_without_duplicates():
    """On PostgreSQL the sequence row lock serialises; on SQLite the IMMEDIATE transactions do."""
    drafts = [_draft() for _ in range(8)]
    outcomes = run_at_once(lambda invoice: invoicing.invoice_issue(invoice=invoice).number, [(d,) for d in drafts])
    numbers = [outcome for outcome in outcomes if isinstance(outcome, str)]
    assert [outcome for outcome in outcomes if not isinstance(outcome, str)] == []
    year = timezone.localdate().year
    assert sorted(numbers) == [f"INV-{year}-{n:05d}" for n in range(1, 9)]


@pytest.mark.django_db
def test_an_issued_invoice_cannot_be_edited_or_issued_again():
    invoice = _draft()
    invoicing.invoice_update_buyer(invoice=invoice, buyer_po_number="PO-NEW")
    invoice = invoicing.invoice_issue(invoice=invoice)
    assert invoice.buyer_po_number == "PO-NEW"
    with pytest.raises(InvoiceNotEditable, match="credit note"):
        invoicing.invoice_update_buyer(invoice=invoice, buyer_vat_id="DE999")
    with pytest.raises(InvoiceNotEditable):
        invoicing.invoice_issue(invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.buyer_vat_id == "DE123456789"


@pytest.mark.django_db
def test_credit_note_has_its_own_number_and_references_the_invoice():
    invoice = invoicing.invoice_issue(invoice=_draft())
    note = invoicing.credit_note_issue(invoice=invoice, amount=Decimal("500.00"), reason="Discount agreed")
    assert note.kind == InvoiceKind.CREDIT_NOTE and note.credited_invoice == invoice
    assert note.number.startswith("CN-") and note.total == Decimal("500.00")
    assert note.buyer_vat_id == invoice.buyer_vat_id
    with pytest.raises(Exception, match="At most 11,450.00 EUR"):
        invoicing.credit_note_issue(invoice=invoice, amount=Decimal("11450.01"), reason="Too much")


@pytest.mark.django_db
def test_void_only_unpaid_invoices():
    invoice = invoicing.invoice_issue(invoice=_draft())
    invoicing.invoice_void(invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID and invoice.number  # the number stays used
    paid = invoicing.invoice_mark_paid(invoice=invoicing.invoice_issue(invoice=_draft()))
    with pytest.raises(InvoiceNotEditable):
        invoicing.invoice_void(invoice=paid)


@pytest.mark.django_db
def test_pdf_renders_with_the_buyers_vat_id_and_po_number():
    invoice = invoicing.invoice_issue(invoice=_draft())
    data = invoice_pdf(invoice)
    assert data.startswith(b"%PDF")
    [page] = pdf_text.page_texts(data)
    for text in (
        invoice.number,
        "VAT ID: DE123456789",
        "PO number: PO-2026-0042",
        "Example Cloud GmbH",
        "11,950.00 EUR",
    ):
        assert text in page, text
    assert pdf_text.page_texts(invoice_pdf(invoice, compress=False)) == [page]


def _shown(invoice: Invoice) -> list[tuple[float, float, str]]:
    return [(piece.x, piece.y, piece.text) for piece in pdf_text.shown(invoice_pdf(invoice))]


def _texts(invoice: Invoice) -> list[str]:
    return [text for _, _, text in _shown(invoice)]


def _has_run(texts: list[str], run: list[str]) -> bool:
    return any(texts[i : i + len(run)] == run for i in range(len(texts)))


@pytest.mark.django_db
def test_pdf_shows_the_number_each_line_and_the_totals_in_order():
    invoice = invoicing.invoice_issue(invoice=_draft())
    texts = _texts(invoice)
    assert texts[0] == f"Invoice {invoice.number}"
    assert _has_run(texts, ["Description", "Qty", "Unit price", "Tax %", "Amount"])
    assert _has_run(texts, ["Gold membership 2026", "1", "10,000.00 EUR", "19", "10,000.00 EUR"])
    assert _has_run(texts, ["Setup", "1", "50.00 EUR", "0", "50.00 EUR"])
    assert _has_run(texts, ["Net", "10,050.00 EUR", "Tax", "1,900.00 EUR", "Total", "11,950.00 EUR"])


@pytest.mark.django_db
def test_pdf_keeps_every_text_on_the_page_and_each_table_row_on_one_line():
    invoice = invoicing.invoice_issue(invoice=_draft())
    shown = _shown(invoice)
    assert all(0 < x < pdf_text.A4_WIDTH - 50 for x, _, _ in shown), [
        s for s in shown if not 0 < s[0] < pdf_text.A4_WIDTH - 50
    ]
    rows = {text: y for _, y, text in shown}
    assert rows["Gold membership 2026"] == rows["10,000.00 EUR"] and rows["Setup"] == rows["50.00 EUR"]
    assert rows["Total"] == rows["11,950.00 EUR"]


@pytest.mark.django_db
def test_pdf_prints_the_buyers_vat_id_and_po_number_under_the_address():
    """They once started at the right margin after the address, and ran off the page."""
    invoice = invoicing.invoice_issue(invoice=_draft())
    where = {text: (x, y) for x, y, text in _shown(invoice)}
    name, vat_id, po_number = (
        where["Example Cloud GmbH"],
        where["VAT ID: DE123456789"],
        where["PO number: PO-2026-0042"],
    )
    assert name[0] == vat_id[0] == po_number[0]  # the left margin
    assert name[1] > where["DE"][1] > vat_id[1] > po_number[1]  # one below the other, after the country


@pytest.mark.django_db
def test_pdf_wraps_an_address_line_wider_than_the_page():
    street = "Industrial Park North, Building 7, Floor 3, Suite 12, " * 4 + "10115 Berlin"
    invoice = invoicing.invoice_create(currency="EUR", buyer={**BUYER, "buyer_address": street}, lines=LINES)
    pieces = [text for text in _texts(invoice) if "Building 7" in text or "10115 Berlin" in text]
    assert len(pieces) > 1 and " ".join(pieces) == street.strip()


@pytest.mark.django_db
def test_pdf_with_many_lines_continues_on_a_second_page():
    lines = [Line(f"Seat {n}", Decimal("10.00")) for n in range(1, 46)]
    invoice = invoicing.invoice_issue(invoice=invoicing.invoice_create(currency="EUR", buyer=dict(BUYER), lines=lines))
    assert pdf_text.page_count(invoice_pdf(invoice)) == 2
    texts = _texts(invoice)
    assert [text for text in texts if text.startswith("Seat ")] == [f"Seat {n}" for n in range(1, 46)]
    assert _has_run(texts, ["Total", "450.00 EUR"])


NAMES = ["Zoë Ŝimić-Łukasiewicz", "Ἀθηνᾶ Παπαδοπούλου", "Анна Ковальчук", "李小龙 田中さくら"]


@pytest.mark.django_db
@pytest.mark.dejavu
@pytest.mark.cjk_font
@pytest.mark.parametrize("name", NAMES)
def test_pdf_prints_the_buyers_name_and_address_as_typed(name):
    address = f"{name} c/o Ὁδὸς Ἑρμοῦ 12\nМосква 李家村"
    lines = [Line(f"Summit pass for {name}", Decimal("400.00"))]
    invoice = invoicing.invoice_issue(
        invoice=invoicing.invoice_create(
            currency="EUR", buyer={**BUYER, "buyer_name": name, "buyer_address": address}, lines=lines
        )
    )
    [page] = pdf_text.page_texts(invoice_pdf(invoice))
    lines_shown = page.splitlines()
    assert name in lines_shown and "Москва 李家村" in lines_shown
    assert f"{name} c/o Ὁδὸς Ἑρμοῦ 12" in lines_shown
    assert any(line.startswith(f"Summit pass for {name}") for line in lines_shown)


@pytest.mark.django_db
@pytest.mark.dejavu
def test_pdf_wraps_a_120_character_buyer_name_and_description_inside_the_page():
    name = ("Ŝtefánia Łukasiewicz-Ørsted Holding für Offene Infrastruktur und Ἀθηνᾶ Software " * 2)[:120]
    description = ("Platinum sponsorship of the Open Infrastructure Summit " * 2)[:110]
    invoice = invoicing.invoice_create(
        currency="EUR", buyer={**BUYER, "buyer_name": name}, lines=[Line(description, Decimal("125000.00"))]
    )
    shown = _shown(invoice)
    name_lines = [(x, y, text) for x, y, text in shown if text and text in name and len(text) > 10]
    assert len(name_lines) > 1 and " ".join(text for _, _, text in name_lines) == name.strip()
    description_lines = [(x, y, text) for x, y, text in shown if text in description and len(text) > 10]
    assert len(description_lines) > 1 and " ".join(t for _, _, t in description_lines) == description.strip()
    amount_y = next(y for _, y, text in shown if text == "125,000.00 EUR")
    assert amount_y == description_lines[0][1]  # the amount beside the description's first line
    assert next(y for _, y, text in shown if text == "Net") < description_lines[-1][1]  # the totals below
    assert all(0 < x < pdf_text.A4_WIDTH - 50 for x, _, _ in shown)
    assert pdf_text.page_count(invoice_pdf(invoice)) == 1


@pytest.mark.django_db
def test_pdf_of_a_paid_invoice_says_paid_and_when_instead_of_when_it_is_due():
    with time_machine.travel("2026-06-03 10:00:00+00:00"):
        issued = invoicing.invoice_issue(invoice=_draft())
    [unpaid] = pdf_text.page_texts(invoice_pdf(issued))
    assert "Due: 03 July 2026" in unpaid.splitlines() and "PAID" not in unpaid.splitlines()
    with time_machine.travel("2026-06-20 10:00:00+00:00"):
        paid = invoicing.invoice_mark_paid(invoice=issued)
    [page] = pdf_text.page_texts(invoice_pdf(paid))
    lines = page.splitlines()
    assert lines[:3] == [f"Invoice {paid.number}", "PAID", "Paid on 20 June 2026"]
    assert not any(line.startswith("Due:") for line in lines)


@pytest.mark.django_db
def test_pdf_of_a_void_invoice_says_void():
    void = invoicing.invoice_void(invoice=invoicing.invoice_issue(invoice=_draft()))
    [page] = pdf_text.page_texts(invoice_pdf(void))
    assert page.splitlines()[:2] == [f"Invoice {void.number}", "VOID"]


@pytest.mark.django_db
def test_pdf_without_the_fonts_is_still_drawn_in_helvetica_with_a_warning(settings, tmp_path, caplog):
    settings.PDF_FONT_DIR = str(tmp_path)
    invoice = invoicing.invoice_issue(
        invoice=invoicing.invoice_create(
            currency="EUR", buyer={**BUYER, "buyer_name": "Łukasz Żółw Ŝimić"}, lines=LINES
        )
    )
    with caplog.at_level("WARNING", logger="portal.core.pdf"):
        [page] = pdf_text.page_texts(invoice_pdf(invoice))
    assert "?ukasz Zó?w Simic" in page.splitlines() and "11,950.00 EUR" in page
    assert any("DejaVu" in record.getMessage() for record in caplog.records)


# --- bank transfers -------------------------------------------------------------------------------------


@pytest.fixture
def transfer(db, fulfilments, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the invoice is mailed
        return bank_transfer_invoiced()


def test_bank_transfer_invoice_carries_the_instructions_and_is_mailed(transfer):
    payment, invoice = transfer
    assert invoice.status == InvoiceStatus.ISSUED
    assert invoice.number in invoice.notes and "IBAN" in invoice.notes
    [message] = mail.outbox
    assert message.to == [BUYER["buyer_email"]]
    assert message.attachments[0][0] == f"{invoice.number}.pdf"


def test_marking_a_transfer_received_fulfils_once_and_pays_the_invoice(
    transfer, fulfilments, admin_user, django_capture_on_commit_callbacks
):
    payment, invoice = transfer
    with django_capture_on_commit_callbacks(execute=True):
        transfer_received(payment, "11000", reference="X", actor=admin_user)
    payment.refresh_from_db()
    # Short: open as partly paid, nothing fulfilled, no receipt; the rest arrives in a second transfer.
    assert payment.status == PaymentStatus.CREATED and payment.is_partly_paid
    assert payment.amount_outstanding == Decimal("950.00") and fulfilments.succeeded == []
    assert not [m for m in mail.outbox if m.subject.startswith("Payment received")]
    with django_capture_on_commit_callbacks(execute=True):
        transfer_received(payment, "950.00", reference="BANK-REF-9", actor=admin_user)
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.transfer_reference == "BANK-REF-9"
    assert invoice.status == InvoiceStatus.PAID
    assert fulfilments.succeeded == [payment.pk]
    receipt = mail.outbox[-1]
    assert receipt.subject == "Payment received: 11,950.00 EUR" and receipt.attachments
    assert payment.amount_received == Decimal("11950.00") and payment.amount_written_off == 0
    # The same amount again is a second transfer: it goes back to the payer, nothing is fulfilled twice.
    transfer_received(payment, "11950.00", reference="AGAIN", actor=admin_user)
    assert fulfilments.succeeded == [payment.pk]
    [task] = payment.payer_returns.all()
    assert (task.amount, task.payer_reference, task.done_at) == (Decimal("11950.00"), "AGAIN", None)
    assert fulfilments.succeeded == [payment.pk]


def test_refunds_of_a_transfer_issue_credit_notes_and_tell_owner_and_payer(
    transfer, fulfilments, admin_user, django_capture_on_commit_callbacks
):
    payment, invoice = transfer
    transfer_received(payment, payment.amount, reference="R", actor=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(payment=payment, amount=Decimal("950.00"), reason="Seat unused", actor=admin_user)
    with pytest.raises(Exception, match="At most 11,000.00 EUR"):
        services.payment_refund(payment=payment, amount=Decimal("11000.01"), reason="Too much", actor=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(payment=payment, amount=Decimal("11000.00"), reason="Cancelled", actor=admin_user)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED
    notes = list(invoice.credit_notes.order_by("sequence"))
    assert [n.total for n in notes] == [Decimal("950.00"), Decimal("11000.00")]
    assert all(n.number.startswith("CN-") and n.refund is not None for n in notes)
    assert fulfilments.refunded == [(payment.pk, "950.00"), (payment.pk, "11000.00")]
    # A wire is not refunded by a gateway: each refund waits, as a return task, until Finance send it.
    assert [r.status for r in payment.refunds.order_by("id")] == ["pending", "pending"]
    assert sorted(t.amount for t in payment.payer_returns.all()) == [Decimal("950.00"), Decimal("11000.00")]
    notices = [m for m in mail.outbox if m.to == [payment.payer_email] and "returned to you" in m.subject]
    assert [m.subject for m in notices] == ["950.00 EUR to be returned to you", "11,000.00 EUR to be returned to you"]
    assert "by bank transfer to the account it came from" in notices[0].body and "card" not in notices[0].body
    assert notices[0].attachments[0][0] == f"{notes[0].number}.pdf"


def test_reminder_before_the_due_date_is_sent_once(transfer, django_capture_on_commit_callbacks):
    payment, invoice = transfer
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert invoicing.invoice_reminders_send(today=invoice.due_on - timedelta(days=20)) == 0
        assert invoicing.invoice_reminders_send(today=invoice.due_on - timedelta(days=3)) == 1
        assert invoicing.invoice_reminders_send(today=invoice.due_on - timedelta(days=2)) == 0
    [reminder] = mail.outbox
    assert reminder.subject.startswith(f"Reminder: invoice {invoice.number}")


@pytest.mark.django_db
def test_a_yen_invoice_rounds_its_unit_prices_to_whole_yen():
    invoice = invoicing.invoice_create(
        currency="JPY", buyer=dict(BUYER), lines=[Line("Workshop seat", Decimal("4999.5"), quantity=Decimal("2"))]
    )
    line = invoice.lines.get()
    assert line.unit_price == Decimal("5000")
    assert invoice.total == Decimal("10000")
