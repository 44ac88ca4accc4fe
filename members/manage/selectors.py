"""Reads of the member admin pages. Every page starts from `organization_for_user`: the organisation is
found through the person's own roles, so anyone without one gets a 404 whatever the slug."""

import datetime
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from members.models import (
    DuesPeriod,
    Membership,
    MembershipTier,
    Organization,
    OrganizationInvitation,
    OrganizationRole,
    TierChangeRequest,
)
from members.tier_changes import tier_change_quote
from portal.core import money
from portal.core.exceptions import ApplicationError
from portal.core.joined import raw_list
from portal.payments.models import Invoice, Payment

# Every member admin page starts here, and the overview's two notices (a pending tier change, dues to
# pay) read one row or a count: written in SQL, since building these with the ORM cost several times
# running them. tests/members/test_manage.py walks every page and role through them.
_ORGANIZATION_FOR_USER_SQL = """
SELECT org.*, r.role AS user_role
FROM members_organization org INNER JOIN members_organizationrole r ON r.organization_id = org.id
WHERE r.user_id = %s AND org.slug = %s
"""


def organization_for_user(user, slug: str) -> Organization:
    """The organisation at `slug` when the person holds a role in it (404 otherwise); `user_roles` is the
    set of their roles there. One query."""
    rows = raw_list(Organization, _ORGANIZATION_FOR_USER_SQL, [user.pk, slug]) if user.is_authenticated else []
    if not rows:
        raise Http404("No organisation of yours at this address.")
    organization = rows[0]
    organization.user_roles = frozenset(row.user_role for row in rows)  # type: ignore[attr-defined]
    return organization


def organizations_for_user(user) -> QuerySet[Organization]:
    """The person's organisations by name, each with `my_roles` and its current membership's tier and status."""
    current = Membership.objects.filter(organization=OuterRef("pk"), status__in=Membership.SEAT_STATUSES).order_by(
        "-starts", "-pk"
    )
    return (
        Organization.objects.filter(pk__in=OrganizationRole.objects.filter(user=user).values("organization_id"))
        .annotate(
            tier_name=Subquery(current.values("tier__name")[:1]),
            membership_status=Subquery(current.values("status")[:1]),
        )
        .prefetch_related(
            Prefetch("roles", queryset=OrganizationRole.objects.filter(user=user).order_by("role"), to_attr="my_roles")
        )
        .order_by("name")
    )


def membership_history(organization: Organization) -> list[Membership]:
    """Every membership row, newest first: a tier change ends one row and starts the next."""
    return list(organization.memberships.select_related("tier").order_by("-starts", "-pk"))


_MEMBERSHIP_HISTORY_SQL = """
SELECT m.*, t.name AS tier_name
FROM members_membership m INNER JOIN members_membershiptier t ON t.id = m.tier_id
WHERE m.organization_id = %s
ORDER BY m.starts DESC, m.id DESC
"""


def membership_history_listed(organization: Organization) -> list[Membership]:
    """`membership_history` as the overview shows it, in one SQL query (see _ORGANIZATION_FOR_USER_SQL): each
    row with `tier_name` instead of its tier."""
    return raw_list(Membership, _MEMBERSHIP_HISTORY_SQL, [organization.pk])


def current_membership(memberships: list[Membership], *, today: datetime.date | None = None) -> Membership | None:
    """The row holding a seat today, from an already loaded history (no query)."""
    day = today or timezone.localdate()
    for membership in memberships:
        if (
            membership.status in Membership.SEAT_STATUSES
            and membership.starts <= day
            and (membership.ends is None or membership.ends >= day)
        ):
            return membership
    return None


def tier_change_requests(organization: Organization) -> list[TierChangeRequest]:
    return list(
        TierChangeRequest.objects.filter(organization=organization)
        .select_related("tier", "membership__tier", "requested_by")
        .order_by("-created_at", "-pk")
    )


_PENDING_TIER_CHANGE_SQL = """
SELECT c.id, c.created_at, t.name AS tier_name
FROM members_tierchangerequest c INNER JOIN members_membershiptier t ON t.id = c.tier_id
WHERE c.organization_id = %s AND c.status = %s
ORDER BY c.created_at DESC, c.id DESC
"""


def pending_tier_change(organization: Organization) -> TierChangeRequest | None:
    """The request waiting for the membership team, if any: the overview's notice (`tier_name` and its date)."""
    status = str(TierChangeRequest.Status.PENDING)
    return next(iter(raw_list(TierChangeRequest, _PENDING_TIER_CHANGE_SQL, [organization.pk, status])), None)


