"""Tier changes as money: what a change costs (`tier_change_quote`), and the change itself
(`membership_change_tier`), which applies exactly what the quote said.

Kept apart from services.py for size; the organisation's request and staff's decision are in members.manage.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from members import services
from members.exceptions import ApplicationNotOpen, MembershipError
from members.models import DuesCredit, DuesPeriod, Membership, MembershipTier
from members.services import dues_period_create, tier_ensure_seat, tier_lock, waitlist_offer_seat
from portal.core import cache, money
from portal.core.audit import audit
from portal.payments import invoicing
from portal.payments import services as payments
from portal.payments.models import InvoiceStatus

M = Membership.Status


class Change:
    UPGRADE = "upgrade"  # a dearer tier, from today: the pro-rata difference is invoiced at once
    DOWNGRADE = "downgrade"  # a cheaper tier, from the next renewal
    EARLY_DOWNGRADE = "early_downgrade"  # a cheaper tier from today (Finance): the unused difference is credited
    SAME_FEE = "same_fee"  # from today, nothing to pay or credit
    REPLACE = "replace"  # nothing paid for today: the open invoice is cancelled and the new tier's issued


@dataclass(frozen=True)
class TierChangeQuote:
    """What a change from `current` to `tier` costs on `today`; `amount` is invoiced at once, `credit` credited."""

    current: Membership
    tier: MembershipTier
    kind: str
    effective_on: datetime.date
    currency: str
    amount: Decimal = Decimal("0")
    credit: Decimal = Decimal("0")
    period: DuesPeriod | None = None  # the paid period the pro-rata share is taken of
    days_left: int = 0
    days_in_period: int = 0

    @property
    def amount_display(self) -> str:
        return money.format_money(self.amount, self.currency)

    @property
    def credit_display(self) -> str:
        return money.format_money(self.credit, self.currency)

    @property
    def summary(self) -> str:
        """One sentence for the request page and for staff before they approve."""
        name, fee = self.tier.name, money.format_money(self.tier.annual_fee, self.tier.currency)
        if self.kind == Change.UPGRADE:
            if self.amount > 0:
                return (
                    f"{name} from today: {self.amount_display} invoiced at once, the difference for the "
                    f"{self.days_left} of {self.days_in_period} days left of the period paid until "
                    f"{self.period.ends:%d %B %Y}; then {fee} a year."  # type: ignore[union-attr]
                )
            return f"{name} from today, nothing more to pay for the current period; then {fee} a year."
        if self.kind in (Change.DOWNGRADE, Change.EARLY_DOWNGRADE) and self.effective_on > self.current.starts:
            if self.kind == Change.EARLY_DOWNGRADE:
                return (
                    f"{name} from today: {self.credit_display} credited for the {self.days_left} days left, "
                    f"taken off the next renewal invoice; then {fee} a year."
                )
            return (
                f"{name} from the next renewal, on {self.effective_on:%d %B %Y}: the current tier runs until "
                f"the period paid for ends; then {fee} a year. Nothing is credited for the current period."
            )
        if self.kind == Change.REPLACE:
            return (
                f"{name} from today: the open invoice is cancelled by a credit note and a new one for "
                f"{self.amount_display} ({name}'s yearly dues) is issued in its place."
            )
        return f"{name} from today, at the same dues ({fee} a year): nothing to pay now."


def _paid_period(membership: Membership, day: datetime.date) -> DuesPeriod | None:
    """The organisation's paid year of dues that covers `day` (the earliest starting: a pro-rata upgrade's
    period covers only the rest of that year)."""
    return (
        DuesPeriod.objects.filter(
            membership__organization_id=membership.organization_id,
            paid_at__isnull=False,
            starts__lte=day,
            ends__gte=day,
        )
        .order_by("starts", "pk")
        .first()
    )


def prorata(difference: Decimal, *, days_left: int, days_in_period: int, currency: str) -> Decimal:
    """`difference` × days_left / days_in_period, rounded half-up to the currency's minor unit once, at the end."""
    return money.round_money(difference * days_left / days_in_period, currency)


