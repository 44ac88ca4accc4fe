"""Pages reached through a secret link (an order's page, a pay page, an invitation, a waiting-list
offer) show a person's details to whoever holds the link: no cache may keep them and no search engine
may list them.

    path("order/<code>/<secret>/", secret_link(views.order_detail))
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


def mark_secret(response: HttpResponseBase) -> HttpResponseBase:
    add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private; Expires now
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def secret_link(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        return mark_secret(view(request, *args, **kwargs))

    return wrapped
