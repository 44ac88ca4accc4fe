"""Errors of the API's own services (tokens, webhooks)."""

from portal.core.exceptions import ApplicationError, Conflict


class AlreadyRevoked(Conflict):
    code = "already_revoked"


class InvalidWebhook(ApplicationError):
    code = "invalid_webhook"


class DeliveryFailed(Exception):
    """A webhook POST did not get a 2xx; the task retries it with backoff."""
