"""Writes to the payment ledger. Every change happens under a row lock on the payment and is audited.

The rules that keep money safe:
- a Payment creates at most one PaymentIntent: it is created under the payment's row lock and its id
  is stored at once; a retry or a double click reads that id back instead of creating another;
- a status only moves along ALLOWED_TRANSITIONS, so a late or repeated event never moves it backwards;
- the owner is fulfilled exactly once, inside the transaction that records the success; a second
  payment that succeeds for an owner already paid is refunded automatically and staff are told.
"""

import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from portal.core import money
from portal.core.audit import audit, audit_batch
from portal.core.tasking import enqueue_on_commit
from portal.payments import gateway, registry
from portal.payments.exceptions import (
    BelowMinimumCharge,
    PaymentDeclined,
    PaymentError,
    PaymentNotPayable,
    PaymentServiceUnavailable,
    RefundTooLarge,
)
from portal.payments.models import (
    PAID_STATUSES,
    Invoice,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundStatus,
    StripeEvent,
)

logger = logging.getLogger(__name__)

S = PaymentStatus

# PaymentIntent status -> ours.
_FROM_INTENT = {
    "succeeded": S.SUCCEEDED,
    "processing": S.PROCESSING,
    "requires_capture": S.PROCESSING,
    "requires_action": S.REQUIRES_ACTION,
    "requires_confirmation": S.REQUIRES_ACTION,
    "requires_payment_method": S.FAILED,
    "canceled": S.CANCELED,
}
METADATA_KEY = "guildhall_payment"


def _lock(payment_pk: int) -> Payment:
    return Payment.objects.select_for_update().get(pk=payment_pk)


def _lock_owner(payment: Payment) -> None:
    """Serialise the successes of one owner's payments, so a double success is always seen.

    The locked row becomes `payment.owner`, so the owner's handler reads it without another query.
    """
    model = ContentType.objects.get_for_id(payment.owner_content_type_id).model_class()
    if model is not None:
        owner = model._base_manager.select_for_update().filter(pk=payment.owner_object_id).first()
        if owner is not None:
            Payment._meta.get_field("owner").set_cached_value(payment, owner)


def payment_create(
    *,
    owner: models.Model,
    amount: Decimal,
    currency: str,
    payer_email: str,
    description: str = "",
    return_url: str = "",
    method: str = PaymentMethod.CARD,
    actor=None,
) -> Payment:
    """A payment for `owner`; amounts are positive, exact in the currency and, for cards, above Stripe's minimum."""
    if not isinstance(amount, Decimal):
        raise TypeError("amount must be a Decimal")
    currency = money.normalise_currency(currency)
    if currency not in money.SUPPORTED_CURRENCIES:
        raise PaymentError(f"Payments in {currency} are not supported.")
    if amount <= 0:
        # Free amounts never reach Stripe: the owner's service skips payment for a zero total.
        raise PaymentError("Nothing to pay: a free amount needs no payment.")
    try:
        money.to_minor(amount, currency)
    except ValueError as error:
        raise PaymentError(str(error)) from error
    if method == PaymentMethod.CARD and amount < money.minimum_charge(currency):
        minimum = money.format_money(money.minimum_charge(currency), currency)
        raise BelowMinimumCharge(f"A card payment must be at least {minimum}.")
    label = registry.label_of(owner)
    if not registry.is_registered(label):
        raise ValueError(f"No payment handler is registered for {label}: call registry.register() in its app.")
    with transaction.atomic():
        payment = Payment.objects.create(
            owner_content_type=ContentType.objects.get_for_model(owner, for_concrete_model=False),
            owner_object_id=str(owner.pk),
            amount=amount,
            currency=currency,
            method=method,
            payer_email=payer_email,
            description=description[:300],
            return_url=return_url,
        )
        audit(
            "guildhall.payment.create",
            payment,
            actor=actor,
            data={"amount": str(amount), "currency": currency, "owner": f"{label}:{owner.pk}"},
        )
    return payment


def payment_replace(*, payment: Payment, by: Payment | None, reason: str, actor=None) -> Payment:
    """What `payment` was for changed before it was paid: it can no longer be paid, and its pay page sends
    the payer to `by` (None: nothing is left to pay). A payment already under way at Stripe, or paid,
    cannot be replaced: the change waits until it settles."""
    with transaction.atomic():
        locked = _lock(payment.pk)
        if locked.replaced_at is not None:
            return locked
        if locked.is_paid or locked.status in (S.REQUIRES_ACTION, S.PROCESSING):
            raise PaymentNotPayable(
                "A payment of this invoice is already under way or made: wait until it settles, then try again."
            )
        if locked.status == S.CREATED:
            locked.move_to(S.CANCELED)
        locked.replaced_by, locked.replaced_at = by, timezone.now()
        locked.save(update_fields=["status", "replaced_by", "replaced_at", "updated_at"])
        audit(
            "guildhall.payment.replace",
            locked,
            actor=actor,
            data={"by": by.public_id if by is not None else "", "reason": reason},
        )
    return locked


