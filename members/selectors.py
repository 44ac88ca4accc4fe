"""Reads of tiers, organisations and memberships, shaped so a page costs the same for 5 rows or 500."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from members.models import Industry, Membership, MembershipTier, Organization


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def active_memberships(*, today: datetime.date | None = None) -> QuerySet[Membership]:
    """A membership counts when it is active and today lies between its start and its (open) end."""
    day = _today(today)
    return Membership.objects.filter(status=Membership.Status.ACTIVE, starts__lte=day).filter(
        Q(ends__isnull=True) | Q(ends__gte=day)
    )


def tiers_in_rank_order() -> QuerySet[MembershipTier]:
    return MembershipTier.objects.order_by("rank")


def members_for_directory(
    *,
    tier: str | None = None,
    country: str | None = None,
    industry: str | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Organization]:
    """Organisations with an active membership, annotated with that membership's tier, by tier rank then name.

    `tier` is a tier slug. When an organisation holds two active memberships the higher tier wins.
    """
    current = active_memberships(today=today).filter(organization=OuterRef("pk")).order_by("tier__rank")
    organizations = (
        Organization.objects.annotate(
            tier_id=Subquery(current.values("tier_id")[:1]),
            tier_rank=Subquery(current.values("tier__rank")[:1]),
            tier_name=Subquery(current.values("tier__name")[:1]),
            tier_slug=Subquery(current.values("tier__slug")[:1]),
        )
        .filter(tier_id__isnull=False)
        .order_by(F("tier_rank").asc(), "name")
    )
    if tier:
        organizations = organizations.filter(tier_slug=tier)
    if country:
        organizations = organizations.filter(country=country)
    if industry:
        organizations = organizations.filter(industry=industry)
    return organizations


def organization_for_directory(slug: str, *, today: datetime.date | None = None) -> Organization:
    """A member's public page exists only while its membership is active; anything else is a 404."""
    organization = members_for_directory(today=today).filter(slug=slug).first()
    if organization is None:
        raise Http404("No member with this address.")
    return organization


@dataclass
class TierGroup:
    tier: MembershipTier
    organizations: list[Organization] = field(default_factory=list)


def directory_by_tier(organizations, *, tiers=None) -> list[TierGroup]:
    """Group directory organisations under their tiers, in rank order, leaving out empty tiers."""
    if tiers is None:
        tiers = tiers_in_rank_order()
    groups = {tier.pk: TierGroup(tier=tier) for tier in tiers}
    for organization in organizations:
        group = groups.get(organization.tier_id)
        if group is not None:
            group.organizations.append(organization)
    return [group for group in groups.values() if group.organizations]


@dataclass
class DirectoryFilters:
    tiers: list[tuple[str, str]]
    countries: list[str]
    industries: list[tuple[str, str]]


def directory_filter_options(organizations: list[Organization], *, tiers) -> DirectoryFilters:
    """The choices the directory's filter form offers: only values some current member has."""
    countries = sorted({organization.country for organization in organizations if organization.country})
    industry_codes = {organization.industry for organization in organizations if organization.industry}
    industries = [(code, label) for code, label in Industry.choices if code in industry_codes]
    return DirectoryFilters(
        tiers=[(tier.slug, tier.name) for tier in tiers], countries=countries, industries=industries
    )


def filter_directory(
    organizations: list[Organization], *, tier: str = "", country: str = "", industry: str = ""
) -> list[Organization]:
    """The directory's filters applied to an already loaded list, so the page needs no second query."""
    return [
        organization
        for organization in organizations
        if (not tier or getattr(organization, "tier_slug", None) == tier)
        and (not country or organization.country == country)
        and (not industry or organization.industry == industry)
    ]


def tiers_with_seats(*, today: datetime.date | None = None) -> QuerySet[MembershipTier]:
    """Tiers in rank order, each with `members_count` (active memberships) and `seats_left` (None: unlimited)."""
    day = _today(today)
    active = Q(memberships__status=Membership.Status.ACTIVE, memberships__starts__lte=day) & (
        Q(memberships__ends__isnull=True) | Q(memberships__ends__gte=day)
    )
    return tiers_in_rank_order().annotate(members_count=Count("memberships", filter=active))
