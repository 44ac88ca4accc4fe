"""Tokens and webhooks for tests, made through the services as staff would."""

from portal.api import services


def token(*scopes: str, name: str = "Test tool", actor=None):
    """(ApiToken, secret) with these scopes."""
    return services.api_token_create(name=name, scopes=list(scopes), actor=actor)


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