def payment_retry(*, payment: Payment, actor=None) -> Payment:
    """After a decline, the payer tries again with a new payment for the same owner."""
    if payment.replaced_at is not None:
        raise PaymentNotPayable("This payment was replaced: pay the one its page links to.")
    if payment.status not in (S.FAILED, S.CANCELED):
        raise PaymentNotPayable("Only a failed or canceled payment can be tried again.")
    owner = payment.owner
    if owner is None:
        raise PaymentNotPayable("What this payment was for no longer exists.")
    if Payment.objects.filter(
        owner_content_type=payment.owner_content_type,
        owner_object_id=payment.owner_object_id,
        status__in=PAID_STATUSES,
    ).exists():
        raise PaymentNotPayable("This has already been paid.")
    return payment_create(
        owner=owner,
        amount=payment.amount,
        currency=payment.currency,
        payer_email=payment.payer_email,
        description=payment.description,
        return_url=payment.return_url,
        method=payment.method,
        actor=actor,
    )


def payment_pay_with_card(*, payment: Payment, token: str, actor=None) -> Payment:
    """Save the browser's card token on a Customer and create+confirm the payment's one PaymentIntent.

    Raises PaymentDeclined (the payment is then `failed`, with the bank's message) or
    PaymentServiceUnavailable (nothing changed).
    """
    declined: PaymentDeclined | None = None
    with transaction.atomic(), audit_batch():
        locked = _lock(payment.pk)
        if locked.stripe_payment_intent_id:
            # A repeat or concurrent submission: read back the intent created before, never another.
            _apply_intent(locked, gateway.intent_retrieve(locked.stripe_payment_intent_id), actor=actor)
            return locked
        if locked.status != S.CREATED:
            raise PaymentNotPayable("This payment can no longer be paid.")
        if locked.method != PaymentMethod.CARD:
            raise PaymentNotPayable("This payment is not paid by card.")
        try:
            customer = gateway.card_customer_create(
                email=locked.payer_email, token=token, idempotency_key=f"guildhall-customer-{locked.public_id}"
            )
            locked.stripe_customer_id = customer.customer_id
            intent = gateway.intent_create_and_confirm(
                amount_minor=money.to_minor(locked.amount, locked.currency),
                currency=locked.currency,
                customer_id=customer.customer_id,
                payment_method=customer.card_id,
                metadata={METADATA_KEY: locked.public_id},
                idempotency_key=f"guildhall-intent-{locked.public_id}",
                return_url=f"{settings.SITE_URL}{locked.get_return_url()}",
            )
        except PaymentDeclined as error:
            declined = error
            locked.stripe_payment_intent_id = error.extra.get("payment_intent") or ""
            _move(locked, S.FAILED, actor=actor, failure_message=error.message[:500])
        else:
            locked.stripe_payment_intent_id = intent.id
            if not _apply_intent(locked, intent, actor=actor):  # a move saves the ids with the status
                locked.save(update_fields=["stripe_payment_intent_id", "stripe_customer_id", "updated_at"])
    if declined is not None:
        raise declined
    return locked


def payment_sync(*, payment_id: int) -> Payment:
    """Read the payment's PaymentIntent from Stripe and record the truth (return page, reconciliation)."""
    with transaction.atomic():
        locked = _lock(payment_id)
        if locked.stripe_payment_intent_id and locked.method == PaymentMethod.CARD:
            _apply_intent(locked, gateway.intent_retrieve(locked.stripe_payment_intent_id))
        return locked


def payments_reconcile(*, older_than: timedelta | None = None) -> int:
    """Re-read every card payment left open for a while; a lost webhook loses no payment. Returns how many."""
    from portal.payments.selectors import payments_to_reconcile

    if older_than is None:
        older_than = timedelta(seconds=getattr(settings, "PAYMENTS_RECONCILE_AFTER_SECONDS", 300))
    before = timezone.now() - older_than
    # An event stored but never applied (a worker died): apply it now.
    for event_pk in StripeEvent.objects.filter(processed_at__isnull=True, received_at__lt=before).values_list(
        "pk", flat=True
    ):
        stripe_event_process(event_pk=event_pk)
    count = 0
    for payment_id in payments_to_reconcile(before=before).values_list("pk", flat=True):
        payment_sync(payment_id=payment_id)
        count += 1
    return count


