"""Refusals of the member admin pages; messages are safe to show to the person who acted."""

from members.exceptions import MembershipError


class NotAllowed(MembershipError):
    """The person holds no role that allows this for the organisation."""

    code = "not_allowed"
    status_code = 403


class LastAdmin(MembershipError):
    code = "last_admin"
    status_code = 409


class InvitationError(MembershipError):
    code = "invitation_invalid"
    status_code = 400


class InvitationExpired(InvitationError):
    code = "invitation_expired"
    status_code = 410


class InvitationRevoked(InvitationError):
    code = "invitation_revoked"
    status_code = 410


class InvitationUsed(InvitationError):
    code = "invitation_used"
    status_code = 410


class InvitationEmailMismatch(InvitationError):
    code = "invitation_email_mismatch"
    status_code = 403
