"""Writes of the member admin pages: the profile, people's roles, tier change requests and paying dues.

Each service checks the person's role itself (the view is not the only door), inside its transaction.
"""

from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from members import selectors
from members import services as membership_services
from members.exceptions import MembershipError, TierNotOpen
from members.manage import emails
from members.manage.access import ADMINS, BILLING, PROFILE_EDITORS
from members.manage.exceptions import LastAdmin, NotAllowed
from members.manage.selectors import current_membership
from members.models import DuesPeriod, Membership, MembershipTier, Organization, OrganizationRole, TierChangeRequest
from portal.accounts.groups import FINANCE
from portal.core import cache
from portal.core.audit import audit
from portal.core.exceptions import InvalidTransition
from portal.payments import services as payments
from portal.payments.models import PaymentMethod, PaymentStatus
from portal.payments.selectors import payments_for_owner

PROFILE_FIELDS = ("name", "website", "description", "country", "industry", "size")
# What invoices are made out to: billing contacts answer for it.
BILLING_FIELDS = ("legal_name", "billing_address", "vat_id", "po_number")
T = TierChangeRequest.Status


def require_role(*, organization: Organization, actor, roles: frozenset[str], action: str) -> None:
    """Refuse unless `actor` holds one of `roles` for the organisation."""
    if not getattr(actor, "is_authenticated", False) or not getattr(actor, "pk", None):
        raise NotAllowed(f"Log in to {action}.")
    if not OrganizationRole.objects.filter(user=actor, organization=organization, role__in=roles).exists():
        labels = " or ".join(str(OrganizationRole.Role(role).label).lower() for role in sorted(roles))
        raise NotAllowed(f"Only {organization.name}'s {labels} can {action}.")


def _lock_organization(organization: Organization) -> Organization:
    return Organization.objects.select_for_update().get(pk=organization.pk)


def _set_changed(organization: Organization, data: dict) -> list[str]:
    """Set the fields whose value differs (text stripped); the names of those changed."""
    changed = []
    for name, value in data.items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(organization, name) != value:
            setattr(organization, name, value)
            changed.append(name)
    return changed


class _Editable(NamedTuple):
    """A part of an organisation's record: its fields, the roles that may change them and what that is called."""

    kind: str
    fields: tuple[str, ...]
    roles: frozenset[str]
    action: str


PROFILE = _Editable("profile", PROFILE_FIELDS, PROFILE_EDITORS, "edit the profile")
BILLING_DETAILS = _Editable("billing", BILLING_FIELDS, BILLING, "edit the invoicing details")


def _lock_and_set(organization: Organization, actor, data: dict, part: _Editable) -> tuple[Organization, list[str]]:
    """In a transaction: check `data` names only the part's fields and the actor holds one of its roles, lock
    the organisation and set what changes; the locked row and the names of the fields changed."""
    unknown = set(data) - set(part.fields)
    if unknown:
        raise ValueError(f"Not {part.kind} fields: {sorted(unknown)}")
    require_role(organization=organization, actor=actor, roles=part.roles, action=part.action)
    locked = _lock_organization(organization)
    return locked, _set_changed(locked, data)


def _full_clean(organization: Organization) -> None:
    try:
        organization.full_clean()
    except ValidationError as error:
        fields = error.message_dict
        first = next(iter(fields))
        raise MembershipError(f"{first}: {fields[first][0]}", code="invalid", extra={"fields": fields}) from error


def organization_profile_update(
    *, organization: Organization, actor, data: dict, logo=None, remove_logo: bool = False
) -> Organization:
    """Admins and marketing contacts change the public profile (PROFILE_FIELDS and the logo); audited."""
    with transaction.atomic():
        locked, changed = _lock_and_set(organization, actor, data, PROFILE)
        if "name" in changed and selectors.organization_name_taken(locked.name, excluding=locked):
            raise MembershipError(
                f"Another organisation is already called {locked.name}: choose another name.",
                code="name_taken",
                extra={"fields": {"name": ["Another organisation already has this name."]}},
            )
        if logo:
            locked.logo = logo
            changed.append("logo")
        elif remove_logo and locked.logo:
            locked.logo = ""
            changed.append("logo")
        _full_clean(locked)
        if not changed:
            return locked
        locked.save()
        audit("guildhall.organization.update", locked, actor=actor, data={"fields": changed})
        transaction.on_commit(cache.purge)
    return locked


