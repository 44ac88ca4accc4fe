"""`Authorization: Bearer <token>` for tools. A token acts as itself, never as the person who made it."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from portal.api import services
from portal.api.models import ApiToken


class TokenUser:
    """request.user for a token: authenticated, but with no permissions of any person.

    Views that need a person for the audit trail use `actor_for(request)` (the token's creator).
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = id = None

    def __init__(self, token: ApiToken) -> None:
        self.token = token

    def __str__(self) -> str:
        return f"token {self.token}"

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def has_perms(self, perm_list, obj=None) -> bool:
        return False

    def has_module_perms(self, app_label) -> bool:
        return False

    def get_username(self) -> str:
        return f"token:{self.token.prefix}"


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Accept `Authorization: Bearer gh_…`; an unknown or revoked token is a 401, not anonymity."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("The Authorization header must be “Bearer <token>”.")
        try:
            secret = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = services.api_token_authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed("The token is not valid or has been revoked.")
        services.api_token_touch(token=token)
        return TokenUser(token), token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403 to a request with no credentials.
        return f'{self.keyword} realm="api"'


def request_token(request) -> ApiToken | None:
    return request.auth if isinstance(getattr(request, "auth", None), ApiToken) else None


def actor_for(request):
    """The person to name in the audit trail: the signed-in user, or the creator of the token used."""
    token = request_token(request)
    if token is not None:
        return token.created_by
    return request.user


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.authentication.BearerTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token made by staff in the admin (Settings → API tokens), scoped to "
            "read, checkin and/or staff: `Authorization: Bearer gh_…`.",
        }
