"""Sponsorship benefits and the sponsor's material: created from the package, released, fulfilled, withdrawn;
logos and booth staff sent in before the package's deadline.

A benefit's code (the included passes, a discount for the sponsor's community) exists and works only while
the benefit is released or fulfilled; the logo shows on the event's sponsor listing under the same rule.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from events import selectors, tasks
from events.exceptions import NotOrganizationAdmin, SponsorAssetDeadlinePassed, SponsorshipInvalid
from events.models import BoothStaffMember, PromoCode, SponsorBenefit, SponsorLogo, Sponsorship, new_order_code
from portal.core import cache
from portal.core.audit import audit
from portal.core.tasking import enqueue_on_commit
from portal.core.uploads import validate_logo, validate_logo_file

Kind = SponsorBenefit.Kind
Status = SponsorBenefit.Status
MAX_BOOTH_STAFF = 50


def _code_for(sponsorship: Sponsorship) -> str:
    base = "".join(ch for ch in sponsorship.organization.slug.upper() if ch.isalnum())[:16] or "SPONSOR"
    return f"{base}-{new_order_code()[:6]}"


def _locked(sponsorship_id: int) -> Sponsorship:
    return (
        Sponsorship.objects.select_for_update(of=("self",))
        .select_related("organization", "package__event")
        .get(pk=sponsorship_id)
    )


def sponsorship_benefits_create(*, sponsorship: Sponsorship) -> list[SponsorBenefit]:
    """The package's benefits as rows, all pending: the logo, the passes, the discount code, then each of
    the package's benefit lines (a booth if the line says so, an add-on otherwise). Once per sponsorship."""

    existing = list(SponsorBenefit.objects.filter(sponsorship=sponsorship))
    if existing:
        return existing
    package = sponsorship.package
    lines = package.benefit_list
    # A line that promises the logo on the event page is the logo benefit itself, not an add-on beside it.
    listing = next((line for line in lines if "logo" in line.lower() and "event page" in line.lower()), None)
    logo_name = listing[:200] if listing else f"Logo on the {package.event.name} sponsor listing"
    rows = [SponsorBenefit(kind=Kind.LOGO, name=logo_name)]
    if package.passes_included:
        plural = "es" if package.passes_included != 1 else ""
        rows.append(SponsorBenefit(kind=Kind.PASSES, name=f"{package.passes_included} free pass{plural}"))
    if package.discount_percent > 0 and package.discount_tickets:
        percent = package.discount_percent.normalize()
        rows.append(
            SponsorBenefit(
                kind=Kind.DISCOUNT,
                name=f"Discount code: {percent:f} % off {package.discount_tickets} tickets for your community",
            )
        )
    for line in lines:
        if line == listing:
            continue
        rows.append(SponsorBenefit(kind=Kind.BOOTH if "booth" in line.lower() else Kind.ADDON, name=line[:200]))
    for position, row in enumerate(rows):
        row.sponsorship = sponsorship
        row.position = position
    return SponsorBenefit.objects.bulk_create(rows)


def _give(benefit: SponsorBenefit, sponsorship: Sponsorship) -> None:
    """What releasing a benefit does beyond its row: a code made (or switched back on), the logo shown."""

    package = sponsorship.package
    if benefit.kind == Kind.PASSES:
        if sponsorship.pass_code_id is None:
            code = PromoCode.objects.create(
                event=package.event,
                code=_code_for(sponsorship),
                kind=PromoCode.Kind.PERCENT,
                value=Decimal("100"),
                max_tickets=package.passes_included,
            )
            code.ticket_types.set(package.pass_ticket_types.all())
            sponsorship.pass_code = code
            Sponsorship.objects.filter(pk=sponsorship.pk).update(pass_code=code)
        else:
            PromoCode.objects.filter(pk=sponsorship.pass_code_id).update(active=True)
    elif benefit.kind == Kind.DISCOUNT:
        if benefit.promo_code_id is None:
            benefit.promo_code = PromoCode.objects.create(
                event=package.event,
                code=_code_for(sponsorship),
                kind=PromoCode.Kind.PERCENT,
                value=package.discount_percent,
                max_tickets=package.discount_tickets,
            )
        else:
            PromoCode.objects.filter(pk=benefit.promo_code_id).update(active=True)
    elif benefit.kind == Kind.LOGO:
        transaction.on_commit(cache.purge)  # the logo now shows on cached pages