def _apply_intent(payment: Payment, intent: gateway.IntentState, *, actor=None) -> bool:
    """Move a locked payment to what the PaymentIntent says, if the table allows; returns whether it moved."""
    target = _FROM_INTENT.get(intent.status)
    if target is None:
        logger.warning("Payment %s: unknown PaymentIntent status %r", payment.public_id, intent.status)
        return False
    if intent.customer_id and not payment.stripe_customer_id:
        payment.stripe_customer_id = intent.customer_id
    if target == payment.status:
        return False
    if not payment.can_move_to(target):
        logger.info("Payment %s: ignored %s -> %s (late or out of order)", payment.public_id, payment.status, target)
        return False
    fields: dict = {}
    if target == S.SUCCEEDED:
        fields = {"stripe_charge_id": intent.charge_id, "failure_message": ""}
    elif target == S.FAILED:
        fields = {"failure_message": (intent.error_message or "The payment was not completed.")[:500]}
    _move(payment, target, actor=actor, **fields)
    return True


def _move(payment: Payment, target: str, *, actor=None, **fields) -> None:
    """One transition of a locked payment: checked, saved, audited; a success fulfils its owner."""
    if not payment.can_move_to(target):
        raise PaymentNotPayable(f"A {payment.get_status_display().lower()} payment cannot become {target}.")
    previous = payment.status
    payment.move_to(target)
    for name, value in fields.items():
        setattr(payment, name, value)
    if target == S.SUCCEEDED:
        payment.succeeded_at = timezone.now()
    payment.save()
    audit(f"guildhall.payment.{target}", payment, actor=actor, data={"from": previous, **_jsonable(fields)})
    if target == S.SUCCEEDED:
        _fulfil(payment)
        if not payment.is_duplicate:
            from portal.payments import invoicing, tasks

            invoicing.invoices_paid_for_payment(payment=payment)
            # Documents and the receipt (a PDF to draw) need not keep the payer waiting: a task, after commit.
            enqueue_on_commit(tasks.send_receipt, payment.pk)


def _jsonable(fields: dict) -> dict:
    return {key: str(value) for key, value in fields.items()}


def _fulfil(payment: Payment) -> None:
    """Call the owner's handler once; a second success for a paid owner is refunded instead."""
    _lock_owner(payment)
    already_paid = (
        Payment.objects.filter(
            owner_content_type_id=payment.owner_content_type_id,
            owner_object_id=payment.owner_object_id,
            status__in=PAID_STATUSES,
            is_duplicate=False,
        )
        .exclude(pk=payment.pk)
        .exists()
    )
    if already_paid:
        payment.is_duplicate = True
        payment.save(update_fields=["is_duplicate", "updated_at"])
        audit(
            "guildhall.payment.duplicate", payment, data={"owner": f"{payment.owner_label}:{payment.owner_object_id}"}
        )
        from portal.payments import tasks

        enqueue_on_commit(tasks.refund_duplicate_payment, payment.pk)
        return
    handler = registry.get(payment.owner_label)
    if handler is None:
        logger.error("Payment %s succeeded but nothing is registered for %s", payment.public_id, payment.owner_label)
        return
    handler.on_succeeded(payment)


def payment_receipt_send(*, payment_id: int) -> bool:
    """Once per successful payment: its owner's documents (the handler's after_succeeded), its invoices
    marked paid, then the receipt with them. Returns whether it was sent now."""
    from portal.payments import emails, invoicing

    with transaction.atomic(), audit_batch():
        payment = _lock(payment_id)
        if payment.receipt_sent_at is not None or payment.succeeded_at is None or payment.is_duplicate:
            return False
        # Read once for the handler (has this payment an invoice?) and for marking them paid.
        prefetch_related_objects([payment], "invoices")
        issued = []
        handler = registry.get(payment.owner_label)
        if handler is not None and handler.after_succeeded is not None:
            issued = handler.after_succeeded(payment) or []
        invoices = invoicing.invoices_paid_for_payment(payment=payment) + issued
        payment.receipt_sent_at = timezone.now()
        payment.save(update_fields=["receipt_sent_at"])
        emails.send_receipt(payment=payment, invoices=invoices)
    return True


