"""Reads for the sponsor's own page (one per organisation, across years and events) and its My account link.

The page is for the organisation's admins: `organization_for_sponsor_admin` finds the organisation through
the person's roles (404 for anyone without one, 403 for a role other than admin).
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from events import selectors
from events.contract_selectors import ContractSummary, sponsorship_contract_summary
from events.models import BoothStaffMember, PromoCode, SponsorBenefit, SponsorLogo, Sponsorship
from members.manage.selectors import organization_for_user
from members.models import Organization, OrganizationRole
from portal.core.reverse import reverse
from portal.payments.selectors import latest_payments_for_owners


def organization_for_sponsor_admin(user, slug: str) -> Organization:
    """The organisation at `slug` if the person administers it; 404 without a role there, 403 with another."""
    organization = organization_for_user(user, slug)
    if OrganizationRole.Role.ADMIN not in organization.user_roles:
        raise PermissionDenied(f"Only the administrators of {organization.name} see its sponsorships.")
    return organization


def sponsorships_for_account(organization: Organization) -> QuerySet[Sponsorship]:
    """Every sponsorship of the organisation, newest event first, with its benefits, logos and booth staff."""
    return (
        Sponsorship.objects.filter(organization=organization)
        .select_related("package__event", "pass_code", "contract")
        .prefetch_related(
            Prefetch(
                "benefit_rows",
                queryset=SponsorBenefit.objects.select_related("promo_code").order_by("position", "pk"),
            ),
            Prefetch("logo_files", queryset=SponsorLogo.objects.order_by("format")),
            Prefetch("booth_staff", queryset=BoothStaffMember.objects.order_by("name", "pk")),
        )
        .order_by("-package__event__start", "package__position", "-requested_at")
    )


def sponsorship_for_account(organization: Organization, pk: int) -> Sponsorship:
    return get_object_or_404(
        Sponsorship.objects.select_related("organization", "package__event"), organization=organization, pk=pk
    )


@dataclass
class SponsorshipRow:
    sponsorship: Sponsorship
    payment: object | None
    benefits: list[SponsorBenefit]
    has_booth: bool
    deadline: object | None
    deadline_passed: bool
    can_send: bool
    booth_staff_text: str = ""
    logo_error: str = ""
    booth_error: str = ""
    codes: list[tuple[str, PromoCode]] = field(default_factory=list)
    contract: ContractSummary | None = None


def sponsor_account_rows(organization: Organization, *, now=None) -> list[SponsorshipRow]:
    """One row per sponsorship: its newest payment (invoice links), benefits, released codes, material, deadline."""
    now = now or timezone.now()
    sponsorships = list(sponsorships_for_account(organization))
    payments = latest_payments_for_owners(sponsorships)
    rows = []
    for sponsorship in sponsorships:
        benefits = list(sponsorship.benefit_rows.all())
        event = sponsorship.package.event
        deadline = sponsorship.package.asset_deadline
        passed = deadline is not None and now > deadline
        codes: list[tuple[str, PromoCode]] = []
        for benefit in benefits:
            if not benefit.is_given:
                continue
            if benefit.kind == SponsorBenefit.Kind.PASSES and sponsorship.pass_code is not None:
                codes.append((benefit.name, sponsorship.pass_code))
            elif benefit.promo_code is not None:
                codes.append((benefit.name, benefit.promo_code))
        rows.append(
            SponsorshipRow(
                sponsorship=sponsorship,
                payment=payments.get(str(sponsorship.pk)),
                benefits=benefits,
                has_booth=any(benefit.kind == SponsorBenefit.Kind.BOOTH for benefit in benefits),
                deadline=event.local(deadline),
                deadline_passed=passed,
                can_send=bool(benefits) and not passed and sponsorship.status != Sponsorship.Status.CANCELED,
                booth_staff_text="\n".join(
                    f"{person.name}, {person.email}" for person in sponsorship.booth_staff.all()
                ),
                codes=codes,
                contract=sponsorship_contract_summary(sponsorship),
            )
        )
    return rows


def sponsor_pages_section_reads(user) -> dict:
    return {"organizations": selectors.sponsoring_organizations_administered_read(user)}


def sponsor_pages_section(user, organizations: list) -> dict | None:
    """My account: a link to each sponsor page of the organisations the person administers that sponsor."""
    if not organizations:
        return None
    return {
        "title": "Sponsor pages",
        "items": [
            {
                "label": f"{organization.name}: sponsorships, benefits and material",
                "url": reverse("events:sponsor-account", kwargs={"organization": organization.slug}),
            }
            for organization in organizations
        ],
    }
