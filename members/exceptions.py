"""The membership workflow's errors; messages are safe to show to applicants and staff."""

from portal.core.exceptions import ApplicationError, InvalidTransition, SoldOut


class MembershipError(ApplicationError):
    code = "membership_error"


class TierFull(MembershipError, SoldOut):
    """Every seat of a limited tier is held by an approved, active or grace membership."""

    code = "tier_full"
    status_code = 409


class DuplicateApplication(MembershipError):
    code = "duplicate_application"
    status_code = 409


class TierNotOpen(MembershipError):
    code = "tier_not_open"


class ApplicationNotOpen(InvalidTransition):
    code = "application_not_open"
