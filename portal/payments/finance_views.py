"""The finance screens in the Wagtail admin: payments, invoices, refunds, transfers, exports. Finance group only."""

from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal.core import money
from portal.core.csv_writer import safe_writer
from portal.core.exceptions import ApplicationError
from portal.core.outcome import carry_out
from portal.payments import invoicing, selectors, services, tasks
from portal.payments.filters import InvoiceFilter, PaymentFilter
from portal.payments.forms import (
    CreditNoteForm,
    HeldDecisionForm,
    InvoiceBuyerForm,
    PayerReturnDoneForm,
    PeriodForm,
    RefundForm,
    TransferReceivedForm,
)
from portal.payments.models import InvoiceStatus, PaymentMethod, PaymentStatus
from portal.payments.pdf import invoice_pdf


def finance_only(view):
    """403 for anyone outside the Finance group (Wagtail would turn PermissionDenied into a redirect)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not selectors.user_is_finance(request.user):
            return render(request, "payments/finance/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _page(request: HttpRequest, queryset, per_page: int = 50):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


@finance_only
def payments(request: HttpRequest) -> HttpResponse:
    filterset = PaymentFilter(request.GET, queryset=selectors.payments_for_finance())
    return render(
        request,
        "payments/finance/payments.html",
        {"filter": filterset, "page_obj": _page(request, filterset.qs), "period_form": PeriodForm()},
    )


@finance_only
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    payment = selectors.payment_for_finance(pk)
    return render(
        request,
        "payments/finance/payment_detail.html",
        {
            "payment": payment,
            "audit_trail": selectors.payment_audit_trail(payment),
            "refund_form": RefundForm(initial={"amount": payment.amount_refundable}),
            "transfer_form": TransferReceivedForm(initial={"amount": payment.amount_outstanding}),
            "return_form": PayerReturnDoneForm(),
            "held_form": HeldDecisionForm(),
            "can_refund": payment.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED)
            and not payment.is_refused,
            # A transfer can be recorded on an open one, and on a paid one (it came twice: it goes back).
            "can_mark_received": payment.method == PaymentMethod.BANK_TRANSFER
            and payment.status in (PaymentStatus.CREATED, PaymentStatus.SUCCEEDED),
        },
    )


def _form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(request, f"{field}: {error}" if field != "__all__" else error)


@require_POST
@finance_only
def payment_refund(request: HttpRequest, pk: int) -> HttpResponse:
    payment = selectors.payment_for_finance(pk)
    form = RefundForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.payment_refund(
                payment=payment,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Refund recorded.")
    return redirect("payments_finance:payment", pk=pk)


@require_POST
@finance_only
def payment_mark_received(request: HttpRequest, pk: int) -> HttpResponse:
    payment = selectors.payment_for_finance(pk)
    form = TransferReceivedForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.payment_mark_transfer_received(payment=payment, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            payment.refresh_from_db()
            if payment.is_partly_paid:
                outstanding = money.format_money(payment.amount_outstanding, payment.currency)
                messages.success(request, f"Transfer recorded; partly paid, {outstanding} outstanding.")
            elif payment.is_paid and not payment.is_refused:
                messages.success(request, "Transfer recorded; the payment has succeeded.")
            else:
                messages.success(request, "Transfer recorded.")
    return redirect("payments_finance:payment", pk=pk)


@require_POST
@finance_only
def payment_accept_short(request: HttpRequest, pk: int) -> HttpResponse:
    carry_out(
        request,
        lambda: services.payment_accept_short(payment=selectors.payment_for_finance(pk), actor=request.user),
        done="Accepted as paid; the difference is written off.",
    )
    return redirect("payments_finance:payment", pk=pk)


@require_POST
@finance_only
def payment_held_decide(request: HttpRequest, pk: int) -> HttpResponse:
    form = HeldDecisionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("payments_finance:payment", pk=pk)
    decide, done = {
        "return": (services.payment_held_return, "Refunded at Stripe; the payer is told and may pay again."),
        "accept": (services.payment_held_accept, "Accepted as paid; what it was for is confirmed."),
    }[form.cleaned_data["decision"]]
    carry_out(
        request,
        lambda: decide(
            payment=selectors.payment_for_finance(pk), reason=form.cleaned_data["reason"], actor=request.user
        ),
        done=done,
    )
    return redirect("payments_finance:payment", pk=pk)


@finance_only
def payer_returns(request: HttpRequest) -> HttpResponse:
    """Money to send back by bank transfer: open tasks first."""
    return render(
        request,
        "payments/finance/payer_returns.html",
        {"page_obj": _page(request, selectors.payer_returns_for_finance())},
    )


@require_POST
@finance_only
def payer_return_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.payer_return_for_finance(pk)
    form = PayerReturnDoneForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.payer_return_complete(
                payer_return=task, sent_reference=form.cleaned_data["sent_reference"], actor=request.user
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Marked sent: {task.amount_display} to {task.payment.payer_email}.")
    if request.POST.get("next") == "payment":
        return redirect("payments_finance:payment", pk=task.payment_id)
    return redirect("payments_finance:payer_returns")


@require_POST
@finance_only
def payment_sync(request: HttpRequest, pk: int) -> HttpResponse:
    carry_out(
        request,
        lambda: services.payment_sync(payment_id=selectors.payment_for_finance(pk).pk),
        done="Re-read from Stripe.",
    )
    return redirect("payments_finance:payment", pk=pk)


@require_POST
@finance_only
def reconcile(request: HttpRequest) -> HttpResponse:
    """On demand: the same reconciliation the beat runs every 15 minutes."""
    tasks.reconcile_payments.delay()
    messages.success(request, "Reconciliation started: open payments are being re-read from Stripe.")
    return redirect("payments_finance:payments")


@finance_only
def invoices(request: HttpRequest) -> HttpResponse:
    filterset = InvoiceFilter(request.GET, queryset=selectors.invoices_for_finance())
    return render(
        request,
        "payments/finance/invoices.html",
        {"filter": filterset, "page_obj": _page(request, filterset.qs), "period_form": PeriodForm()},
    )


@finance_only
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_for_finance(pk)
    buyer_form = None
    if invoice.is_editable:
        buyer_form = InvoiceBuyerForm(request.POST or None, instance=invoice)
        if request.method == "POST" and buyer_form.is_valid():
            carry_out(
                request,
                lambda: invoicing.invoice_update_buyer(invoice=invoice, actor=request.user, **buyer_form.cleaned_data),
                done="Buyer's details saved.",
            )
            return redirect("payments_finance:invoice", pk=pk)
    elif request.method == "POST":
        messages.error(request, "An issued invoice cannot be changed: issue a credit note instead.")
        return redirect("payments_finance:invoice", pk=pk)
    return render(
        request,
        "payments/finance/invoice_detail.html",
        {
            "invoice": invoice,
            "buyer_form": buyer_form,
            "credit_form": CreditNoteForm(),
            "can_credit": invoice.kind == "invoice" and invoice.status in (InvoiceStatus.ISSUED, InvoiceStatus.PAID),
            "can_void": invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.ISSUED),
        },
    )


def _invoice_action(request: HttpRequest, pk: int, action, success: str) -> HttpResponse:
    invoice = selectors.invoice_for_finance(pk)
    try:
        result = action(invoice)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("payments_finance:invoice", pk=pk)
    messages.success(request, success)
    return redirect("payments_finance:invoice", pk=getattr(result, "pk", pk))


@require_POST
@finance_only
def invoice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    return _invoice_action(request, pk, lambda i: invoicing.invoice_issue(invoice=i, actor=request.user), "Issued.")


@require_POST
@finance_only
def invoice_void(request: HttpRequest, pk: int) -> HttpResponse:
    return _invoice_action(request, pk, lambda i: invoicing.invoice_void(invoice=i, actor=request.user), "Voided.")


@require_POST
@finance_only
def invoice_credit(request: HttpRequest, pk: int) -> HttpResponse:
    form = CreditNoteForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("payments_finance:invoice", pk=pk)
    return _invoice_action(
        request,
        pk,
        lambda i: invoicing.credit_note_issue(invoice=i, actor=request.user, **form.cleaned_data),
        "Credit note issued.",
    )


@finance_only
def invoice_download(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_for_finance(pk)
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number or f"draft-{invoice.pk}"}.pdf"'
    return response


def _tax_report(writer, kind: str, *, start, end) -> None:
    """Tax collected per country and rate, or reverse-charged sales per buyer (an EC Sales List)."""
    if kind == "tax":
        writer.writerow(["country", "rate (%)", "net", "tax", "gross", "currency"])
        for row in selectors.tax_collected(start=start, end=end):
            writer.writerow(
                [row["country"], row["rate"], row["net"], row["tax"], row["net"] + row["tax"], row["currency"]]
            )
        return
    writer.writerow(["buyer country", "buyer VAT number", "buyer", "net", "currency"])
    for row in selectors.reverse_charged_sales(start=start, end=end):
        writer.writerow([row["country"], row["vat_id"], row["buyer"], row["net"], row["currency"]])


@finance_only
def export(request: HttpRequest, kind: str) -> HttpResponse:
    """CSV of payments (by creation date) or invoices (by issue date) for a period, as accountants ask."""
    if kind not in ("payments", "invoices", "tax", "ec-sales"):
        raise Http404("No such export")
    form = PeriodForm(request.GET)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(reverse(f"payments_finance:{kind if kind in ('payments', 'invoices') else 'invoices'}"))
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-{start}-{end}.csv"'
    writer = safe_writer(response)
    if kind in ("tax", "ec-sales"):
        _tax_report(writer, kind, start=start, end=end)
    elif kind == "payments":
        writer.writerow(
            [
                "created",
                "reference",
                "status",
                "method",
                "amount",
                "refunded",
                "currency",
                "payer",
                "what for",
                "description",
                "stripe payment intent",
                "transfer reference",
            ]
        )
        rows = selectors.payments_for_finance().filter(created_at__date__gte=start, created_at__date__lte=end)
        for p in rows.order_by("created_at", "id"):
            writer.writerow(
                [
                    p.created_at.isoformat(),
                    p.public_id,
                    p.status,
                    p.method,
                    p.amount,
                    p.amount_refunded,
                    p.currency,
                    p.payer_email,
                    f"{p.owner_label}:{p.owner_object_id}",
                    p.description,
                    p.stripe_payment_intent_id,
                    p.transfer_reference,
                ]
            )
    else:
        writer.writerow(
            [
                "number",
                "kind",
                "status",
                "issued",
                "due",
                "buyer",
                "country",
                "VAT ID",
                "PO number",
                "net",
                "tax",
                "total",
                "currency",
                "credits",
            ]
        )
        rows = selectors.invoices_for_finance().exclude(number="").filter(issued_on__gte=start, issued_on__lte=end)
        for i in rows.order_by("series", "year", "sequence"):
            writer.writerow(
                [
                    i.number,
                    i.kind,
                    i.status,
                    i.issued_on,
                    i.due_on,
                    i.buyer_name,
                    i.buyer_country,
                    i.buyer_vat_id,
                    i.buyer_po_number,
                    i.net_total,
                    i.tax_total,
                    i.total,
                    i.currency,
                    i.credited_invoice.number if i.credited_invoice_id else "",
                ]
            )
    return response
