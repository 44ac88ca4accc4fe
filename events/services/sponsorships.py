"""Sponsorships: applying for a package's slot, approval, invoicing, payment, cancellation."""

import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from events import selectors, tasks
from events.exceptions import NotOrganizationAdmin, SoldOut, SponsorshipInvalid
from events.models import (
    PromoCode,
    SponsorRepresentationRequest,
    Sponsorship,
    SponsorshipContact,
    SponsorshipPackage,
    SponsorWaitingListEntry,
)
from events.services import benefits
from events.services.contracts import sponsorship_contract_generate, sponsorship_invoice_waits_for_contract
from events.services.pricing import sponsorship_tax, taxed_invoice
from events.services.seats import SPONSORS_BUSY
from members.models import Organization, OrganizationRole, validate_not_reserved_slug
from members.selectors import organizations_named_like
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


BILLING_FIELDS = ("billing_name", "billing_address", "billing_country", "billing_vat_number", "billing_po_number")


def sponsorship_request(
    *,
    package: SponsorshipPackage,
    organization,
    contact_email: str,
    actor,
    logo=None,
    payment_method: str = PaymentMethod.CARD,
    contacts: dict[str, dict] | None = None,
    billing: dict | None = None,
) -> Sponsorship:
    """An organisation's admin applies: lock the package, count slots held, write; a full package raises SoldOut.
    `payment_method` is how the sponsor asks to pay; staff invoice that way (events/wagtail_hooks.py).
    `contacts` ({"billing": {"name", "email"}, "marketing": …, "logistics": …}) and `billing` (legal name,
    address, country, VAT and PO numbers) are what the review page showed; the invoice goes to the billing
    contact."""
    if not selectors.organizations_administered_by(actor).filter(pk=organization.pk).exists():
        raise NotOrganizationAdmin(f"You cannot apply on behalf of {organization.name}.")
    return _sponsorship_create(
        package=package,
        organization=organization,
        contact_email=contact_email,
        actor=actor,
        logo=logo,
        payment_method=payment_method,
        contacts=contacts,
        billing=billing,
    )


def _sponsorship_create(
    *, package, organization, contact_email, actor, logo=None, payment_method, contacts, billing
) -> Sponsorship:
    now = timezone.now()
    contacts = contacts or {}
    if contacts.get(SponsorshipContact.Role.BILLING):
        contact_email = contacts[SponsorshipContact.Role.BILLING]["email"]
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
            **{name: (billing or {}).get(name, "").strip() for name in BILLING_FIELDS},
        )
        SponsorshipContact.objects.bulk_create(
            SponsorshipContact(
                sponsorship=sponsorship, role=role, name=person["name"].strip(), email=person["email"].strip()
            )
            for role, person in contacts.items()
            if role in SponsorshipContact.Role.values
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
    existing = organizations_named_like(name).same or Organization.objects.filter(slug=slug).first()
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
    contacts: dict[str, dict] | None = None,
    billing: dict | None = None,
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
            contacts=contacts,
            billing=billing,
        )


def sponsor_waiting_list_join(
    *, package: SponsorshipPackage, organization, email: str, actor
) -> SponsorWaitingListEntry:
    """A full package's waiting list: staff write to these organisations when a slot comes free."""
    if not selectors.organizations_administered_by(actor).filter(pk=organization.pk).exists():
        raise NotOrganizationAdmin(f"You cannot act on behalf of {organization.name}.")
    return _waiting_list_join(package=package, organization=organization, email=email, actor=actor)


def _waiting_list_join(*, package, organization, email: str, actor) -> SponsorWaitingListEntry:
    with transaction.atomic():
        entry, created = SponsorWaitingListEntry.objects.get_or_create(
            package=package,
            organization=organization,
            active=True,
            defaults={"email": email.strip() or actor.email, "requested_by": actor},
        )
        if created:
            audit("events.sponsor_waiting_list.join", entry, actor=actor, data={"package": package.name})
            enqueue_on_commit(tasks.send_sponsor_waiting_list_joined, entry.pk)
    return entry


