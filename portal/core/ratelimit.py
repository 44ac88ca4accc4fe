"""Rate limits for our own views, counted in the cache (Redis in production).

    from portal.core.ratelimit import rate_limit

    @rate_limit("survey", "5/m")                       # 5 POSTs a minute per person (or address)
    @rate_limit("join", "10/h", key="ip")              # per client address
    @rate_limit("registration", "20/h", methods=None)  # every method, not only POST

A request over the limit gets 429: a page in the site's words, or the API's error format
(`{"message", "code": "throttled", "extra": {"retry_after"}}`) for /api/ and JSON clients, with a
Retry-After header. Operators may change a limit with the `GUILDHALL_RATE_LIMITS` setting
(`{"survey": "10/m"}`) without touching code. Log-in, sign-up and password reset are limited by
allauth (`ACCOUNT_RATE_LIMITS`), the REST API by DRF's throttles.
"""

import hashlib
import math
import re
import time
from collections.abc import Callable, Iterable
from functools import wraps

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
KEYS = ("user_or_ip", "ip", "user")


def parse_rate(rate: str) -> tuple[int, int]:
    """ "5/m" -> (5, 60); "10/15m" -> (10, 900)."""
    match = _RATE.match(rate)
    if not match:
        raise ValueError(f"Bad rate {rate!r}: write it as 5/m, 100/h or 10/15m.")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _UNITS[unit]


def client_ip(request: HttpRequest) -> str:
    """The client's address as allauth sees it (ALLAUTH_TRUSTED_PROXY_COUNT behind proxies)."""
    return get_adapter(request).get_client_ip(request) or "unknown"


def _identity(request: HttpRequest, key: str) -> str:
    user = getattr(request, "user", None)
    if key in ("user", "user_or_ip") and user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    if key == "user":
        return "user:anonymous"
    return "ip:" + hashlib.sha256(client_ip(request).encode()).hexdigest()[:32]


def hit(action: str, rate: str, identity: str) -> tuple[bool, int]:
    """Count one attempt in a fixed window; returns (allowed, seconds until the window ends)."""
    limit, period = parse_rate(rate)
    now = time.time()
    window = int(now // period)
    cache_key = f"ratelimit:{action}:{identity}:{window}"
    cache.add(cache_key, 0, timeout=period + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=period + 1)
        count = 1
    retry_after = max(1, math.ceil((window + 1) * period - now))
    return count <= limit, retry_after


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def too_many_requests(request: HttpRequest, exception=None, *, retry_after: int | None = None) -> HttpResponse:
    """The 429 answer, for our limiter and allauth's (it is `handler429` in portal/urls.py)."""
    message = "Too many attempts in a short time. Please wait a little and try again."
    if wants_json(request):
        extra = {"retry_after": retry_after} if retry_after else {}
        response: HttpResponse = JsonResponse({"message": message, "code": "throttled", "extra": extra}, status=429)
    else:
        html = render_to_string("429.html", {"message": message, "retry_after": retry_after}, request=request)
        response = HttpResponse(html, status=429)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def rate_limit(
    action: str, rate: str, *, key: str = "user_or_ip", methods: Iterable[str] | None = ("POST",)
) -> Callable:
    """Limit a view to `rate` requests per `key` (user_or_ip, ip or user); 429 past it."""
    if key not in KEYS:
        raise ValueError(f"key must be one of {KEYS}, not {key!r}")
    parse_rate(rate)  # fail at import time, not on the first request
    limited_methods = {method.upper() for method in methods} if methods is not None else None

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if limited_methods is None or request.method in limited_methods:
                effective = getattr(settings, "GUILDHALL_RATE_LIMITS", {}).get(action, rate)
                allowed, retry_after = hit(action, effective, _identity(request, key))
                if not allowed:
                    return too_many_requests(request, retry_after=retry_after)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