def payment_refund(
    *, payment: Payment, amount: Decimal, reason: str, actor=None, credit_note: Invoice | None = None
) -> Refund:
    """Refund up to what remains; card payments through Stripe, transfers recorded by hand.

    The owner is told through the registry, an invoiced payment gets a credit note (or `credit_note`, one
    issued already for this amount, now paid out), the payer an e-mail.
    Stripe is called last, so any refusal before it leaves nothing recorded and nothing refunded.
    """
    from portal.payments import emails, invoicing

    if not isinstance(amount, Decimal):
        raise TypeError("amount must be a Decimal")
    if amount <= 0:
        raise PaymentError("A refund must be more than zero.")
    if not reason.strip():
        raise PaymentError("A refund needs a reason.")
    with transaction.atomic():
        locked = _lock(payment.pk)
        if locked.status not in (S.SUCCEEDED, S.PARTIALLY_REFUNDED):
            raise PaymentNotPayable("Only a paid payment can be refunded.")
        if amount > locked.amount_refundable:
            remaining = money.format_money(locked.amount_refundable, locked.currency)
            raise RefundTooLarge(f"At most {remaining} can be refunded.")
        try:
            amount_minor = money.to_minor(amount, locked.currency)
        except ValueError as error:
            raise PaymentError(str(error)) from error
        refunded_before = locked.amount_refunded
        refund = Refund.objects.create(
            payment=locked,
            amount=amount,
            reason=reason[:300],
            status=RefundStatus.SUCCEEDED,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        locked.amount_refunded += amount
        target = S.REFUNDED if locked.amount_refunded == locked.amount else S.PARTIALLY_REFUNDED
        _move(locked, target, actor=actor, amount_refunded=locked.amount_refunded)
        audit("guildhall.refund.create", locked, actor=actor, data={"amount": str(amount), "reason": reason})
        invoice = locked.invoices.filter(kind="invoice", status__in=["issued", "paid"]).first()
        if credit_note is not None:
            if credit_note.refund_id is not None or credit_note.total != amount:
                raise PaymentError("This credit note is paid out already, or is for another amount.")
            credit_note.refund = refund
            credit_note.save(update_fields=["refund"])
        elif invoice is not None:
            invoicing.credit_note_issue(invoice=invoice, amount=amount, reason=reason, refund=refund, actor=actor)
        handler = registry.get(locked.owner_label)
        if handler is not None and handler.on_refunded is not None and not locked.is_duplicate:
            handler.on_refunded(locked, amount)
        if locked.method == PaymentMethod.CARD:
            answer = gateway.refund_create(
                intent_id=locked.stripe_payment_intent_id,
                amount_minor=amount_minor,
                # The same refund of the same payment state gets the same key, so a retried call is not a second refund.
                idempotency_key=f"guildhall-refund-{locked.public_id}-{refunded_before}-{amount}",
            )
            if answer.status in ("failed", "canceled"):
                raise PaymentError("Stripe refused the refund.")
            refund.stripe_refund_id = answer.id
            if answer.status != "succeeded":
                refund.move_to(RefundStatus.PENDING)
            refund.save(update_fields=["stripe_refund_id", "status"])
        emails.send_refund_notice(refund=refund)
    payment.refresh_from_db()
    return refund


def payment_mark_transfer_received(*, payment: Payment, amount: Decimal, received_on, reference: str, actor) -> Payment:
    """Staff record a bank transfer that arrived: the payment succeeds and its owner is fulfilled, once."""
    with transaction.atomic():
        locked = _lock(payment.pk)
        if locked.method != PaymentMethod.BANK_TRANSFER:
            raise PaymentNotPayable("Only a bank-transfer payment can be marked received.")
        if locked.status != S.CREATED:
            raise PaymentNotPayable(f"This payment is already {locked.get_status_display().lower()}.")
        if amount != locked.amount:
            expected = money.format_money(locked.amount, locked.currency)
            raise PaymentError(
                f"The amount received must be {expected}; record a different amount with the payer first."
            )
        if received_on > timezone.localdate():
            raise PaymentError("The date received cannot be in the future.")
        _move(
            locked,
            S.SUCCEEDED,
            actor=actor,
            transfer_reference=reference[:140],
            transfer_received_on=received_on,
        )
    return locked


def payment_refund_duplicate(*, payment_id: int) -> Refund | None:
    """Refund in full a payment that succeeded for an owner already paid, and tell the finance team."""
    payment = Payment.objects.get(pk=payment_id)
    if not payment.is_duplicate or payment.status != S.SUCCEEDED:
        return None
    refund = payment_refund(payment=payment, amount=payment.amount, reason="Duplicate payment, refunded automatically")
    from portal.payments import emails

    emails.send_duplicate_refunded(payment=payment)
    return refund


def _event_is_handled(event_type: str) -> bool:
    """The events that can move a payment; an endpoint subscribes to these (gateway.WEBHOOK_EVENTS)."""
    return event_type.startswith("payment_intent.")


def stripe_event_receive(*, payload: bytes, signature: str | None) -> tuple[StripeEvent | None, bool]:
    """A webhook delivery: verify its signature (WebhookSignatureInvalid otherwise), then record it once.

    An event of a type we never act on (customer.created…) is answered without a row or a task.
    """
    event = gateway.event_construct(payload, signature)
    if not _event_is_handled(str(event.get("type", ""))):
        return None, False
    return stripe_event_record(event=event)


def payment_client_secret(*, payment: Payment) -> str:
    """The secret the browser needs to run 3-D Secure for a payment that requires action (not stored)."""
    if payment.status != S.REQUIRES_ACTION or not payment.stripe_payment_intent_id:
        return ""
    return gateway.intent_retrieve(payment.stripe_payment_intent_id).client_secret


def stripe_event_record(*, event: dict) -> tuple[StripeEvent, bool]:
    """Store a verified event once; only the first delivery of an id enqueues its processing."""
    from portal.payments import tasks

    try:
        with transaction.atomic():
            recorded = _success_already_recorded(event)
            # Insert first (the usual first delivery); the unique id refuses a repeat.
            stored = StripeEvent.objects.create(
                event_id=event["id"],
                type=event.get("type", ""),
                payload=event,
                payment_id=recorded,
                processed_at=timezone.now() if recorded else None,
            )
            if recorded is None:
                enqueue_on_commit(tasks.process_stripe_event, stored.pk)
    except IntegrityError:
        # A repeat, or a concurrent delivery of the same id that won the insert.
        return StripeEvent.objects.get(event_id=event["id"]), False
    return stored, True


def _success_already_recorded(event: dict) -> int | None:
    """The payment whose success `event` reports, when the ledger holds it already; else None.

    The card form usually records the success before Stripe's webhook arrives. A paid payment never
    moves back to succeeded (ALLOWED_TRANSITIONS), so processing such an event could change nothing:
    it is stored as processed, without a task.
    """
    if event.get("type") != "payment_intent.succeeded":
        return None
    intent_id = ((event.get("data") or {}).get("object") or {}).get("id")
    if not intent_id:
        return None
    paid = Payment.objects.filter(stripe_payment_intent_id=intent_id, status__in=PAID_STATUSES)
    return paid.values_list("pk", flat=True).first()


def stripe_event_process(*, event_pk: int) -> None:
    """Apply one event exactly once: lock it, skip it if processed, apply and mark it in one transaction."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if event.processed_at is not None:
            return
        obj = (event.payload.get("data") or {}).get("object") or {}
        if _event_is_handled(event.type) and obj.get("id"):
            intent = gateway.intent_state_from(obj)
            payment = _payment_for_intent(intent)
            if payment is not None:
                event.payment = payment
                _apply_intent(payment, intent)
        event.processed_at = timezone.now()
        event.save(update_fields=["processed_at", "payment"])


def _payment_for_intent(intent: gateway.IntentState) -> Payment | None:
    """The locked payment an intent belongs to: by its stored id, else by our metadata if none is stored yet."""
    payment = Payment.objects.select_for_update().filter(stripe_payment_intent_id=intent.id).first()
    if payment is not None:
        return payment
    public_id = intent.metadata.get(METADATA_KEY)
    if not public_id:
        return None
    payment = Payment.objects.select_for_update().filter(public_id=public_id).first()
    if payment is None or payment.stripe_payment_intent_id:
        return None  # an intent we do not track (another attempt of that payment's id cannot exist)
    if intent.status == "succeeded":
        # Money moved on an intent whose id we never stored (a lost answer): adopt it.
        payment.stripe_payment_intent_id = intent.id
        payment.save(update_fields=["stripe_payment_intent_id", "updated_at"])
        return payment
    return None


__all__ = [
    "PaymentServiceUnavailable",
    "payment_create",
    "payment_mark_transfer_received",
    "payment_pay_with_card",
    "payment_receipt_send",
    "payment_refund",
    "payment_refund_duplicate",
    "payment_retry",
    "payment_sync",
    "payments_reconcile",
    "stripe_event_process",
    "payment_client_secret",
    "stripe_event_receive",
    "stripe_event_record",
]
