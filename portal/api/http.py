"""HTTP for public endpoints: ETag / Last-Modified, conditional GET, Cache-Control and CORS.

`PublicEndpointMixin` goes first in a public view's bases. The ETag is a hash of the rendered body,
so it is right whatever the data and the format; Last-Modified is the time this URL's body last
changed, remembered in the cache beside its ETag (a cache miss only makes it newer, never stale).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from django.core.cache import cache
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from portal.api.authentication import request_token

PUBLIC_MAX_AGE = 60
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Language, Content-Type, If-None-Match, If-Modified-Since",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Retry-After, Link",
    "Access-Control-Max-Age": "86400",
}
LAST_MODIFIED_SECONDS = 30 * 24 * 60 * 60


def is_anonymous(request) -> bool:
    user = getattr(request, "user", None)
    return request_token(request) is None and not (user is not None and user.is_authenticated)


def _last_modified(request, etag: str, now: float) -> float:
    """When this URL (in this format) last answered something other than `etag`."""
    key = (
        "api:lm:"
        + hashlib.sha256(f"{request.get_full_path()}|{request.META.get('HTTP_ACCEPT', '')}".encode()).hexdigest()
    )
    seen = cache.get(key)
    if seen and seen[0] == etag:
        return seen[1]
    cache.set(key, (etag, now), LAST_MODIFIED_SECONDS)
    return now


def add_cors(response) -> None:
    for header, value in CORS_HEADERS.items():
        response[header] = value


class PublicEndpointMixin:
    """Anonymous GETs: cacheable by anyone for a minute, revalidated with ETag, readable cross-origin.

    Authenticated requests to the same endpoint get `private, no-store` and no CORS headers.
    """

    public_max_age = PUBLIC_MAX_AGE
    public_endpoint = True  # the schema hook documents 304 and the caching headers for these
    extra_error_statuses: tuple[str, ...] = ()  # statuses beyond the usual ones, for the schema (e.g. "409")

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        anonymous = is_anonymous(request)
        patch_vary_headers(response, ("Accept", "Authorization"))
        if not anonymous or not self.public_endpoint:  # an action may say public_endpoint=False
            response["Cache-Control"] = "private, no-store"
            return response
        if request.method not in SAFE_METHODS:
            return response
        add_cors(response)
        if request.method == "OPTIONS" or response.status_code != 200:
            response["Cache-Control"] = "no-cache" if response.status_code < 500 else "no-store"
            return response
        response.render()
        etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        now = datetime.now(UTC).timestamp()
        last_modified = _last_modified(request, etag, int(now))
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
        response["Cache-Control"] = f"public, max-age={self.public_max_age}"
        conditional = get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)
        if conditional is not response:
            add_cors(conditional)
            return conditional
        return response
