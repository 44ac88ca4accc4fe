"""One error hierarchy: services raise these, views and the API turn them into messages."""


class ApplicationError(Exception):
    """A rule of the business was broken; the message is safe to show to the user."""

    code = "application_error"
    status_code = 400

    def __init__(self, message: str, *, code: str | None = None, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.extra = extra or {}


class Forbidden(ApplicationError):
    """The user may not do this (answered 403)."""

    status_code = 403


class NotFound(ApplicationError):
    """What was asked for does not exist (answered 404)."""

    status_code = 404


class Conflict(ApplicationError):
    """The request clashes with the current state of things (answered 409)."""

    status_code = 409


class Gone(ApplicationError):
    """What was asked for existed but has run out (answered 410)."""

    status_code = 410


class InvalidTransition(Conflict):
    code = "invalid_transition"


class Busy(ApplicationError):
    """Contention on a lock: the user should simply try again."""

    code = "busy"
    status_code = 503


class CapacityBusy(Busy):
    """The row that owns a capacity stayed locked longer than CAPACITY_LOCK_TIMEOUT_MS: a rush."""


class SoldOut(Conflict):
    """A capacity (seats, slots, uses) has no room left for what was asked."""

    code = "sold_out"