def sponsorship_apply(
    *,
    package: SponsorshipPackage,
    actor,
    organization: Organization | None = None,
    organization_name: str = "",
    contacts: dict[str, dict],
    billing: dict,
    payment_method: str = PaymentMethod.CARD,
    waiting_list: bool = False,
) -> Sponsorship | SponsorWaitingListEntry | SponsorRepresentationRequest:
    """The review page's Submit. An organisation the person administers applies at once; a name that is
    an organisation already here (organization_name_key: case, spaces, punctuation ignored) is never
    attached silently: its admins, or Events staff when it has none, first confirm that the person
    represents it (SponsorRepresentationRequest); a new name registers the company (no membership)."""
    email = contacts[SponsorshipContact.Role.BILLING]["email"]
    if organization is None:
        existing = organizations_named_like(organization_name).same
        if existing is None:
            return sponsorship_apply_as_new_organization(
                organization_name=organization_name,
                package=package,
                contact_email=email,
                actor=actor,
                waiting_list=waiting_list,
                payment_method=payment_method,
                contacts=contacts,
                billing=billing,
            )
        if not selectors.organizations_administered_by(actor).filter(pk=existing.pk).exists():
            return sponsor_representation_request(
                organization=existing,
                package=package,
                actor=actor,
                application={
                    "contacts": contacts,
                    "billing": billing,
                    "payment_method": payment_method,
                    "waiting_list": waiting_list,
                },
            )
        organization = existing
    if waiting_list:
        return sponsor_waiting_list_join(package=package, organization=organization, email=email, actor=actor)
    return sponsorship_request(
        package=package,
        organization=organization,
        contact_email=email,
        actor=actor,
        payment_method=payment_method,
        contacts=contacts,
        billing=billing,
    )


def sponsor_representation_request(
    *, organization: Organization, package: SponsorshipPackage, actor, application: dict
) -> SponsorRepresentationRequest:
    """Ask the organisation's admins (or Events staff, when it has none) to confirm that `actor` represents it;
    the application waits in the request. Asking again while one waits answers the waiting one."""
    with transaction.atomic():
        pending = SponsorRepresentationRequest.objects.filter(
            organization=organization,
            package=package,
            applicant=actor,
            status=SponsorRepresentationRequest.Status.PENDING,
        ).first()
        if pending is not None:
            return pending
        has_admins = OrganizationRole.objects.filter(
            organization=organization, role=OrganizationRole.Role.ADMIN
        ).exists()
        request = SponsorRepresentationRequest.objects.create(
            organization=organization,
            package=package,
            applicant=actor,
            application=application,
            token=secrets.token_urlsafe(32),
            asked_staff=not has_admins,
        )
        audit(
            "events.sponsor_representation.request",
            request,
            actor=actor,
            data={"organization": organization.slug, "package": package.name, "asked_staff": not has_admins},
        )
        enqueue_on_commit(tasks.send_sponsor_representation_request, request.pk)
    return request


def _may_decide(request: SponsorRepresentationRequest, actor) -> bool:
    if actor.has_perm("events.change_sponsorship"):
        return True
    return OrganizationRole.objects.filter(
        organization_id=request.organization_id, user=actor, role=OrganizationRole.Role.ADMIN
    ).exists()


def _lock_pending(request: SponsorRepresentationRequest, actor) -> SponsorRepresentationRequest:
    request = (
        SponsorRepresentationRequest.objects.select_for_update(of=("self",))
        .select_related("organization", "package__event", "applicant")
        .get(pk=request.pk)
    )
    if not _may_decide(request, actor):
        raise NotOrganizationAdmin(f"Only an administrator of {request.organization.name} can decide this.")
    if request.status != SponsorRepresentationRequest.Status.PENDING:
        raise SponsorshipInvalid(f"This request was already {request.get_status_display().lower()}; nothing changed.")
    return request


def sponsor_representation_confirm(*, request: SponsorRepresentationRequest, actor) -> SponsorRepresentationRequest:
    """An admin of the organisation (or Events staff) confirms: the waiting application goes in as if its
    admin had made it, with the applicant as a contact of the sponsorship (not an admin of the organisation:
    that stays the admins' choice). A package that filled meanwhile puts the organisation on its waiting list."""
    with transaction.atomic():
        request = _lock_pending(request, actor)
        request.move_to(SponsorRepresentationRequest.Status.CONFIRMED)
        request.decided_at, request.decided_by = timezone.now(), actor
        application, applicant = request.application, request.applicant
        email = application["contacts"][SponsorshipContact.Role.BILLING]["email"]
        if not application.get("waiting_list"):
            try:
                request.sponsorship = _sponsorship_create(
                    package=request.package,
                    organization=request.organization,
                    contact_email=email,
                    actor=applicant,
                    payment_method=application.get("payment_method", PaymentMethod.CARD),
                    contacts=application["contacts"],
                    billing=application.get("billing"),
                )
            except SoldOut:
                pass
        if request.sponsorship is None:
            _waiting_list_join(package=request.package, organization=request.organization, email=email, actor=applicant)
        request.save(update_fields=["status", "decided_at", "decided_by", "sponsorship"])
        audit("events.sponsor_representation.confirm", request, actor=actor, data={"applicant": applicant.email})
        enqueue_on_commit(tasks.send_sponsor_representation_decided, request.pk)
    return request


