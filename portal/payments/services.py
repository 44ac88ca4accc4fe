"""Writes to the payment ledger. Every change happens under a row lock on the payment and is audited.

The rules that keep money safe:
- a Payment creates at most one PaymentIntent: it is created under the payment's row lock and its id
  is stored at once; a retry or a double click reads that id back instead of creating another;
- a status only moves along ALLOWED_TRANSITIONS, so a late or repeated event never moves it backwards;
- the owner is fulfilled exactly once, inside the transaction that records the success; a second
  payment that succeeds for an owner already paid is refunded automatically and staff are told.
"""

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from portal.core import money
from portal.core.audit import audit, audit_batch
from portal.core.tasking import enqueue_on_commit, outbox_batch, outbox_in_place_work_unfinished
from portal.payments import emails, gateway, invoicing, registry, tasks
from portal.payments.exceptions import (
    BelowMinimumCharge,
    PaymentDeclined,
    PaymentError,
    PaymentNotPayable,
    PaymentRefused,
    PaymentServiceUnavailable,
    RefundTooLarge,
    WebhookMalformed,
)
from portal.payments.models import (
    PAID_STATUSES,
    Dispute,
    DisputeStatus,
    Invoice,
    PayerReturn,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundStatus,
    StripeEvent,
)
from portal.payments.registry import Refusal
from portal.payments.selectors import owner_paid_by_another, payments_to_reconcile, user_is_finance

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

    The locked row becomes `payment.owner`, so the owner's handler reads it without another query;
    a payment whose owner this transaction locked already is not locked again.
    """
    if getattr(payment, "_owner_locked", False):
        return
    model = ContentType.objects.get_for_id(payment.owner_content_type_id).model_class()
    if model is not None:
        owner = model._base_manager.select_for_update().filter(pk=payment.owner_object_id).first()
        if owner is not None:
            Payment._meta.get_field("owner").set_cached_value(payment, owner)
    payment._owner_locked = True  # type: ignore[attr-defined]


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


def _owner_paid_by_another(payment: Payment) -> bool:
    """Whether another payment paid the owner; under the owner's lock the answer holds for the transaction."""
    known = getattr(payment, "_paid_by_another", None)
    if known is not None:
        return known
    answer = owner_paid_by_another(payment)
    if getattr(payment, "_owner_locked", False):
        payment._paid_by_another = answer  # type: ignore[attr-defined]
    return answer


def payment_paid_message(*, payment: Payment) -> str:
    """What a paid payment got the payer, in the owner's words (its registry handler's paid_message)."""
    if not payment.is_paid or payment.is_refused or payment.held_reason:
        return ""
    handler = registry.get(payment.owner_label)
    if handler is None or handler.paid_message is None:
        return ""
    return handler.paid_message(payment)


def payment_refusal(*, payment: Payment) -> Refusal | None:
    """Whether what an unpaid payment is for can still be paid; asked before any money moves."""
    if payment.status != S.CREATED:
        return None
    if payment.held_reason:
        return Refusal("This payment is being checked by our finance team; they will contact you.")
    owner = payment.owner
    if owner is None:
        return Refusal("What this payment was for no longer exists.")
    if _owner_paid_by_another(payment):
        return Refusal("This has already been paid; there is nothing more to pay.", payment.return_url, "Continue")
    handler = registry.get(payment.owner_label)
    if handler is None or handler.refusal is None:
        return None
    return handler.refusal(owner)


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
        # The owner stays locked until the payment's outcome is recorded: it cannot expire or be
        # canceled between this check and the success (the expiry job skips locked rows).
        _lock_owner(locked)
        refusal = payment_refusal(payment=locked)
        if refusal is not None:
            raise PaymentRefused(refusal.message)
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
        mismatch = _intent_mismatch(payment, intent)
        if mismatch:
            _hold(payment, mismatch)
            return False
        fields = {"stripe_charge_id": intent.charge_id, "failure_message": ""}
    elif target == S.FAILED:
        fields = {"failure_message": (intent.error_message or "The payment was not completed.")[:500]}
    _move(payment, target, actor=actor, **fields)
    return True


def _intent_mismatch(payment: Payment, intent: gateway.IntentState) -> str:
    """Stripe's success must be for this payment's exact amount and currency; else why not."""
    expected = money.to_minor(payment.amount, payment.currency)
    if intent.currency == payment.currency and intent.amount_minor == expected:
        return ""
    reported = _reported_amount(intent)
    return f"Stripe reports {reported} paid for a payment of {payment.amount_display} ({intent.id})."[:300]