def people(organization: Organization) -> QuerySet[OrganizationRole]:
    return organization.roles.select_related("user").order_by("user__last_name", "user__first_name", "role")


def pending_invitations(organization: Organization) -> QuerySet[OrganizationInvitation]:
    return (
        organization.invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def organization_admins(organization: Organization) -> QuerySet[OrganizationRole]:
    return organization.roles.filter(role=OrganizationRole.Role.ADMIN).select_related("user").order_by("user__email")


def dues_for_organization(organization: Organization) -> list[DuesPeriod]:
    """Every dues period with its invoice (and credit notes) and `attempts`, the payments made for it. Two queries."""

    periods = list(
        DuesPeriod.objects.filter(membership__organization=organization)
        .select_related("membership__tier", "invoice", "payment")
        .prefetch_related(
            Prefetch("invoice__credit_notes", queryset=Invoice.objects.exclude(number="").order_by("created_at", "pk"))
        )
        .order_by("-starts", "-pk")
    )
    attempts: dict[str, list[Payment]] = defaultdict(list)
    if periods:
        for payment in Payment.objects.filter(
            owner_content_type=ContentType.objects.get_for_model(DuesPeriod),
            owner_object_id__in=[str(period.pk) for period in periods],
        ).order_by("created_at", "pk"):
            attempts[payment.owner_object_id].append(payment)
    for period in periods:
        period.attempts = attempts[str(period.pk)]
        period.amount_display = money.format_money(period.amount, period.currency)
    return periods


_UNPAID_DUES_COUNT_SQL = """
SELECT COUNT(*) FROM members_duesperiod d INNER JOIN members_membership m ON m.id = d.membership_id
WHERE m.organization_id = %s AND d.paid_at IS NULL AND d.payment_id IS NOT NULL AND m.status <> %s
"""


def unpaid_dues_count(organization: Organization) -> int:
    """Dues periods still to pay (those of a canceled membership are no longer due)."""
    with connection.cursor() as cursor:
        cursor.execute(_UNPAID_DUES_COUNT_SQL, [organization.pk, str(Membership.Status.CANCELED)])
        return cursor.fetchone()[0]


def invoice_for_organization(organization: Organization, number: str):
    """A dues invoice of the organisation, or a credit note on one, by its number (404 otherwise)."""

    dues_invoices = DuesPeriod.objects.filter(membership__organization=organization, invoice__isnull=False).values(
        "invoice_id"
    )
    invoice = (
        Invoice.objects.filter(number=number)
        .filter(Q(pk__in=dues_invoices) | Q(credited_invoice__in=dues_invoices))
        .select_related("payment")
        .prefetch_related("lines")
        .first()
    )
    if invoice is None or not number:
        raise Http404("No such invoice for this organisation.")
    return invoice


def dues_period_for_organization(organization: Organization, pk: int) -> DuesPeriod:
    period = (
        DuesPeriod.objects.filter(membership__organization=organization, pk=pk)
        .select_related("membership__tier", "payment")
        .first()
    )
    if period is None:
        raise Http404("No such dues period for this organisation.")
    return period


def tier_change_quotes(current: Membership, *, today: datetime.date | None = None) -> list:
    """What moving to each other public tier would cost today, in rank order (members.tier_changes)."""

    quotes = []
    for tier in MembershipTier.objects.filter(is_public=True).exclude(pk=current.tier_id).order_by("rank"):
        try:
            quotes.append(tier_change_quote(membership=current, tier=tier, today=today))
        except ApplicationError:
            continue
    return quotes


def lapsed_renewal(history: list[Membership]) -> DuesPeriod | None:
    """For an organisation whose latest membership lapsed: the unpaid dues that bring it back when paid."""
    latest = next((m for m in history if m.status != Membership.Status.CANCELED), None)
    if latest is None or latest.status != Membership.Status.LAPSED:
        return None
    dues = (
        latest.dues_periods.filter(paid_at__isnull=True, payment__isnull=False)
        .select_related("invoice", "payment")
        .order_by("-starts")
        .first()
    )
    if dues is not None:
        dues.amount_display = money.format_money(dues.amount, dues.currency)
        dues.lapsed = latest  # type: ignore[attr-defined]
    return dues


def planned_change(history: list[Membership], current: Membership | None) -> Membership | None:
    """The row that follows the current one at a later date (a downgrade at the renewal), if any."""
    if current is None:
        return None
    return next((m for m in history if m.previous_id == current.pk and m.starts > current.starts), None)