def organization_billing_update(*, organization: Organization, actor, data: dict) -> Organization:
    """Admins and billing contacts change what invoices are made out to (BILLING_FIELDS). Invoices issued
    already keep the details they were issued with (a correction is a credit note); the next ones use these."""
    with transaction.atomic():
        locked, changed = _lock_and_set(organization, actor, data, BILLING_DETAILS)
        _full_clean(locked)
        if changed:
            locked.save(update_fields=changed)
            audit("guildhall.organization.billing_update", locked, actor=actor, data={"fields": changed})
    return locked


def organization_role_remove(*, role: OrganizationRole, actor) -> None:
    """Admins remove a person's role; an organisation always keeps at least one admin."""
    with transaction.atomic():
        organization = role.organization
        # Two admins removing each other at once: the second waits here, then finds itself no longer admin.
        _lock_organization(organization)
        require_role(organization=organization, actor=actor, roles=ADMINS, action="remove people's roles")
        locked = OrganizationRole.objects.select_related("user").filter(pk=role.pk).first()
        if locked is None:
            raise MembershipError("This role was already removed.", code="role_gone")
        if (
            locked.role == OrganizationRole.Role.ADMIN
            and not organization.roles.filter(role=OrganizationRole.Role.ADMIN).exclude(pk=locked.pk).exists()
        ):
            raise LastAdmin(
                f"{organization.name} needs at least one administrator: invite or name another one before "
                "removing the last."
            )
        audit(
            "guildhall.organization_role.remove",
            locked,
            actor=actor,
            data={"role": locked.role, "user": locked.user.email, "organization": organization.slug},
        )
        locked.delete()


def tier_change_request(
    *, organization: Organization, tier: MembershipTier, actor, note: str = ""
) -> TierChangeRequest:
    """An admin asks for another public tier with a free seat; one open request per organisation."""
    with transaction.atomic():
        require_role(organization=organization, actor=actor, roles=ADMINS, action="ask for a tier change")
        _lock_organization(organization)
        membership = current_membership(list(organization.memberships.select_related("tier")))
        if membership is None:
            raise MembershipError(
                f"{organization.name} has no current membership to change; apply to join instead.",
                code="no_membership",
            )
        if not tier.is_public:
            raise TierNotOpen(f"The {tier.name} tier is granted by invitation only; write to the membership team.")
        if tier.pk == membership.tier_id:
            raise MembershipError(f"{organization.name} is already a {tier.name} member.", code="same_tier")
        if TierChangeRequest.objects.filter(organization=organization, status=T.PENDING).exists():
            raise MembershipError(
                "A tier change request is already waiting for the membership team.", code="tier_change_pending"
            )
        membership_services.tier_ensure_seat(
            membership_services.tier_lock(tier.pk),
            full_message=f"The {tier.name} tier is full; join its waiting list from /join/.",
        )
        change = TierChangeRequest.objects.create(
            organization=organization, membership=membership, tier=tier, note=note.strip(), requested_by=actor
        )
        audit(
            "guildhall.tier_change.request",
            change,
            actor=actor,
            data={"from": membership.tier.slug, "to": tier.slug},
        )
        emails.send_tier_change_requested(change_request=change)
    return change


def _lock_change(change_request: TierChangeRequest, status: str) -> TierChangeRequest:
    locked = (
        TierChangeRequest.objects.select_for_update(of=("self",))
        .select_related("organization", "tier", "membership", "requested_by")
        .get(pk=change_request.pk)
    )
    if not locked.can_move_to(status):
        raise InvalidTransition(f"This request is already {locked.get_status_display().lower()}.")
    return locked