def _hold(payment: Payment, reason: str) -> None:
    """Hold a locked payment for Finance: nothing is fulfilled, Finance are told once."""
    if payment.held_reason:
        return
    payment.held_reason = reason
    payment.save(update_fields=["held_reason", "stripe_payment_intent_id", "stripe_customer_id", "updated_at"])
    audit("guildhall.payment.held", payment, data={"reason": reason})
    logger.warning("Payment %s held for finance: %s", payment.public_id, reason)

    enqueue_on_commit(tasks.send_finance_notice, payment.pk, "held")


def _held_intent(payment: Payment) -> gateway.IntentState:
    """What Stripe took for a held payment, read again at the moment Finance decide."""
    if not payment.held_reason:
        raise PaymentNotPayable("Only a payment held for finance can be decided this way.")
    intent = gateway.intent_retrieve(payment.stripe_payment_intent_id)
    if intent.status != "succeeded":
        raise PaymentError(f"Stripe reports this payment as {intent.status}, not taken: re-read it from Stripe.")
    return intent


def _reported_amount(intent: gateway.IntentState) -> str:
    """What Stripe took, as money ("1.00 USD"), or in minor units when the currency is unknown."""
    try:
        return money.format_money(money.from_minor(intent.amount_minor, intent.currency), intent.currency)
    except (ValueError, KeyError):
        return f"{intent.amount_minor} minor units of {intent.currency or 'no currency'}"


def payment_held_return(*, payment: Payment, reason: str, actor) -> Payment:
    """Finance give back, in full and in its own currency, what Stripe took for a held payment.

    Nothing was fulfilled, so the ledger gains nothing: the payment fails with Finance's reason, and the
    payer (told why, with a link) may pay the right amount again while what it is for can be paid.
    """
    _require_finance(actor)
    if not reason.strip():
        raise PaymentError("Say why the money goes back; the payer reads it.")
    with transaction.atomic():
        locked = _lock(payment.pk)
        intent = _held_intent(locked)
        held, returned = locked.held_reason, _reported_amount(intent)
        _move(locked, S.FAILED, actor=actor, held_reason="", failure_message=f"Returned by finance: {reason}"[:500])
        audit(
            "guildhall.payment.held_returned",
            locked,
            actor=actor,
            data={"returned": returned, "reason": reason, "held": held},
        )
        emails.send_held_returned(payment=locked, returned=returned, reason=reason)
        # Stripe last: a refusal before it leaves nothing recorded; a retry reuses the same key.
        answer = gateway.refund_create(
            intent_id=intent.id,
            amount_minor=intent.amount_minor,
            idempotency_key=f"guildhall-held-return-{locked.public_id}",
        )
        if answer.status in ("failed", "canceled"):
            raise PaymentError("Stripe refused the refund.")
    return locked


def payment_held_accept(*, payment: Payment, reason: str, actor) -> Payment:
    """Finance accept a held payment as paid after checking it (same currency only): what it is for is
    fulfilled once, a shortfall is written off (audited) and a surplus refunded to the card."""
    _require_finance(actor)
    if not reason.strip():
        raise PaymentError("Say why this payment is accepted.")
    with transaction.atomic():
        locked = _lock(payment.pk)
        intent = _held_intent(locked)
        if intent.currency != locked.currency:
            raise PaymentError(
                f"Stripe took {_reported_amount(intent)}, another currency than {locked.currency}: return it instead."
            )
        expected = money.to_minor(locked.amount, locked.currency)
        fields: dict = {"held_reason": "", "stripe_charge_id": intent.charge_id, "failure_message": ""}
        if intent.amount_minor < expected:
            fields["amount_written_off"] = money.from_minor(expected - intent.amount_minor, locked.currency)
        audit(
            "guildhall.payment.held_accepted",
            locked,
            actor=actor,
            data={"taken": _reported_amount(intent), "reason": reason, "held": locked.held_reason},
        )
        _move(locked, S.SUCCEEDED, actor=actor, **fields)
        if intent.amount_minor > expected:
            surplus = intent.amount_minor - expected
            answer = gateway.refund_create(
                intent_id=intent.id, amount_minor=surplus, idempotency_key=f"guildhall-held-surplus-{locked.public_id}"
            )
            if answer.status in ("failed", "canceled"):
                raise PaymentError("Stripe refused to refund the surplus.")
            audit(
                "guildhall.payment.surplus_refunded",
                locked,
                actor=actor,
                data={"amount": str(money.from_minor(surplus, locked.currency)), "refund": answer.id},
            )
    return locked


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
        if not payment.is_refused:
            invoicing.invoices_paid_for_payment(payment=payment)
            # Documents and the receipt (a PDF to draw) need not keep the payer waiting: a task, after commit.
            enqueue_on_commit(tasks.send_receipt, payment.pk)


