"""The adoption app's domain errors (subclasses of the one hierarchy)."""

from portal.core.exceptions import ApplicationError


class SurveyClosed(ApplicationError):
    code = "survey_closed"
    status_code = 409


class AlreadyAnswered(ApplicationError):
    code = "already_answered"
    status_code = 409


class SurveyStillOpen(ApplicationError):
    code = "survey_still_open"
    status_code = 409