def sponsor_representation_refuse(*, request: SponsorRepresentationRequest, actor) -> SponsorRepresentationRequest:
    """An admin of the organisation (or Events staff) says the applicant does not represent it: nothing is
    applied for, and the applicant hears so by e-mail."""
    with transaction.atomic():
        request = _lock_pending(request, actor)
        request.move_to(SponsorRepresentationRequest.Status.REFUSED)
        request.decided_at, request.decided_by = timezone.now(), actor
        request.save(update_fields=["status", "decided_at", "decided_by"])
        audit("events.sponsor_representation.refuse", request, actor=actor, data={"applicant": request.applicant.email})
        enqueue_on_commit(tasks.send_sponsor_representation_decided, request.pk)
    return request


def sponsorship_approve(*, sponsorship: Sponsorship, actor) -> Sponsorship:
    """Staff approve a request; a lapsed one is re-checked against the package's slots. A package with
    contract terms gets its contract generated for the sponsor to sign."""
    now = timezone.now()
    with transaction.atomic():
        sponsorship = Sponsorship.objects.select_for_update().get(pk=sponsorship.pk)
        package = _lock_package(sponsorship.package_id)
        sponsorship.move_to(Sponsorship.Status.APPROVED)
        _check_slot(package, now, exclude_id=sponsorship.pk)
        sponsorship.approved_at = now
        sponsorship.save(update_fields=["status", "approved_at"])
        benefits.sponsorship_benefits_create(sponsorship=sponsorship)
        audit("events.sponsorship.approve", sponsorship, actor=actor, data={"package": package.name})
        enqueue_on_commit(tasks.send_sponsorship_approved, sponsorship.pk)
        sponsorship_contract_generate(sponsorship=sponsorship, actor=actor)
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
        if sponsorship_invoice_waits_for_contract(sponsorship):
            raise SponsorshipInvalid("The contract must be signed by the sponsor and countersigned before invoicing.")
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
        buyer = {
            "buyer_name": sponsorship.billing_name or sponsorship.organization.name,
            "buyer_address": sponsorship.billing_address,
            "buyer_country": sponsorship.billing_country,
            "buyer_vat_id": sponsorship.billing_vat_number,
            "buyer_po_number": sponsorship.billing_po_number,
            **buyer_tax,  # the VAT number as checked, its check, where the tax is due
        }
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


def sponsorship_mark_paid(*, sponsorship: Sponsorship) -> Sponsorship:
    """The invoice is paid: its pending benefits are released (the logo shows, included passes become a 100 %
    code for that many tickets; events/services/benefits.py)."""

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
        sponsorship.save(update_fields=["status", "paid_at"])
        released = benefits.sponsorship_benefits_release_on_payment(sponsorship=sponsorship)
        audit("events.sponsorship.paid", sponsorship, data={"pass_code": getattr(sponsorship.pass_code, "code", "")})

        if any(benefit.kind == benefit.Kind.PASSES for benefit in released):
            enqueue_on_commit(tasks.send_sponsorship_passes, sponsorship.pk)
        transaction.on_commit(cache.purge)  # the company's page now names the sponsorship
    return sponsorship


def sponsorship_cancellable(sponsorship: Sponsorship, *, now: datetime | None = None) -> bool:
    """Not yet canceled, and its event not over: a past event's sponsorship stays on the record as it was."""
    return sponsorship.status != Sponsorship.Status.CANCELED and (now or timezone.now()) < sponsorship.package.event.end


def sponsorship_cancel(*, sponsorship: Sponsorship, actor, reason: str = "") -> Sponsorship:
    """Reject a request or cancel a sponsorship: its slot comes free; its benefits are withdrawn (codes stop
    working, the logo leaves the public listing)."""

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
        benefits.sponsorship_benefits_withdraw(sponsorship=sponsorship, actor=actor)
        audit("events.sponsorship.cancel", sponsorship, actor=actor, data={"reason": reason, "was_paid": was_paid})
        if was_paid:
            transaction.on_commit(cache.purge)
    return sponsorship


def sponsor_contacts_anonymise(*, user, emails: list[str], anonymised_email: str) -> None:
    """An erased account: the sponsorship contacts with one of its verified addresses lose name and address
    (the sponsorship, a financial row, stays), and its representation requests (applications that carry
    contacts' names) go."""
    with transaction.atomic():
        SponsorshipContact.objects.filter(selectors.email_in_q("email", emails)).update(
            name="Anonymised", email=anonymised_email
        )
        SponsorRepresentationRequest.objects.filter(applicant=user).delete()