def _jsonable(fields: dict) -> dict:
    return {key: str(value) for key, value in fields.items()}


def _fulfil(payment: Payment) -> None:
    """Call the owner's handler once; a second success for a paid owner is refunded instead."""
    _lock_owner(payment)
    if _owner_paid_by_another(payment):
        payment.is_duplicate = True
        payment.save(update_fields=["is_duplicate", "updated_at"])
        audit(
            "guildhall.payment.duplicate", payment, data={"owner": f"{payment.owner_label}:{payment.owner_object_id}"}
        )
        _refuse(payment, "This had already been paid, so this second payment is not needed.")
        return
    handler = registry.get(payment.owner_label)
    if handler is None:
        logger.error("Payment %s succeeded but nothing is registered for %s", payment.public_id, payment.owner_label)
        return
    refused = handler.on_succeeded(payment)
    if refused:
        _refuse(payment, str(refused))


def _refuse(payment: Payment, reason: str) -> None:
    """Money arrived that its owner cannot take: record why, and give it back after the commit.

    The payer gets one e-mail (that sentence and how the money comes back), never a receipt.
    """
    payment.refused_reason = reason[:300]
    payment.save(update_fields=["refused_reason", "updated_at"])
    audit("guildhall.payment.refused", payment, data={"reason": reason})

    enqueue_on_commit(tasks.give_back_refused_payment, payment.pk)


def payment_receipt_send(*, payment_id: int) -> bool:
    """Once per successful payment: its owner's documents (the handler's after_succeeded), its invoices
    marked paid, then the receipt with them. Returns whether it was sent now.

    Run again by the outbox while its task's row is unfinished (a worker died after this commit, before
    the e-mails were out: a worker sends them without rows of their own), it builds the same e-mails
    from what was recorded and sends those its row does not count as out; the documents are not issued
    twice."""

    # outbox_batch: when the e-mails of the tickets and receipt get rows (eager runs), one INSERT for them.
    with transaction.atomic(), audit_batch(), outbox_batch():
        payment = _lock(payment_id)
        if payment.succeeded_at is None or payment.is_refused:
            return False
        if payment.receipt_sent_at is not None and not outbox_in_place_work_unfinished():
            return False
        # Read once for the handler (has this payment an invoice?) and for marking them paid.
        prefetch_related_objects([payment], "invoices")
        issued = []
        handler = registry.get(payment.owner_label)
        if handler is not None and handler.after_succeeded is not None:
            issued = handler.after_succeeded(payment) or []
        invoices = invoicing.invoices_paid_for_payment(payment=payment) + issued
        if payment.receipt_sent_at is None:
            payment.receipt_sent_at = timezone.now()
            payment.save(update_fields=["receipt_sent_at"])
        emails.send_receipt(payment=payment, invoices=invoices)
    return True


def payment_refund(
    *,
    payment: Payment,
    amount: Decimal,
    reason: str,
    actor=None,
    notify: bool = True,
    credit_note: Invoice | None = None,
) -> Refund:
    """Refund up to what remains; card payments through Stripe, transfers by a return-to-payer task.

    The owner is told through the registry (not for money it refused), an invoiced payment gets a
    credit note (or `credit_note`, one issued already for this amount, now paid out), the payer an
    e-mail (unless `notify` is off: the caller sends its own).
    Stripe is called last, so any refusal before it leaves nothing recorded and nothing refunded.
    A transfer's refund stays pending until Finance mark the money sent (payer_return_complete).
    """

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
            status=RefundStatus.SUCCEEDED if locked.method == PaymentMethod.CARD else RefundStatus.PENDING,
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
        if handler is not None and handler.on_refunded is not None and not locked.is_refused:
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
        else:
            _payer_return_create(locked, amount=amount, reason=reason, refund=refund, actor=actor)
        if notify:
            emails.send_refund_notice(refund=refund)
    payment.refresh_from_db()
    return refund


