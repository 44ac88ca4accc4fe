"""The Content Security Policy: strict for the public site, Stripe's origins from settings.

The base policy is `CONTENT_SECURITY_POLICY` in settings. This middleware adds, per request:
- the Stripe.js and Stripe API origins (read from settings at request time, so a test that points
  the gateway at its own localstripe gets a policy that allows it);
- the few relaxations the third-party admin screens need, for their path prefixes only
  (`CSP_PATH_RELAXATIONS`); the public site never gets them.

Those two go through `get_policy_parts`, django-csp's extension point. `process_response` is
django-csp 4.0's own with the built policies kept per process; it reads django-csp's internals
(`PolicyParts`, `CheckableLazyObject`, `_csp_nonce_post_response`), so pyproject pins django-csp
to 4.0.x. Worth keeping: against django-csp's own `process_response` (same `get_policy_parts`),
the sign-up page through the test client, 40 requests a round, 7 and 11 alternating rounds, was
6 % and 8 % slower (median) without the kept policies, and a page without a form 1 % (2-core
development machine, load average about 10). On a page served from the full-page cache the header
was a quarter of the request.
"""

import http.client
import threading
from urllib.parse import urlsplit

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

ADMIN_PREFIX = "/admin/"


def origin(url: str) -> str:
    """ "https://js.stripe.com/v3/" -> "https://js.stripe.com"."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def uses_real_stripe() -> bool:
    return not settings.STRIPE_SECRET_KEY.startswith("sk_test_localstripe")


def stripe_directives() -> dict[str, list[str]]:
    """What the browser's Stripe.js needs: its script, the API it calls, Stripe's frames."""
    js, api = origin(settings.STRIPE_JS_URL), origin(settings.STRIPE_API_BASE)
    directives: dict[str, list[str]] = {
        "script-src": [js] if js else [],
        "connect-src": [o for o in (api, js) if o],
    }
    if uses_real_stripe():
        directives["frame-src"] = ["https://js.stripe.com", "https://hooks.stripe.com"]
        directives["connect-src"].append("https://api.stripe.com")
    return directives


def relaxations_for(path: str) -> dict[str, list[str]]:
    """The extra sources one admin screen needs, by path prefix (empty for the public site)."""
    extra: dict[str, list[str]] = {}
    for prefix, directives in getattr(settings, "CSP_PATH_RELAXATIONS", {}).items():
        if path.startswith(prefix):
            for directive, sources in directives.items():
                extra.setdefault(directive, []).extend(sources)
    return extra


# Built policies by what they are built from. A page served from the cache costs about a millisecond,
# and building the two headers from the settings on every response was a quarter of it.
_built: dict[tuple, str] = {}
_built_lock = threading.Lock()
_BUILT_MAX = 256


def _policy(parts: PolicyParts, *, report_only: bool) -> str:
    """build_policy(parts), kept per process unless a nonce (new on every request) is in it."""
    fields = {"config": parts.config, "update": parts.update, "replace": parts.replace, "nonce": parts.nonce}
    if parts.nonce is not None:
        return build_policy(**fields, report_only=report_only)
    name = "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
    base = repr(getattr(settings, name, None))  # the settings too: tests override them
    key = (report_only, base, repr(parts.config), repr(parts.update), repr(parts.replace))
    policy = _built.get(key)
    if policy is None:
        policy = build_policy(**fields, report_only=report_only)
        with _built_lock:
            if len(_built) >= _BUILT_MAX:
                _built.clear()
            _built[key] = policy
    return policy


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        """django-csp's own (4.0), with the policies built once per process (see _policy)."""
        if response.status_code in (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND) and settings.DEBUG:
            return response
        for report_only, header, exempt, name in (
            (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            parts = self.get_policy_parts(request=request, response=response, report_only=report_only)
            policy = _policy(parts, report_only=report_only)
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        # A nonce asked for after the header is written could not be in it: make that an error.
        if getattr(request, "_csp_nonce", None) is None:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        base = (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("DIRECTIVES", {})
        update: dict[str, list[str]] = {}
        replace: dict[str, list[str]] = {}
        # Wagtail renders a preview through a fake request for the page's own path ("/"), from
        # inside the admin: it gets the admin's policy (its live preview frames the page).
        path = ADMIN_PREFIX if getattr(request, "is_preview", False) else request.path_info
        for extra in (stripe_directives(), relaxations_for(path)):
            for directive, sources in extra.items():
                # 'none' cannot be widened by adding to it: the new sources take its place.
                target = replace if base.get(directive) == ["'none'"] else update
                target.setdefault(directive, []).extend(sources)
        for directive, sources in (parts.update or {}).items():
            update.setdefault(directive, []).extend([sources] if isinstance(sources, str) else sources)
        parts.update = {directive: sources for directive, sources in update.items() if sources}
        if replace:
            parts.replace = {**replace, **(parts.replace or {})}
        return parts