def _release(benefit: SponsorBenefit, sponsorship: Sponsorship, *, actor, reason: str, early: bool) -> None:
    benefit.move_to(Status.RELEASED)
    benefit.released_at = timezone.now()
    benefit.released_by = actor if getattr(actor, "is_authenticated", False) else None
    benefit.released_early = early
    benefit.release_reason = reason[:300]
    _give(benefit, sponsorship)
    benefit.save(
        update_fields=["status", "released_at", "released_by", "released_early", "release_reason", "promo_code"]
    )


def sponsorship_benefits_release_on_payment(*, sponsorship: Sponsorship) -> list[SponsorBenefit]:
    """Payment releases every pending benefit (created now if the sponsorship skipped approval).
    Runs inside the payment's transaction, the sponsorship row locked by the caller."""

    sponsorship_benefits_create(sponsorship=sponsorship)
    pending = list(SponsorBenefit.objects.filter(sponsorship=sponsorship, status=Status.PENDING).order_by("position"))
    for benefit in pending:
        _release(benefit, sponsorship, actor=None, reason="", early=False)
    if pending:
        audit(
            "events.sponsor_benefit.release",
            sponsorship,
            data={"benefits": [benefit.name for benefit in pending], "on": "payment"},
        )
        enqueue_on_commit(tasks.send_sponsor_benefits_released, sponsorship.pk, [b.pk for b in pending])
    return pending


def sponsor_benefit_release(*, benefit: SponsorBenefit, actor, reason: str) -> SponsorBenefit:
    """Staff release one benefit before its time (before signature or payment): the reason is required
    and audited; the sponsor hears of it. A canceled sponsorship's benefits stay withdrawn."""

    reason = (reason or "").strip()
    if not reason:
        raise SponsorshipInvalid("Say why this benefit is released before payment.")
    with transaction.atomic():
        sponsorship = _locked(benefit.sponsorship_id)
        if sponsorship.status == Sponsorship.Status.CANCELED:
            raise SponsorshipInvalid("This sponsorship is canceled: its benefits cannot be released.")
        benefit = SponsorBenefit.objects.select_for_update().get(pk=benefit.pk)
        early = sponsorship.status != Sponsorship.Status.PAID
        _release(benefit, sponsorship, actor=actor, reason=reason, early=early)
        audit(
            "events.sponsor_benefit.release",
            sponsorship,
            actor=actor,
            data={"benefits": [benefit.name], "benefit": benefit.pk, "reason": reason, "early": early},
        )
        enqueue_on_commit(tasks.send_sponsor_benefits_released, sponsorship.pk, [benefit.pk])
    return benefit


def sponsor_benefit_fulfil(*, benefit: SponsorBenefit, actor) -> SponsorBenefit:
    """Staff mark a released benefit delivered (the booth built, the logo printed)."""

    with transaction.atomic():
        sponsorship = _locked(benefit.sponsorship_id)
        benefit = SponsorBenefit.objects.select_for_update().get(pk=benefit.pk)
        benefit.move_to(Status.FULFILLED)
        benefit.fulfilled_at = timezone.now()
        benefit.fulfilled_by = actor
        benefit.save(update_fields=["status", "fulfilled_at", "fulfilled_by"])
        audit("events.sponsor_benefit.fulfil", sponsorship, actor=actor, data={"benefit": benefit.name})
        enqueue_on_commit(tasks.send_sponsor_benefit_fulfilled, benefit.pk)
    return benefit


def sponsorship_benefits_withdraw(*, sponsorship: Sponsorship, actor) -> list[SponsorBenefit]:
    """A canceled sponsorship's benefits are withdrawn: its codes stop applying at checkout and its logo
    leaves the public listing (cached pages purged). Runs inside the cancellation's transaction."""

    live = list(SponsorBenefit.objects.filter(sponsorship=sponsorship).exclude(status=Status.WITHDRAWN))
    if not live:
        return []
    given = [benefit for benefit in live if benefit.is_given]
    SponsorBenefit.move_all(
        SponsorBenefit.objects.filter(pk__in=[benefit.pk for benefit in live]),
        Status.WITHDRAWN,
        withdrawn_at=timezone.now(),
    )
    codes = [benefit.promo_code_id for benefit in live if benefit.promo_code_id]
    if sponsorship.pass_code_id:
        codes.append(sponsorship.pass_code_id)
    PromoCode.objects.filter(pk__in=codes).update(active=False)
    audit(
        "events.sponsor_benefit.withdraw",
        sponsorship,
        actor=actor,
        data={"benefits": [benefit.name for benefit in live], "were_given": [benefit.name for benefit in given]},
    )
    if any(benefit.kind == Kind.LOGO for benefit in given):
        transaction.on_commit(cache.purge)
    if given:
        enqueue_on_commit(tasks.send_sponsor_benefits_withdrawn, sponsorship.pk, [b.pk for b in given])
    return live


