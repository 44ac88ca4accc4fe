"""Sponsorships: applying for a package's slot, approval, invoicing, payment, cancellation."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from events import selectors, tasks
from events.exceptions import NotOrganizationAdmin, SoldOut, SponsorshipInvalid
from events.models import PromoCode, Sponsorship, SponsorshipPackage, SponsorWaitingListEntry, new_order_code
from events.services.pricing import sponsorship_tax, taxed_invoice
from events.services.seats import SPONSORS_BUSY
from members.models import Organization, OrganizationRole, validate_not_reserved_slug
from portal.core import cache, capacity
from portal.core.audit import audit
from portal.core.tasking import enqueue_on_commit
from portal.payments import invoicing
from portal.payments import services as payment_services
from portal.payments.models import PaymentMethod


def _lock_package(package_id: int) -> SponsorshipPackage:
    (package,) = capacity.lock(
        SponsorshipPackage.objects.select_related("event").filter(pk=package_id), message=SPONSORS_BUSY
    )
    return package


def _check_slot(package: SponsorshipPackage, now: datetime, exclude_id: int | None = None) -> None:
    capacity.ensure_room(
        taken=selectors.sponsorship_slots_taken(package_id=package.pk, now=now, exclude_id=exclude_id),
        wanted=1,
        limit=package.slots,
        refuse=lambda left: SoldOut(
            f"The {package.name} package is sold out. You can join its waiting list.",
            extra={"package": package.pk, "slots_left": 0},
        ),
    )


def sponsorship_request(
    *,
    package: SponsorshipPackage,
    organization,
    contact_email: str,
    actor,
    logo=None,
    payment_method: str = PaymentMethod.CARD,
) -> Sponsorship:
    """An organisation's admin applies: lock the package, count slots held, write; a full package raises SoldOut.
    `payment_method` is how the sponsor asks to pay; staff invoice that way (events/wagtail_hooks.py)."""
    now = timezone.now()
    if not selectors.organizations_administered_by(actor).filter(pk=organization.pk).exists():
        raise NotOrganizationAdmin(f"You cannot apply on behalf of {organization.name}.")
    if not (contact_email or "").strip():
        raise SponsorshipInvalid("Tell us where to send the invoice.")
    if payment_method not in PaymentMethod.values:
        raise SponsorshipInvalid("Choose card or bank transfer to pay the invoice.")
    with capacity.busy_on_contention(SPONSORS_BUSY), transaction.atomic():
        package = _lock_package(package.pk)
        if Sponsorship.objects.filter(
            selectors.slot_holding_q(now), package=package, organization=organization
        ).exists():
            raise SponsorshipInvalid(f"{organization.name} already applied for {package.name}.")
        _check_slot(package, now)
        # A lapsed request (14 days without a decision) gives way to this one.
        Sponsorship.move_all(
            Sponsorship.objects.filter(package=package, organization=organization, status=Sponsorship.Status.REQUESTED),
            Sponsorship.Status.CANCELED,
            canceled_at=now,
            cancel_reason="Request lapsed",
        )
        sponsorship = Sponsorship.objects.create(
            package=package,
            organization=organization,
            contact_email=contact_email.strip(),
            payment_method=payment_method,
            requested_by=actor,
            requested_at=now,
            logo=logo or "",
        )
        sponsorship.contacts.add(actor)
        SponsorWaitingListEntry.objects.filter(package=package, organization=organization, active=True).update(
            active=False
        )
        audit(
            "events.sponsorship.request",
            sponsorship,
            actor=actor,
            data={"package": package.name, "organization": organization.slug, "payment_method": payment_method},
        )
        enqueue_on_commit(tasks.send_sponsorship_received, sponsorship.pk)
    return sponsorship


def sponsor_organization_create(*, name: str, actor) -> Organization:
    """A company that is not on the site yet, to sponsor: an organisation with no membership, its applicant
    its admin. A name or slug already taken is refused: that organisation's admins apply for it."""
    name = (name or "").strip()
    slug = slugify(name)[:100]
    if not slug:
        raise SponsorshipInvalid("Give your company's name.")
    try:
        validate_not_reserved_slug(slug)
    except ValidationError as error:
        raise SponsorshipInvalid(error.messages[0]) from error
    existing = Organization.objects.filter(Q(slug=slug) | Q(name__iexact=name)).first()
    taken = SponsorshipInvalid(
        f"{existing.name if existing else name} already has an account here. One of its administrators can apply, "
        f"or add you as an administrator from its admin pages; or write to {settings.EVENTS_EMAIL}."
    )
    if existing is not None:
        raise taken
    try:
        with transaction.atomic():
            organization = Organization.objects.create(name=name, slug=slug)
    except IntegrityError as error:  # the same name registered a moment ago
        raise taken from error
    OrganizationRole.objects.create(user=actor, organization=organization, role=OrganizationRole.Role.ADMIN)
    audit("events.sponsor_organization.create", organization, actor=actor, data={"name": name})
    return organization