def tier_change_approve(*, change_request: TierChangeRequest, actor, early: bool = False) -> Membership:
    """Staff approve: the change as `members.tier_changes.tier_change_quote` prices it (seats permitting).
    Only Finance may let a downgrade start before the renewal (`early`: the unused difference is credited)."""

    if early and not (getattr(actor, "is_superuser", False) or actor.groups.filter(name=FINANCE).exists()):
        raise NotAllowed("Only the Finance team can let a downgrade start before the renewal.")
    with transaction.atomic():
        locked = _lock_change(change_request, T.APPROVED)
        new = membership_services.membership_change_tier(
            membership=locked.membership, tier=locked.tier, actor=actor, early=early
        )
        locked.move_to(T.APPROVED)
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.new_membership = new
        locked.save(update_fields=["status", "decided_by", "decided_at", "new_membership"])
        audit("guildhall.tier_change.approve", locked, actor=actor, data={"membership": new.pk})
        emails.send_tier_change_decided(change_request=locked)
    return new


def tier_change_decline(*, change_request: TierChangeRequest, reason: str, actor) -> TierChangeRequest:
    """Staff decline with a reason, which the admin who asked receives by e-mail."""
    reason = (reason or "").strip()
    if not reason:
        raise MembershipError("Give the organisation a reason for declining.", code="reason_required")
    with transaction.atomic():
        locked = _lock_change(change_request, T.DECLINED)
        locked.move_to(T.DECLINED)
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.decline_reason = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "decline_reason"])
        audit("guildhall.tier_change.decline", locked, actor=actor, data={"reason": reason})
        emails.send_tier_change_decided(change_request=locked)
    return locked


def dues_card_payment(*, dues: DuesPeriod, actor):
    """Admins and billing contacts pay open dues by card, on the payments app's own pay page: the open card
    payment of the period, or a new one (after a decline, or instead of a bank transfer)."""

    with transaction.atomic():
        organization = dues.membership.organization
        require_role(organization=organization, actor=actor, roles=BILLING, action="pay the organisation's dues")
        locked = (
            DuesPeriod.objects.select_for_update(of=("self",)).select_related("membership", "payment").get(pk=dues.pk)
        )
        if locked.paid_at is not None:
            raise MembershipError("These dues are already paid: thank you.", code="already_paid")
        if locked.membership.status == Membership.Status.CANCELED:
            raise MembershipError("This membership has ended: its dues are no longer due.", code="membership_ended")
        open_statuses = (PaymentStatus.CREATED, PaymentStatus.REQUIRES_ACTION, PaymentStatus.PROCESSING)
        for payment in payments_for_owner(locked):
            if payment.method == PaymentMethod.CARD and payment.status in open_statuses:
                return payment
        return payments.payment_create(
            owner=locked,
            amount=locked.amount,
            currency=locked.currency,
            payer_email=actor.email,
            description=locked.payment.description if locked.payment else str(locked),
            actor=actor,
        )


AUDIT_ACTIONS = {
    "guildhall.organization.update": ("Update organisation", "Organisation profile updated"),
    "guildhall.organization.billing_update": ("Update invoicing details", "Organisation invoicing details updated"),
    "guildhall.organization_role.remove": ("Remove role", "Organisation role removed"),
    "guildhall.organization_invitation.create": ("Invite", "Invitation to an organisation role sent"),
    "guildhall.organization_invitation.revoke": ("Revoke invitation", "Invitation revoked"),
    "guildhall.organization_invitation.accept": ("Accept invitation", "Invitation accepted"),
    "guildhall.tier_change.request": ("Request tier change", "Tier change requested"),
    "guildhall.tier_change.approve": ("Approve tier change", "Tier change approved"),
    "guildhall.tier_change.decline": ("Decline tier change", "Tier change declined"),
}