# --- The sponsor's material ---------------------------------------------------------------


def _check_can_send(sponsorship: Sponsorship, actor, *, now) -> None:
    if not selectors.organizations_administered_by(actor).filter(pk=sponsorship.organization_id).exists():
        raise NotOrganizationAdmin(f"You cannot act on behalf of {sponsorship.organization.name}.")
    if sponsorship.status == Sponsorship.Status.CANCELED:
        raise SponsorshipInvalid("This sponsorship is canceled: it needs no material any more.")
    deadline = sponsorship.package.asset_deadline
    if deadline is not None and now > deadline:
        event = sponsorship.package.event
        local = event.local(deadline)
        raise SponsorAssetDeadlinePassed(
            f"The deadline for {event.name} sponsor material was {local:%-d %B %Y, %H:%M}: uploads are closed. "
            f"Write to {settings.EVENTS_EMAIL} if something must still change."
        )


def sponsor_logo_upload(*, sponsorship: Sponsorship, file, actor) -> SponsorLogo:
    """The sponsor's logo in one format (SVG, PNG or JPEG, checked by content, within the one size limit);
    a new file replaces the one of the same format. The sponsor and Events staff are e-mailed."""

    now = timezone.now()
    try:
        validate_logo_file(file)
        kind = validate_logo(file)
    except ValidationError as error:
        raise SponsorshipInvalid(error.messages[0], code="logo_invalid") from error
    with transaction.atomic():
        sponsorship = _locked(sponsorship.pk)
        _check_can_send(sponsorship, actor, now=now)
        SponsorLogo.objects.filter(sponsorship=sponsorship, format=kind).delete()
        logo = SponsorLogo(sponsorship=sponsorship, format=kind, uploaded_by=actor, uploaded_at=now)
        logo.file.save(file.name, file, save=False)
        logo.save()
        # The newest upload is the logo the public listing shows.
        Sponsorship.objects.filter(pk=sponsorship.pk).update(logo=logo.file.name)
        audit("events.sponsor_asset.receive", sponsorship, actor=actor, data={"asset": f"logo ({kind})"})
        if SponsorBenefit.objects.filter(sponsorship=sponsorship, kind=Kind.LOGO, status__in=SponsorBenefit.GIVEN):
            transaction.on_commit(cache.purge)
        enqueue_on_commit(tasks.send_sponsor_asset_received, sponsorship.pk, f"{logo.get_format_display()} logo")
    return logo


def parse_booth_staff(text: str) -> list[tuple[str, str]]:
    """Lines of "Name, e-mail" (or "Name <e-mail>") as (name, e-mail) pairs; a line that is not one raises."""

    people: list[tuple[str, str]] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if "<" in line and line.endswith(">"):
            name, _, email = line[:-1].partition("<")
        else:
            name, _, email = line.rpartition(",")
        name, email = name.strip().strip(","), email.strip()
        if not name or "@" not in email:
            raise SponsorshipInvalid(f'Line {number} should read "Name, e-mail": {line[:80]}')
        people.append((name, email.lower()))
    return people


def sponsor_booth_staff_set(*, sponsorship: Sponsorship, people: Iterable[tuple[str, str]], actor) -> int:
    """The people who will staff the booth, replacing the list sent before; only for a package with a booth."""

    now = timezone.now()
    people = list(dict((email, name) for name, email in people).items())  # one row per address
    if len(people) > MAX_BOOTH_STAFF:
        raise SponsorshipInvalid(f"At most {MAX_BOOTH_STAFF} people can staff a booth.")
    with transaction.atomic():
        sponsorship = _locked(sponsorship.pk)
        _check_can_send(sponsorship, actor, now=now)
        if not SponsorBenefit.objects.filter(sponsorship=sponsorship, kind=Kind.BOOTH).exists():
            raise SponsorshipInvalid("This sponsorship has no booth.")
        rows = [
            BoothStaffMember(sponsorship=sponsorship, name=name, email=email, added_at=now) for email, name in people
        ]
        for row in rows:
            try:
                row.full_clean(exclude=["sponsorship"])
            except ValidationError as error:
                raise SponsorshipInvalid(f"{row.name}: {' '.join(error.messages)}") from error
        BoothStaffMember.objects.filter(sponsorship=sponsorship).delete()
        BoothStaffMember.objects.bulk_create(rows)
        audit(
            "events.sponsor_asset.receive", sponsorship, actor=actor, data={"asset": "booth staff", "count": len(rows)}
        )
        enqueue_on_commit(tasks.send_sponsor_asset_received, sponsorship.pk, f"booth staff list ({len(rows)})")
    return len(rows)