def sponsorship_apply_as_new_organization(
    *,
    organization_name: str,
    package: SponsorshipPackage,
    contact_email: str,
    actor,
    waiting_list: bool = False,
    payment_method: str = PaymentMethod.CARD,
) -> Sponsorship | SponsorWaitingListEntry:
    """Register the company and apply (or join a full package's waiting list) at once: all or nothing."""
    with transaction.atomic():
        organization = sponsor_organization_create(name=organization_name, actor=actor)
        if waiting_list:
            return sponsor_waiting_list_join(
                package=package, organization=organization, email=contact_email, actor=actor
            )
        return sponsorship_request(
            package=package,
            organization=organization,
            contact_email=contact_email,
            actor=actor,
            payment_method=payment_method,
        )


def sponsor_waiting_list_join(
    *, package: SponsorshipPackage, organization, email: str, actor
) -> SponsorWaitingListEntry:
    """A full package's waiting list: staff write to these organisations when a slot comes free."""
    if not selectors.organizations_administered_by(actor).filter(pk=organization.pk).exists():
        raise NotOrganizationAdmin(f"You cannot act on behalf of {organization.name}.")
    with transaction.atomic():
        entry, created = SponsorWaitingListEntry.objects.get_or_create(
            package=package,
            organization=organization,
            active=True,
            defaults={"email": email.strip() or actor.email, "requested_by": actor},
        )
        if created:
            audit("events.sponsor_waiting_list.join", entry, actor=actor, data={"package": package.name})
    return entry


def sponsorship_approve(*, sponsorship: Sponsorship, actor) -> Sponsorship:
    """Staff approve a request; a lapsed one is re-checked against the package's slots."""
    now = timezone.now()
    with transaction.atomic():
        sponsorship = Sponsorship.objects.select_for_update().get(pk=sponsorship.pk)
        package = _lock_package(sponsorship.package_id)
        sponsorship.move_to(Sponsorship.Status.APPROVED)
        _check_slot(package, now, exclude_id=sponsorship.pk)
        sponsorship.approved_at = now
        sponsorship.save(update_fields=["status", "approved_at"])
        audit("events.sponsorship.approve", sponsorship, actor=actor, data={"package": package.name})
        enqueue_on_commit(tasks.send_sponsorship_approved, sponsorship.pk)
    return sponsorship


def sponsorship_invoice(*, sponsorship: Sponsorship, method: str, actor):
    """Invoice an approved sponsorship through the payments app: card (a pay link) or bank transfer."""
    # Before the lock: checking the sponsor's VAT number may wait on VIES.
    tax = sponsorship_tax(sponsorship=sponsorship)
    with transaction.atomic():
        sponsorship = (
            Sponsorship.objects.select_for_update(of=("self",))
            .select_related("organization", "package__event")
            .get(pk=sponsorship.pk)
        )
        sponsorship.move_to(Sponsorship.Status.INVOICED)
        package, event = sponsorship.package, sponsorship.package.event
        description = f"{event.name}: {package.name} sponsorship"
        lines, amount, buyer_tax = taxed_invoice(
            description=description, price=package.price, currency=event.currency, tax=tax
        )
        payment = payment_services.payment_create(
            owner=sponsorship,
            amount=amount,
            currency=event.currency,
            payer_email=sponsorship.contact_email,
            description=description,
            return_url=settings.SITE_URL + reverse("events:sponsor", kwargs={"slug": event.slug}),
            method=method,
            actor=actor,
        )
        buyer = {"buyer_name": sponsorship.organization.name, **buyer_tax}
        if method == PaymentMethod.BANK_TRANSFER:
            invoicing.bank_transfer_invoice_issue(
                payment=payment, buyer=buyer, lines=lines, tax_note=tax.note, tax_country=tax.country, actor=actor
            )
        else:
            invoice = invoicing.invoice_create(
                currency=event.currency,
                buyer={**buyer, "buyer_email": sponsorship.contact_email},
                lines=lines,
                payment=payment,
                tax_note=tax.note,
                tax_country=tax.country,
                actor=actor,
            )
            invoicing.invoice_issue(invoice=invoice, actor=actor)
            enqueue_on_commit(tasks.send_sponsorship_pay_link, sponsorship.pk, payment.pk)
        sponsorship.invoiced_at = timezone.now()
        sponsorship.save(update_fields=["status", "invoiced_at"])
        audit(
            "events.sponsorship.invoice",
            sponsorship,
            actor=actor,
            data={"method": method, "amount": str(amount)},
        )
    return payment


