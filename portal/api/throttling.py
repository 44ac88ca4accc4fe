"""Throttles: anonymous clients by IP, tools by token, signed-in people by account."""

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from portal.api.authentication import request_token
from portal.core.ratelimit import client_ip


class AnonymousThrottle(AnonRateThrottle):
    """Rate "anon", keyed by the client's address as every limit of the site reads it (TRUSTED_PROXY_COUNT)."""

    def get_ident(self, request):
        return client_ip(request)


class TokenThrottle(SimpleRateThrottle):
    """Rate "token", keyed by the token's id: each tool has its own budget whatever its IP."""

    scope = "token"

    def get_cache_key(self, request, view):
        token = request_token(request)
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class SessionUserThrottle(SimpleRateThrottle):
    """Rate "user", keyed by the account of a person signed in with a session (not tokens)."""

    scope = "user"

    def get_cache_key(self, request, view):
        if request_token(request) is not None or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