def tier_change_quote(
    *, membership: Membership, tier: MembershipTier, today: datetime.date | None = None, early: bool = False
) -> TierChangeQuote:
    """What moving `membership` to `tier` costs on `today`.

    The rule: when no paid dues period covers today (approved and not yet paid, or in grace), nothing has
    been paid for the current tier: its open invoice is cancelled by a credit note and the new tier's
    yearly dues are invoiced instead (REPLACE). Otherwise, with P the paid period covering today, D its
    days (365, or 366 when it holds a 29 February) and L the days from today to P's end, both ends
    included (today is the first day at the new tier):

    - a dearer tier (UPGRADE) starts today and costs (new fee − current fee) × L / D, invoiced at once;
    - a cheaper tier (DOWNGRADE) starts the day after P ends, at the renewal, and nothing is credited;
      with `early` (Finance's decision) it starts today (EARLY_DOWNGRADE) and
      (current fee − new fee) × L / D is credited: a credit note, taken off the next renewal invoice;
    - an equal fee starts today at no cost.

    The product is rounded once, half-up, to the currency's minor unit (cents). An upgrade amount below
    the smallest card charge of the currency is not invoiced (it would cost more to collect than it is).
    Both tiers must have the same currency.
    """
    day = today or timezone.localdate()
    current_tier = membership.tier
    if current_tier.currency != tier.currency:
        raise MembershipError(
            f"The {tier.name} tier is invoiced in {tier.currency}, the {current_tier.name} tier in "
            f"{current_tier.currency}: write to the membership team to change.",
            code="tier_currency",
        )
    base: dict[str, Any] = {"current": membership, "tier": tier, "currency": tier.currency}
    period = _paid_period(membership, day)
    if period is None:
        return TierChangeQuote(kind=Change.REPLACE, effective_on=day, amount=tier.annual_fee, **base)
    days_in_period = (period.ends - period.starts).days + 1
    days_left = (period.ends - day).days + 1
    shares: dict[str, Any] = {"period": period, "days_left": days_left, "days_in_period": days_in_period}
    difference = tier.annual_fee - current_tier.annual_fee
    if difference > 0:
        amount = prorata(difference, days_left=days_left, days_in_period=days_in_period, currency=tier.currency)
        if amount < money.minimum_charge(tier.currency):
            amount = Decimal("0")
        return TierChangeQuote(kind=Change.UPGRADE, effective_on=day, amount=amount, **base, **shares)
    if difference < 0:
        credit = prorata(-difference, days_left=days_left, days_in_period=days_in_period, currency=tier.currency)
        if early:
            return TierChangeQuote(kind=Change.EARLY_DOWNGRADE, effective_on=day, credit=credit, **base, **shares)
        return TierChangeQuote(
            kind=Change.DOWNGRADE,
            effective_on=period.ends + datetime.timedelta(days=1),
            credit=credit,
            **base,
            **shares,
        )
    return TierChangeQuote(kind=Change.SAME_FEE, effective_on=day, **base, **shares)


def _open_dues(membership: Membership, *, starting_from: datetime.date | None = None):
    dues = membership.dues_periods.filter(paid_at__isnull=True).select_related("invoice", "payment")
    if starting_from is not None:
        dues = dues.filter(starts__gte=starting_from)
    return list(dues.order_by("starts", "pk"))


def _replace_dues(old: DuesPeriod, *, onto: Membership, reason: str, actor) -> DuesPeriod:
    """Cancel an unpaid dues period's invoice (a credit note for all of it, then void) and its payments, and
    issue the same period's dues at `onto`'s tier; the old payments' pages point to the new payment."""

    payers = old.payments()
    for payment in payers:
        if payment.is_paid or payment.is_open and payment.status != "created":
            raise MembershipError(
                "A payment of the open invoice is under way: try again once it has settled.", code="payment_under_way"
            )
    method = old.payment.method if old.payment is not None else "card"
    payer = old.payment.payer_email if old.payment is not None else ""
    new = services.dues_period_create(
        membership=onto,
        starts=old.starts,
        payer_email=payer or (old.invoice.buyer_email if old.invoice is not None else ""),
        method=method,
        actor=actor,
    )
    invoice = old.invoice
    if invoice is not None and invoice.status == InvoiceStatus.ISSUED:
        invoicing.credit_note_issue(invoice=invoice, amount=invoice.total, reason=reason, actor=actor)
        invoicing.invoice_void(invoice=invoice, actor=actor)
    for payment in payers:
        payments.payment_replace(payment=payment, by=new.payment, reason=reason, actor=actor)
    return new


