"""Reads of tiers, organisations and memberships, shaped so a page costs the same for 5 rows or 500."""

import datetime
import difflib
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from members.models import (
    DuesPeriod,
    IndividualAffiliation,
    IndividualMember,
    Industry,
    Membership,
    MembershipApplication,
    MembershipTier,
    Organization,
    OrganizationRole,
)
from portal.core.joined import Read
from portal.payments.models import Payment


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def active_memberships(*, today: datetime.date | None = None) -> QuerySet[Membership]:
    """A membership counts when it is active (or in its grace period) and today lies between its start and end."""
    day = _today(today)
    return Membership.objects.filter(status__in=Membership.PUBLIC_STATUSES, starts__lte=day).filter(
        Q(ends__isnull=True) | Q(ends__gte=day)
    )


def tier_seats_taken(*, tier: MembershipTier, today: datetime.date | None = None) -> int:
    """Memberships that hold a seat of the tier today: approved (awaiting dues), active or in grace, and
    those starting later (a downgrade planned for the renewal holds its seat from its approval)."""
    day = _today(today)
    return (
        Membership.objects.filter(tier=tier, status__in=Membership.SEAT_STATUSES)
        .filter(Q(ends__isnull=True) | Q(ends__gte=day))
        .count()
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


def _member_since() -> Min:
    """The first day of the organisation's membership: its earliest membership that was ever in force."""
    return Min(
        "memberships__starts",
        filter=Q(memberships__status__in=[*Membership.PUBLIC_STATUSES, Membership.Status.LAPSED])
        | Q(memberships__status=Membership.Status.CANCELED, memberships__next__isnull=False),
    )


def members_for_landscape(*, today: datetime.date | None = None) -> QuerySet[Organization]:
    """The directory's members with `member_since`, the date they joined, for the landscape export."""
    return members_for_directory(today=today).annotate(member_since=_member_since())


def organization_for_directory(slug: str, *, today: datetime.date | None = None) -> Organization:
    """A member's public page exists only while its membership is active; anything else is a 404."""
    organization = members_for_directory(today=today).filter(slug=slug).annotate(member_since=_member_since()).first()
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


def tiers_with_seats(*, today: datetime.date | None = None, public_only: bool = True) -> QuerySet[MembershipTier]:
    """Tiers in rank order, each with `members_count` (members shown today), `seats_taken` (approved, active or
    grace memberships) and so `seats_left` (None: unlimited). Tiers granted by invitation only are left out."""
    day = _today(today)
    current = Q(memberships__starts__lte=day) & (Q(memberships__ends__isnull=True) | Q(memberships__ends__gte=day))
    tiers = tiers_in_rank_order().annotate(
        members_count=Count("memberships", filter=current & Q(memberships__status__in=Membership.PUBLIC_STATUSES)),
        seats_taken=Count(
            "memberships",
            filter=(Q(memberships__ends__isnull=True) | Q(memberships__ends__gte=day))
            & Q(memberships__status__in=Membership.SEAT_STATUSES),
        ),
    )
    return tiers.filter(is_public=True) if public_only else tiers


def member_count(*, today: datetime.date | None = None) -> int:
    """How many organisations the directory shows today (the join page's headline figure)."""
    return members_for_directory(today=today).count()


def applications_queue() -> QuerySet[MembershipApplication]:
    """Open applications, oldest first, for the staff review queue."""
    return (
        MembershipApplication.objects.filter(status__in=MembershipApplication.OPEN_STATUSES)
        .select_related("applicant", "requested_tier", "reviewed_by")
        .order_by("created_at", "pk")
    )


def applications_for_user(user) -> QuerySet[MembershipApplication]:
    return (
        MembershipApplication.objects.filter(applicant=user)
        .select_related("requested_tier", "organization")
        .order_by("-created_at")
    )


_APPLICATIONS_LISTED_SQL = """
SELECT a.id, a.organization_name, a.created_at, a.rejection_reason, a.status, t.name AS tier_name
FROM members_membershipapplication a INNER JOIN members_membershiptier t ON t.id = a.requested_tier_id
WHERE a.applicant_id = %s
ORDER BY a.created_at DESC, a.id DESC
"""


def applications_listed_read(user) -> Read:
    """The person's applications as My account lists them, in one SQL query (see _ROLES_LISTED_SQL): name,
    `tier_name`, date, status and reason."""
    return Read(MembershipApplication, _APPLICATIONS_LISTED_SQL, [user.pk])


def administers_an_organization(user) -> bool:
    """Whether the person is an admin of some organisation (a member, or a company that only sponsors)."""
    return OrganizationRole.objects.filter(user=user, role=OrganizationRole.Role.ADMIN).exists()


def roles_for_user(user) -> QuerySet[OrganizationRole]:
    return OrganizationRole.objects.filter(user=user).select_related("organization").order_by("organization__name")


# My account's organisations section, written in SQL: building these with the ORM cost ten times what
# running them does, on a page every member opens. They say what roles_for_user and unpaid_dues_for_user
# say; tests/members/test_account_sql.py holds them together.
_ROLES_LISTED_SQL = """
SELECT r.id, r.role, r.organization_id, org.name AS organization_name, org.slug AS organization_slug
FROM members_organizationrole r INNER JOIN members_organization org ON org.id = r.organization_id
WHERE r.user_id = %s
ORDER BY org.name, r.id
"""
_DUES_PAYMENTS_LISTED_SQL = """
SELECT p.id, p.public_id, p.amount, p.currency, org.name AS organization_name, i.number AS invoice_number
FROM members_duesperiod d
  INNER JOIN members_membership m ON m.id = d.membership_id
  INNER JOIN members_organization org ON org.id = m.organization_id
  INNER JOIN payments_payment p ON p.id = d.payment_id
  LEFT OUTER JOIN payments_invoice i ON i.id = d.invoice_id
WHERE d.paid_at IS NULL AND m.status <> %s
  AND EXISTS (SELECT 1 FROM members_organizationrole r WHERE r.organization_id = org.id AND r.user_id = %s AND r.role IN (%s, %s))
ORDER BY d.starts, d.id
"""


def roles_listed_read(user) -> Read:
    """`roles_for_user` as My account lists them, in one query: each role with `organization_name` and
    `organization_slug` (its link)."""
    return Read(OrganizationRole, _ROLES_LISTED_SQL, [user.pk])


def unpaid_dues_payments_read(user) -> Read:
    """The payments of `unpaid_dues_for_user`, in one query, as My account lists them: each Payment (its amount
    and link) with `organization_name` and `invoice_number` (None before the invoice)."""
    roles = [str(OrganizationRole.Role.ADMIN), str(OrganizationRole.Role.BILLING)]
    return Read(Payment, _DUES_PAYMENTS_LISTED_SQL, [str(Membership.Status.CANCELED), user.pk, *roles])


def organization_name_taken(name: str, *, excluding: Organization) -> bool:
    """Whether another organisation, or an open application, already goes by this name (any case, or its
    slug): the rule applications follow, applied to renames."""
    name = name.strip()
    others = Organization.objects.exclude(pk=excluding.pk).filter(Q(name__iexact=name) | Q(slug=slugify(name)[:100]))
    applications = MembershipApplication.objects.filter(
        Q(organization_name__iexact=name) | Q(organization_slug=slugify(name)[:100]),
        status__in=MembershipApplication.OPEN_STATUSES,
    ).exclude(organization=excluding)
    return others.exists() or applications.exists()


def organizations_where_last_admin(user) -> QuerySet[Organization]:
    """Organisations of which this person is the only admin."""
    admin = OrganizationRole.Role.ADMIN
    theirs = OrganizationRole.objects.filter(user=user, role=admin).values("organization_id")
    return (
        Organization.objects.filter(pk__in=theirs)
        .annotate(admins=Count("roles", filter=Q(roles__role=admin)))
        .filter(admins=1)
        .order_by("name")
    )


def unpaid_dues_for_user(user) -> QuerySet[DuesPeriod]:
    """Dues the person can pay: unpaid periods of organisations where they are admin or billing contact."""
    return (
        DuesPeriod.objects.filter(
            paid_at__isnull=True,
            payment__isnull=False,
            membership__organization__roles__user=user,
            membership__organization__roles__role__in=[OrganizationRole.Role.ADMIN, OrganizationRole.Role.BILLING],
        )
        .exclude(membership__status=Membership.Status.CANCELED)
        .select_related("membership__organization", "membership__tier", "payment", "invoice")
        .distinct()
        .order_by("starts")
    )


def memberships_with_history() -> QuerySet[Membership]:
    return Membership.objects.select_related("organization", "tier", "previous__tier").order_by(
        "organization__name", "-starts", "-pk"
    )


def members_for_export(*, today: datetime.date | None = None) -> QuerySet[Membership]:
    """Current memberships (approved, active, grace) with their organisation, tier and dues, for the CSV export."""
    day = _today(today)
    return (
        Membership.objects.filter(status__in=Membership.SEAT_STATUSES, starts__lte=day)
        .filter(Q(ends__isnull=True) | Q(ends__gte=day))
        .select_related("organization", "tier")
        .prefetch_related(Prefetch("dues_periods", queryset=DuesPeriod.objects.order_by("-starts")))
        .order_by("tier__rank", "organization__name")
    )


# --- Individual members -------------------------------------------------------------------


def project_choices() -> QuerySet:
    """Live, public project pages an individual member may say they work on, by title.

    Through the relation's model: members never imports the page models.
    """
    project_model: Any = IndividualMember._meta.get_field("projects").related_model
    return project_model.objects.live().public().order_by("title")


def _with_profile(members: QuerySet) -> QuerySet:
    return members.prefetch_related(
        Prefetch("affiliations", queryset=IndividualAffiliation.objects.select_related("organization")),
        Prefetch("projects", queryset=project_choices()),
    )


def individual_members_for_directory(*, query: str = "") -> QuerySet:
    """Current individual members by name, with affiliations and projects loaded in bulk; `query` matches
    the display name or an affiliation's organisation (case-insensitive, any database)."""
    members = IndividualMember.objects.filter(left_at__isnull=True)
    query = query.strip()
    if query:
        affiliated = IndividualAffiliation.objects.filter(member=OuterRef("pk")).filter(
            Q(organization_name__icontains=query) | Q(organization__name__icontains=query)
        )
        members = members.filter(Q(display_name__icontains=query) | Exists(affiliated))
    return _with_profile(members.order_by(Lower("display_name"), "pk"))


def individual_member_for_profile(slug: str):
    """A current individual member's public profile; anyone who left, or no one, is a 404."""
    member = _with_profile(IndividualMember.objects.filter(slug=slug, left_at__isnull=True)).first()
    if member is None:
        raise Http404("No individual member with this address.")
    return member


def individual_membership_for_user(user):
    """The person's current individual membership, or None."""
    if not user.is_authenticated:
        return None
    return IndividualMember.objects.filter(user=user, left_at__isnull=True).first()


_INDIVIDUAL_MEMBERSHIP_SQL = """
SELECT m.id, m.slug, m.display_name, m.joined_at, m.agreement_version
FROM members_individualmember m
WHERE m.user_id = %s AND m.left_at IS NULL
ORDER BY m.id
"""


def individual_membership_listed_read(user) -> Read:
    """`individual_membership_for_user` with what My account shows of it, in one SQL query (see
    _ROLES_LISTED_SQL): name, profile link, date and agreement (no row, or one)."""
    return Read(IndividualMember, _INDIVIDUAL_MEMBERSHIP_SQL, [user.pk])


def individual_memberships_history(user) -> QuerySet:
    """Every individual membership of the person, current and past, for their data export."""
    return _with_profile(IndividualMember.objects.filter(user=user).order_by("joined_at", "pk"))


def organization_name_key(name: str) -> str:
    """An organisation's name as compared for sameness: accents, case, spaces and punctuation ignored
    ("ACME  Cloud, Inc." and "acme cloud inc" are one name)."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum())


@dataclass
class NameMatch:
    same: Organization | None = None
    close: list[Organization] = field(default_factory=list)


def organizations_named_like(name: str, *, cutoff: float = 0.8) -> NameMatch:
    """The organisation whose name is the same as `name` (organization_name_key), or those close to it
    ("Acme Clouds" for "Acme Cloud"), closest first: a new name is checked before an organisation is made."""
    key = organization_name_key(name)
    if not key:
        return NameMatch()
    by_key: dict[str, Organization] = {}
    for organization in Organization.objects.only("pk", "name", "slug").order_by("pk"):
        by_key.setdefault(organization_name_key(organization.name), organization)
    if key in by_key:
        return NameMatch(same=by_key[key])
    close = difflib.get_close_matches(key, list(by_key), n=3, cutoff=cutoff)
    return NameMatch(close=[by_key[match] for match in close])
