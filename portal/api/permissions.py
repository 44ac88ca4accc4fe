"""Who may call an endpoint: token scopes for tools, staff groups for people signed in."""

from __future__ import annotations

from rest_framework import exceptions, permissions

from portal.accounts.mfa import session_used_second_factor
from portal.api.authentication import request_token


class HasScope(permissions.BasePermission):
    """A token with `scope`, or (when `session_perm` is given) a signed-in person with that permission.

    A token is judged by its scopes only, never by its creator's permissions. Use it as
    `permission_classes = [HasScope("checkin")]` or `HasScope("staff", session_perm="events.view_order")`.
    """

    message = "This token does not have the scope this endpoint needs."

    def __init__(self, scope: str, *, session_perm: str | None = None, session_check=None) -> None:
        self.scope = scope
        self.session_perm = session_perm
        self.session_check = session_check
        self.message = f"This endpoint needs a token with the “{scope}” scope."

    def __call__(self):
        # DRF instantiates permission_classes; an instance stands in for its class.
        return self

    def has_permission(self, request, view) -> bool:
        token = request_token(request)
        if token is not None:
            return token.has_scope(self.scope)
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if self.session_check is not None:
            allowed = bool(self.session_check(user))
        else:
            allowed = bool(self.session_perm) and user.has_perm(self.session_perm)
        if allowed and not session_used_second_factor(request._request):
            # The same rule as the admin (portal/accounts/mfa.py): staff data needs a second factor.
            raise exceptions.PermissionDenied(
                "Staff data needs a session confirmed with a second factor: enter a code from your "
                "authenticator app (/accounts/2fa/authenticate/), or use an API token."
            )
        return allowed
