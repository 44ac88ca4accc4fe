"""The pay page, its return page and Stripe's webhook. Views parse, fetch and call one service."""

import logging

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from portal.core.exceptions import ApplicationError
from portal.payments import emails, selectors, services
from portal.payments.exceptions import (
    PaymentDeclined,
    PaymentError,
    PaymentNotPayable,
    PaymentServiceUnavailable,
    WebhookMalformed,
    WebhookSignatureInvalid,
)
from portal.payments.models import PaymentMethod, PaymentStatus
from portal.payments.pdf import invoice_pdf

logger = logging.getLogger(__name__)


def _stripe_context() -> dict:
    return {"stripe_js_url": settings.STRIPE_JS_URL, "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY}


@never_cache
@require_GET
def pay(request: HttpRequest, public_id: str) -> HttpResponse:
    """The pay page: the card form, the 3-D Secure step, or the payment's status."""
    payment = selectors.payment_for_pay_page(public_id)
    client_secret = ""
    if payment.status == PaymentStatus.REQUIRES_ACTION:
        try:
            client_secret = services.payment_client_secret(payment=payment)
        except PaymentServiceUnavailable as error:
            messages.error(request, error.message)
    context = {
        "payment": payment,
        "refusal": services.payment_refusal(payment=payment),
        "client_secret": client_secret,
        # Only a bank transfer shows its invoice here (the instructions to pay it).
        "invoice": selectors.invoice_for_payment(payment) if payment.method == PaymentMethod.BANK_TRANSFER else None,
        "replacement": selectors.replacement_for_payer(payment),
        **_stripe_context(),
    }
    return render(request, "payments/pay.html", context)


@require_POST
def pay_card(request: HttpRequest, public_id: str) -> HttpResponse:
    """The browser posts the card token Stripe.js made; we create and confirm the one PaymentIntent."""
    payment = selectors.payment_for_payer(public_id)
    token = request.POST.get("token", "").strip()
    if not token:
        messages.error(request, "Enter your card details.")
        return redirect(payment.get_absolute_url())
    try:
        payment = services.payment_pay_with_card(payment=payment, token=token)
    except PaymentDeclined as error:
        messages.error(request, error.message)
        return redirect(payment.get_absolute_url())
    except ApplicationError as error:  # PaymentError, or PaymentNotPayable/PaymentRefused
        messages.error(request, error.message)
        return redirect(payment.get_absolute_url())
    if payment.status == PaymentStatus.REQUIRES_ACTION:
        return redirect(payment.get_absolute_url())
    return redirect(payment.get_return_url())


@require_POST
def retry(request: HttpRequest, public_id: str) -> HttpResponse:
    """After a decline: a new payment for the same thing, and its pay page."""
    payment = selectors.payment_for_payer(public_id)
    try:
        new_payment = services.payment_retry(payment=payment)
    except (PaymentError, PaymentNotPayable) as error:
        messages.error(request, error.message)
        return redirect(payment.get_return_url())
    return redirect(new_payment.get_absolute_url())


@never_cache
@require_GET
def payment_return(request: HttpRequest, public_id: str) -> HttpResponse:
    """Where the payer lands after paying: the ledger's status, refreshed from Stripe if still open."""
    payment = selectors.payment_for_payer(public_id)
    if payment.is_open and payment.stripe_payment_intent_id:
        try:
            payment = services.payment_sync(payment_id=payment.pk)
        except PaymentServiceUnavailable as error:
            messages.error(request, error.message)
    context = {
        "payment": payment,
        "invoice_number": "" if payment.is_refused else selectors.invoice_number_for_payment(payment),
        "refusal": services.payment_refusal(payment=payment),
        "how_money_comes_back": emails.how_money_comes_back(payment, payment.amount_display),
        "paid_message": services.payment_paid_message(payment=payment),
    }
    return render(request, "payments/return.html", context)


@require_GET
def invoice(request: HttpRequest, public_id: str) -> HttpResponse:
    """The payer's invoice as HTML, or as PDF with ?format=pdf; the unguessable id is the permission."""

    payment = selectors.payment_for_payer(public_id)
    document = selectors.invoice_for_payment(payment, with_lines=True)
    if document is None:
        raise Http404("No invoice for this payment")
    if request.GET.get("format") == "pdf":
        response = HttpResponse(invoice_pdf(document), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{document.number}.pdf"'
        return response
    return render(request, "payments/invoice.html", {"payment": payment, "invoice": document})


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Verify, store once, answer fast; a task applies the event."""
    try:
        services.stripe_event_receive(payload=request.body, signature=request.headers.get("Stripe-Signature"))
    except (WebhookSignatureInvalid, WebhookMalformed) as error:
        # A 4xx: Stripe stops retrying what can never be read, and nothing was stored.
        logger.warning("Rejected a Stripe webhook: %s", error.message)
        return HttpResponseBadRequest(error.message, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok")
