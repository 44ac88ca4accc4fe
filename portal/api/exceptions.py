"""Errors of the API's own services (tokens, webhooks)."""

from portal.core.exceptions import ApplicationError


class AlreadyRevoked(ApplicationError):
    code = "already_revoked"
    status_code = 409


class InvalidWebhook(ApplicationError):
    code = "invalid_webhook"


class DeliveryFailed(Exception):
    """A webhook POST did not get a 2xx; the task retries it with backoff."""
