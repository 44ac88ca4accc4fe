"""The site's answers to errors Django raises before or after a view: 400, 404, 413 and 500.

The API and JSON clients get the API's error format (`{"message", "code", "extra"}`) for every one of
them; people get the site's own pages. They are `handler400`, `handler404` and `handler500` in
portal/urls.py (Django uses them when DEBUG is off).
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from portal.core.ratelimit import wants_json

logger = logging.getLogger(__name__)


def _json(message: str, code: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"message": message, "code": code, "extra": extra}, status=status)


def _page(request: HttpRequest | None, template: str, status: int, **context) -> HttpResponse:
    return HttpResponse(render_to_string(template, context, request=request), status=status)


def _size(n: int) -> str:
    """1048576 -> "1 MB", 2621440 -> "2.5 MB", 1024 -> "1 KB"."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= factor:
            return f"{n / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        message = f"The request is larger than the site accepts ({_size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)})."
        if wants_json(request):
            return _json(message, "too_large", 413, max_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return _page(request, "error.html", 413, title="Too large", message=message)
    message = "The request could not be understood."
    if wants_json(request):
        return _json(message, "bad_request", 400)
    return _page(request, "error.html", 400, title="Bad request", message=message)


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if wants_json(request):
        return _json("Not found.", "not_found", 404)
    return _page(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the page must render when the database is what failed.
    if wants_json(request):
        return _json(
            "Something went wrong on our side. It has been logged; please try again later.", "server_error", 500
        )
    return _page(None, "500.html", 500)