def _require_finance(actor) -> None:

    if not user_is_finance(actor):
        raise PaymentError("Only Finance staff can do this.")


def _payer_return_create(
    payment: Payment, *, amount: Decimal, reason: str, refund: Refund | None = None, actor=None
) -> PayerReturn:
    """A task for Finance: send `amount` back to the payer by bank transfer (no gateway can)."""
    task = PayerReturn.objects.create(
        payment=payment,
        refund=refund,
        amount=amount,
        currency=payment.currency,
        reason=reason[:300],
        payer_reference=payment.transfer_reference,
    )
    audit("guildhall.payer_return.create", payment, actor=actor, data={"amount": str(amount), "reason": reason})

    enqueue_on_commit(tasks.send_finance_notice, payment.pk, "return")
    return task


def payment_mark_transfer_received(
    *, payment: Payment, amount: Decimal, received_on, reference: str, actor, write_off: bool = False
) -> Payment:
    """Finance record a bank transfer that arrived; what the bank credited is what is recorded.

    Enough (in one or several transfers): the payment succeeds and its owner is fulfilled, once; a
    surplus becomes a return-to-payer task. Short: the payment stays open as partly paid, unless
    Finance write the difference off (audited). A transfer for a payment already paid is a duplicate:
    all of it goes back to the payer.
    """
    if not isinstance(amount, Decimal) or amount <= 0:
        raise PaymentError("The amount received must be more than zero.")
    if received_on > timezone.localdate():
        raise PaymentError("The date received cannot be in the future.")
    if write_off:
        _require_finance(actor)
    with transaction.atomic():
        locked = _lock(payment.pk)
        if locked.method != PaymentMethod.BANK_TRANSFER:
            raise PaymentNotPayable("Only a bank-transfer payment can be marked received.")
        reference = reference.strip()[:140]
        if reference and (
            reference == locked.transfer_reference or locked.payer_returns.filter(payer_reference=reference).exists()
        ):
            # The same bank line posted twice (a double click) is not a second transfer.
            raise PaymentError(f"The transfer {reference} is already recorded on this payment.")
        if locked.status in PAID_STATUSES:
            # The payer sent it twice: the money is theirs; Finance send it back.
            locked.amount_received = (locked.amount_received or Decimal("0")) + amount
            locked.save(update_fields=["amount_received", "updated_at"])
            task = _payer_return_create(
                locked, amount=amount, reason="Duplicate transfer: this payment was already paid", actor=actor
            )
            task.payer_reference = reference
            task.save(update_fields=["payer_reference"])
            return locked
        if locked.status != S.CREATED:
            raise PaymentNotPayable(f"This payment is already {locked.get_status_display().lower()}.")
        received = (locked.amount_received or Decimal("0")) + amount
        shortfall = locked.amount - received
        fields = {"amount_received": received, "transfer_reference": reference, "transfer_received_on": received_on}
        if shortfall > 0 and not write_off:
            for name, value in fields.items():
                setattr(locked, name, value)
            locked.save(update_fields=[*fields, "updated_at"])
            audit(
                "guildhall.payment.partly_paid",
                locked,
                actor=actor,
                data={"received": str(received), "outstanding": str(shortfall), "reference": reference},
            )
            return locked
        if shortfall > 0:
            fields["amount_written_off"] = shortfall
            audit("guildhall.payment.write_off", locked, actor=actor, data={"amount": str(shortfall)})
        _move(locked, S.SUCCEEDED, actor=actor, **fields)
        if shortfall < 0:
            _payer_return_create(
                locked, amount=-shortfall, reason="Surplus: more was transferred than was due", actor=actor
            )
    return locked


def payment_accept_short(*, payment: Payment, actor) -> Payment:
    """Finance accept a partly paid transfer as paid: the rest is written off (audited)."""
    _require_finance(actor)
    with transaction.atomic():
        locked = _lock(payment.pk)
        if not locked.is_partly_paid:
            raise PaymentNotPayable("Only a partly paid transfer can be accepted short.")
        shortfall = locked.amount_outstanding
        audit("guildhall.payment.write_off", locked, actor=actor, data={"amount": str(shortfall)})
        _move(locked, S.SUCCEEDED, actor=actor, amount_written_off=shortfall)
    return locked


