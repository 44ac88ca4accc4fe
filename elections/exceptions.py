"""The errors elections raise; views turn them into messages, the API into 4xx answers."""

from elections.tabulation import InvalidBallot
from portal.core.exceptions import ApplicationError, InvalidTransition

__all__ = [
    "AlreadyNominated",
    "AlreadyVoted",
    "ApplicationError",
    "ElectionFrozen",
    "InvalidBallot",
    "InvalidTransition",
    "NotEligible",
    "OutsidePeriod",
]


class AlreadyVoted(ApplicationError):
    code = "already_voted"
    status_code = 409


class NotEligible(ApplicationError):
    code = "not_eligible"
    status_code = 403


class OutsidePeriod(ApplicationError):
    code = "outside_period"
    status_code = 409


class ElectionFrozen(ApplicationError):
    code = "election_frozen"
    status_code = 409


class AlreadyNominated(ApplicationError):
    code = "already_nominated"
    status_code = 409
