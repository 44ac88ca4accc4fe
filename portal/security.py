"""The Content Security Policy: strict for the public site, Stripe's origins from settings.

The base policy is `CONTENT_SECURITY_POLICY` in settings. This middleware adds, per request:
- the Stripe.js and Stripe API origins (read from settings at request time, so a test that points
  the gateway at its own localstripe gets a policy that allows it);
- the few relaxations the third-party admin screens need, for their path prefixes only
  (`CSP_PATH_RELAXATIONS`); the public site never gets them.
"""

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
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


class ContentSecurityPolicyMiddleware(CSPMiddleware):
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