def payer_return_complete(*, payer_return: PayerReturn, sent_reference: str, actor) -> PayerReturn:
    """Finance sent the money back: the task is done and the refund it carries has succeeded."""
    _require_finance(actor)
    if not sent_reference.strip():
        raise PaymentError("Give the reference of the transfer you sent.")
    with transaction.atomic():
        _lock(payer_return.payment_id)
        task = PayerReturn.objects.select_for_update().get(pk=payer_return.pk)
        if task.done_at is not None:
            raise PaymentError("This return was already marked sent.")
        task.done_at = timezone.now()
        task.done_by = actor
        task.sent_reference = sent_reference.strip()[:140]
        task.save(update_fields=["done_at", "done_by", "sent_reference"])
        if task.refund_id is not None:
            refund = Refund.objects.select_for_update().get(pk=task.refund_id)
            if refund.status == RefundStatus.PENDING:
                refund.move_to(RefundStatus.SUCCEEDED)
                refund.save(update_fields=["status"])
        audit(
            "guildhall.payer_return.done",
            task.payment,
            actor=actor,
            data={"amount": str(task.amount), "sent_reference": task.sent_reference},
        )

        emails.send_return_sent(payer_return=task)
    return task


def payment_give_back(*, payment_id: int) -> Refund | None:
    """Give back in full a payment its owner refused (or a duplicate): a card refund, or a transfer
    Finance send back; the payer gets one e-mail saying why, Finance hear of duplicates."""

    with transaction.atomic():
        payment = _lock(payment_id)
        if not payment.is_refused or payment.status != S.SUCCEEDED:
            return None
        reason = "Duplicate payment, given back" if payment.is_duplicate else "Refused: could no longer be fulfilled"
        refund = payment_refund(payment=payment, amount=payment.amount, reason=reason, notify=False)
        emails.send_refused_notice(refund=refund)
        if payment.is_duplicate:
            emails.send_duplicate_refunded(payment=payment)
    return refund


def payment_refund_duplicate(*, payment_id: int) -> Refund | None:
    """Kept for tasks queued before refusals existed: the same as payment_give_back."""
    return payment_give_back(payment_id=payment_id)


def _event_is_handled(event_type: str) -> bool:
    """The events Guildhall acts on; an endpoint subscribes to these (gateway.WEBHOOK_EVENTS)."""
    return event_type in gateway.WEBHOOK_EVENTS


def _event_check(event: dict) -> None:
    """A handled event's object must have the fields we read, of the right kind (WebhookMalformed)."""
    obj = event["data"]["object"]
    if not isinstance(obj.get("id"), str) or not obj["id"] or len(obj["id"]) > gateway.EVENT_ID_MAX_LENGTH:
        raise WebhookMalformed("Malformed webhook event: data.object has no valid id.")
    for name in ("amount",):
        if not isinstance(obj.get(name), int) or isinstance(obj.get(name), bool):
            raise WebhookMalformed(f"Malformed webhook event: data.object.{name} is not a whole number.")
    if not isinstance(obj.get("currency"), str) or len(obj["currency"]) != 3:
        raise WebhookMalformed("Malformed webhook event: data.object.currency is not a currency code.")
    if not isinstance(obj.get("status", ""), str):
        raise WebhookMalformed("Malformed webhook event: data.object.status is not a string.")
    if not isinstance(obj.get("metadata") or {}, dict):
        raise WebhookMalformed("Malformed webhook event: data.object.metadata is not an object.")


def stripe_event_receive(*, payload: bytes, signature: str | None) -> tuple[StripeEvent | None, bool]:
    """A webhook delivery: verify its signature (WebhookSignatureInvalid otherwise), read it
    (WebhookMalformed, with what is wrong), then record it once.

    An event of a type we never act on (customer.created…) is answered without a row or a task.
    """
    event = gateway.event_construct(payload, signature)
    if not _event_is_handled(event["type"]):
        return None, False
    _event_check(event)
    return stripe_event_record(event=event)


def payment_client_secret(*, payment: Payment) -> str:
    """The secret the browser needs to run 3-D Secure for a payment that requires action (not stored)."""
    if payment.status != S.REQUIRES_ACTION or not payment.stripe_payment_intent_id:
        return ""
    return gateway.intent_retrieve(payment.stripe_payment_intent_id).client_secret


def stripe_event_record(*, event: dict) -> tuple[StripeEvent, bool]:
    """Store a verified event once; only the first delivery of an id enqueues its processing."""

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
        if event.type.startswith("charge.dispute.") and obj.get("id"):
            event.payment = _apply_dispute(gateway.dispute_state_from(obj))
        elif _event_is_handled(event.type) and obj.get("id"):
            intent = gateway.intent_state_from(obj)
            payment = _payment_for_intent(intent)
            if payment is not None:
                event.payment = payment
                _apply_intent(payment, intent)
        event.processed_at = timezone.now()
        event.save(update_fields=["processed_at", "payment"])


