"""Invitations to an organisation role: an admin invites an e-mail address; whoever signs in with that
address, verified, within 7 days accepts it and gets exactly the invited role.

The link alone is not enough: a forwarded or leaked link cannot hand out a role (admin rights, say) to
an account whose verified address is another one.
"""

import datetime
import hashlib
import secrets

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from members.exceptions import MembershipError
from members.manage import emails
from members.manage.access import ADMINS
from members.manage.exceptions import (
    InvitationEmailMismatch,
    InvitationError,
    InvitationExpired,
    InvitationRevoked,
    InvitationUsed,
)
from members.manage.services import require_role
from members.models import Organization, OrganizationInvitation, OrganizationRole
from members.services import organization_role_grant
from portal.accounts.services import anonymised_email
from portal.core.audit import audit

VALID_FOR = datetime.timedelta(days=7)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(token: str) -> OrganizationInvitation:
    """The invitation a link carries (404 for an unknown token)."""
    invitation = (
        OrganizationInvitation.objects.select_related("organization", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None:
        raise Http404("This invitation link is not valid.")
    return invitation


def invitation_create(
    *, organization: Organization, email: str, role: str, actor
) -> tuple[OrganizationInvitation, str]:
    """Admins invite an address to one role; the e-mailed link (the token, returned once) works for 7 days.

    A new invitation to the same address and role replaces the one still pending.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise InvitationError("Enter a valid e-mail address.", code="invalid_email") from error
    if role not in OrganizationRole.Role.values:
        raise InvitationError("Choose one of the roles.", code="invalid_role")
    label = OrganizationRole.Role(role).label.lower()
    with transaction.atomic():
        require_role(organization=organization, actor=actor, roles=ADMINS, action="invite people")
        Organization.objects.select_for_update().get(pk=organization.pk)
        if organization.roles.filter(role=role, user__email__iexact=email).exists():
            raise MembershipError(f"{email} is already {organization.name}'s {label}.", code="already_has_role")
        now = timezone.now()
        for earlier in organization.invitations.filter(
            email=email, role=role, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ):
            _revoke(earlier, actor=actor, reason="replaced")
        token = secrets.token_urlsafe(32)
        invitation = OrganizationInvitation.objects.create(
            organization=organization,
            email=email,
            role=role,
            token_hash=token_hash(token),
            invited_by=actor,
            created_at=now,
            expires_at=now + VALID_FOR,
        )
        audit("guildhall.organization_invitation.create", invitation, actor=actor, data={"email": email, "role": role})
        emails.send_invitation(invitation=invitation, token=token)
    return invitation, token


def _revoke(invitation: OrganizationInvitation, *, actor, reason: str = "") -> None:
    invitation.revoked_at, invitation.revoked_by = timezone.now(), actor
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    audit(
        "guildhall.organization_invitation.revoke",
        invitation,
        actor=actor,
        data={"email": invitation.email, "role": invitation.role, **({"reason": reason} if reason else {})},
    )


def invitation_revoke(*, invitation: OrganizationInvitation, actor) -> OrganizationInvitation:
    """Admins withdraw an invitation not yet accepted; its link stops working at once."""
    with transaction.atomic():
        require_role(organization=invitation.organization, actor=actor, roles=ADMINS, action="revoke invitations")
        locked = OrganizationInvitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None:
            raise InvitationUsed(
                f"{locked.email} already accepted this invitation; remove their role on the people page instead."
            )
        if locked.revoked_at is None:
            _revoke(locked, actor=actor)
    return locked


def refusal(invitation: OrganizationInvitation, user=None) -> InvitationError | None:
    """Why `user` (or anyone, without one) cannot accept the invitation now; None when they can."""
    who = invitation.organization.name
    if invitation.accepted_at is not None:
        return InvitationUsed("This invitation has already been used. Each invitation link works once.")
    if invitation.revoked_at is not None:
        return InvitationRevoked(
            f"{who} withdrew this invitation. Ask one of its administrators to invite you again if you need access."
        )
    if invitation.expires_at <= timezone.now():
        return InvitationExpired(
            f"This invitation expired on {invitation.expires_at:%d %B %Y}. Ask one of {who}'s administrators to "
            "send you a new one."
        )
    if user is not None and not _has_verified_address(user, invitation.email):
        return InvitationEmailMismatch(
            f"This invitation was sent to {invitation.email}, and you are logged in as {user.email}. Log out, then "
            f"log in or sign up with {invitation.email} to accept it."
        )
    return None


def _has_verified_address(user, email: str) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def invitation_accept(*, token: str, user) -> OrganizationRole:
    """The invited person, signed in with the invited address verified, takes exactly the invited role, once."""
    with transaction.atomic():
        locked = (
            OrganizationInvitation.objects.select_for_update(of=("self",))
            .select_related("organization")
            .filter(token_hash=token_hash(token))
            .first()
        )
        if locked is None:
            raise InvitationError("This invitation link is not valid. Check that you copied all of it.")
        problem = refusal(locked, user)
        if problem is not None:
            raise problem
        role = organization_role_grant(organization=locked.organization, user=user, role=locked.role, actor=user)
        locked.accepted_at, locked.accepted_by = timezone.now(), user
        locked.save(update_fields=["accepted_at", "accepted_by"])
        audit("guildhall.organization_invitation.accept", locked, actor=user, data={"role": locked.role})
    return role


def anonymise(user) -> None:
    """Account deletion: the invitations the person accepted no longer carry their old address."""

    OrganizationInvitation.objects.filter(accepted_by=user).update(email=anonymised_email(user))
