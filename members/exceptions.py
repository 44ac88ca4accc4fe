"""The membership workflow's errors; messages are safe to show to applicants and staff."""

from portal.core.exceptions import ApplicationError, Conflict, InvalidTransition, SoldOut


class MembershipError(ApplicationError):
    code = "membership_error"


class TierFull(MembershipError, SoldOut):
    """Every seat of a limited tier is held by an approved, active or grace membership."""

    code = "tier_full"


class DuplicateApplication(MembershipError, Conflict):
    code = "duplicate_application"


class TierNotOpen(MembershipError):
    code = "tier_not_open"


class ApplicationNotOpen(InvalidTransition):
    code = "application_not_open"