def membership_change_tier(
    *, membership: Membership, tier: MembershipTier, actor, early: bool = False, today: datetime.date | None = None
) -> Membership:
    """Apply the quote, seats permitting (under the new tier's lock): see `tier_change_quote` for the money.

    A change from today ends the current row yesterday and starts a row at the new tier today (history
    kept); a downgrade at renewal ends the current row with its paid period and starts the new row the day
    after, so the renewal invoices the new tier. Open invoices of the current row are cancelled by credit
    notes and issued again at the new tier, so an approved organisation that changes tier before paying
    still becomes a member when it pays.
    """

    day = today or timezone.localdate()
    with transaction.atomic():
        locked_tier = tier_lock(tier.pk)
        current = Membership.objects.select_for_update().select_related("tier", "organization").get(pk=membership.pk)
        if current.status not in Membership.SEAT_STATUSES:
            raise ApplicationNotOpen("Only a current membership can change tier.")
        if current.tier_id == locked_tier.pk:
            raise MembershipError(f"This membership is already at the {locked_tier.name} tier.")
        if Membership.objects.filter(previous=current).exists():
            raise MembershipError("A tier change is already planned for this membership's next renewal.")
        tier_ensure_seat(locked_tier, today=day)
        quote = tier_change_quote(membership=current, tier=locked_tier, today=day, early=early)
        if quote.period is not None and any(d.starts <= quote.period.ends for d in _open_dues(current)):
            # The quote prices the change from the tier paid for: an unpaid upgrade would be priced twice.
            raise MembershipError(
                "The invoice of the last tier change is still open: pay it before changing tier again.",
                code="tier_change_unpaid",
            )
        status = M(current.status)
        reason = f"Changed from the {current.tier.name} to the {locked_tier.name} tier."
        if quote.kind == Change.DOWNGRADE:
            new_starts = quote.effective_on
            current.ends = new_starts - datetime.timedelta(days=1)
            current.ended_reason = f"Changes to the {locked_tier.name} tier on {new_starts:%d %B %Y}."
            current.save(update_fields=["ends", "ended_reason"])
        else:
            new_starts = max(day, current.starts)
            current.move_to(M.CANCELED)
            current.ends = max(day - datetime.timedelta(days=1), current.starts)
            current.ended_reason = reason
            current.save(update_fields=["status", "ends", "ended_reason"])
        new = Membership.objects.create(
            organization_id=current.organization_id,
            tier=locked_tier,
            starts=new_starts,
            status=status,
            application=current.application,
            previous=current,
        )
        # Unpaid dues of the current row from the new row's start on are now the new tier's.
        starting_from = new_starts if quote.kind == Change.DOWNGRADE else None
        for old in _open_dues(current, starting_from=starting_from):
            _replace_dues(old, onto=new, reason=reason, actor=actor)
        if quote.kind == Change.UPGRADE and quote.amount > 0 and quote.period is not None:
            last = quote.period
            dues_period_create(
                membership=new,
                starts=day,
                ends=last.ends,
                amount=quote.amount,
                payer_email=last.payment.payer_email if last.payment is not None else "",
                method=last.payment.method if last.payment is not None else "card",
                description=(
                    f"Upgrade from {current.tier.name} to {locked_tier.name}, {day:%d %b %Y} – {last.ends:%d %b %Y} "
                    f"({quote.days_left} of {quote.days_in_period} days): {current.organization.name}"
                ),
                actor=actor,
            )
        if quote.kind == Change.EARLY_DOWNGRADE and quote.credit > 0:
            dues_credit_issue(quote=quote, membership=new, actor=actor)
        audit(
            "guildhall.membership.change_tier",
            new,
            actor=actor,
            data={
                "from": current.tier.slug,
                "to": locked_tier.slug,
                "kind": quote.kind,
                "amount": str(quote.amount),
                "credit": str(quote.credit if quote.kind == Change.EARLY_DOWNGRADE else 0),
                "effective_on": str(quote.effective_on),
            },
        )
        transaction.on_commit(cache.purge)
        if new_starts == day:  # the old tier's seat is free now
            transaction.on_commit(lambda: waitlist_offer_seat(tier_id=current.tier_id, today=day))
    return new


def dues_credit_issue(*, quote: TierChangeQuote, membership: Membership, actor):
    """Finance moved a member to a cheaper tier early: a credit note on the paid period's invoice for the
    unused difference, kept as a DuesCredit until the next renewal invoice takes it off."""

    period = quote.period
    if period is None or period.invoice is None:
        raise MembershipError("The paid period has no invoice to credit.", code="no_invoice")
    note = invoicing.credit_note_issue(
        invoice=period.invoice,
        amount=quote.credit,
        reason=f"Moved to the {quote.tier.name} tier early ({quote.days_left} of {quote.days_in_period} days)",
        actor=actor,
    )
    credit = DuesCredit.objects.create(
        organization_id=membership.organization_id, credit_note=note, amount=quote.credit, currency=quote.currency
    )
    audit("guildhall.dues.credit", credit, actor=actor, data={"amount": str(quote.credit), "note": note.number})
    return credit


def open_credits(organization_id: int):
    """Credits not yet taken off a renewal invoice nor refunded."""

    return DuesCredit.objects.filter(
        organization_id=organization_id, applied_to__isnull=True, refund__isnull=True
    ).select_related("credit_note")