def _new_pass_code(sponsorship: Sponsorship) -> str:
    base = "".join(ch for ch in sponsorship.organization.slug.upper() if ch.isalnum())[:16] or "SPONSOR"
    return f"{base}-{new_order_code()[:6]}"


def sponsorship_mark_paid(*, sponsorship: Sponsorship) -> Sponsorship:
    """The invoice is paid: the logo shows, and included passes become a 100 % code for that many tickets."""

    now = timezone.now()
    with transaction.atomic():
        sponsorship = (
            Sponsorship.objects.select_for_update(of=("self",))
            .select_related("organization", "package__event")
            .get(pk=sponsorship.pk)
        )
        if sponsorship.status == Sponsorship.Status.PAID:
            return sponsorship
        sponsorship.move_to(Sponsorship.Status.PAID)
        sponsorship.paid_at = now
        package = sponsorship.package
        if package.passes_included and sponsorship.pass_code_id is None:
            code = PromoCode.objects.create(
                event=package.event,
                code=_new_pass_code(sponsorship),
                kind=PromoCode.Kind.PERCENT,
                value=Decimal("100"),
                max_tickets=package.passes_included,
            )
            code.ticket_types.set(package.pass_ticket_types.all())
            sponsorship.pass_code = code
        sponsorship.save(update_fields=["status", "paid_at", "pass_code"])
        audit("events.sponsorship.paid", sponsorship, data={"pass_code": getattr(sponsorship.pass_code, "code", "")})

        if sponsorship.pass_code_id:
            enqueue_on_commit(tasks.send_sponsorship_passes, sponsorship.pk)
        transaction.on_commit(cache.purge)  # the logo now shows on cached pages (the company's page)
    return sponsorship


def sponsorship_cancellable(sponsorship: Sponsorship, *, now: datetime | None = None) -> bool:
    """Not yet canceled, and its event not over: a past event's sponsorship stays on the record as it was."""
    return sponsorship.status != Sponsorship.Status.CANCELED and (now or timezone.now()) < sponsorship.package.event.end


def sponsorship_cancel(*, sponsorship: Sponsorship, actor, reason: str = "") -> Sponsorship:
    """Reject a request or cancel a sponsorship: its slot comes free; an unused pass code stops working."""

    with transaction.atomic():
        sponsorship = Sponsorship.objects.select_for_update().select_related("package__event").get(pk=sponsorship.pk)
        if sponsorship.status != Sponsorship.Status.CANCELED and not sponsorship_cancellable(sponsorship):
            raise SponsorshipInvalid(f"{sponsorship.package.event.name} is over: its sponsorships stay as they were.")
        was_paid = sponsorship.status == Sponsorship.Status.PAID
        sponsorship.move_to(Sponsorship.Status.CANCELED)
        sponsorship.canceled_at = timezone.now()
        sponsorship.cancel_reason = reason[:200]
        sponsorship.save(update_fields=["status", "canceled_at", "cancel_reason"])
        if sponsorship.pass_code_id:
            PromoCode.objects.filter(pk=sponsorship.pass_code_id).update(active=False)
        audit("events.sponsorship.cancel", sponsorship, actor=actor, data={"reason": reason, "was_paid": was_paid})
        if was_paid:
            transaction.on_commit(cache.purge)
    return sponsorship