_DISPUTE_CLOSED = frozenset(
    {DisputeStatus.WON, DisputeStatus.LOST, DisputeStatus.WARNING_CLOSED, DisputeStatus.PREVENTED}
)


def _apply_dispute(state: gateway.DisputeState) -> Payment | None:
    """Record a dispute on its card payment; Finance are told of each change; a lost one reverses the ledger.

    A closed dispute never reopens from an older event delivered late.
    """
    payment = None
    if state.payment_intent_id:
        payment = Payment.objects.select_for_update().filter(stripe_payment_intent_id=state.payment_intent_id).first()
    if payment is None and state.charge_id:
        payment = Payment.objects.select_for_update().filter(stripe_charge_id=state.charge_id).first()
    if payment is None:
        logger.warning("Dispute %s is for a charge we do not know (%s)", state.id, state.charge_id)
        return None
    if state.status not in DisputeStatus.values:
        logger.warning("Dispute %s: unknown status %r", state.id, state.status)
        return payment
    currency = state.currency or payment.currency
    amount = money.from_minor(state.amount_minor, currency)
    due = datetime.fromtimestamp(state.evidence_due_by, tz=UTC) if state.evidence_due_by else None
    dispute = Dispute.objects.select_for_update().filter(stripe_dispute_id=state.id).first()
    if dispute is None:
        dispute = Dispute.objects.create(
            payment=payment,
            stripe_dispute_id=state.id,
            amount=amount,
            currency=currency,
            reason=state.reason[:100],
            status=state.status,
            evidence_due_by=due,
        )
    elif dispute.status in _DISPUTE_CLOSED or dispute.status == state.status:
        return payment  # closed for good, or nothing new to say
    else:
        dispute.move_to(state.status)
        dispute.amount, dispute.currency = amount, currency
        dispute.evidence_due_by = due or dispute.evidence_due_by
        dispute.save(update_fields=["status", "amount", "currency", "evidence_due_by", "updated_at"])
    audit(
        "guildhall.payment.dispute",
        payment,
        data={"dispute": state.id, "status": state.status, "amount": str(amount), "reason": state.reason},
    )
    if dispute.status == DisputeStatus.LOST and dispute.reversed_at is None:
        _dispute_reverse(payment, dispute)

    enqueue_on_commit(tasks.send_dispute_notice, dispute.pk, dispute.status)
    return payment


def _dispute_reverse(payment: Payment, dispute: Dispute) -> None:
    """A lost dispute took the money back: the ledger records it as given back (a credit note for an
    invoice) and the owner is flagged for staff through its handler, not canceled."""

    dispute.reversed_at = timezone.now()
    dispute.save(update_fields=["reversed_at"])
    amount = min(dispute.amount, payment.amount_refundable) if dispute.currency == payment.currency else Decimal(0)
    if amount <= 0 or payment.status not in (S.SUCCEEDED, S.PARTIALLY_REFUNDED):
        return
    reason = f"Dispute {dispute.stripe_dispute_id} lost ({dispute.reason or 'no reason given'})"
    refund = Refund.objects.create(payment=payment, amount=amount, reason=reason[:300], status=RefundStatus.SUCCEEDED)
    payment.amount_refunded += amount
    target = S.REFUNDED if payment.amount_refunded == payment.amount else S.PARTIALLY_REFUNDED
    _move(payment, target, amount_refunded=payment.amount_refunded)
    audit("guildhall.payment.dispute_lost", payment, data={"dispute": dispute.stripe_dispute_id, "amount": str(amount)})
    invoice = payment.invoices.filter(kind="invoice", status__in=["issued", "paid"]).first()
    if invoice is not None:
        invoicing.credit_note_issue(invoice=invoice, amount=amount, reason=reason, refund=refund)
    handler = registry.get(payment.owner_label)
    if handler is not None and handler.on_dispute_lost is not None and not payment.is_refused:
        _lock_owner(payment)
        handler.on_dispute_lost(payment, amount)


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
    "payer_return_complete",
    "payment_accept_short",
    "payment_give_back",
    "payment_mark_transfer_received",
    "payment_refusal",
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
