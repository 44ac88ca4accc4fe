"""One error format for the whole API: {"message", "code", "extra"}."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.core.exceptions import ApplicationError


def _first_message(detail) -> str:
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict) and detail:
        key, value = next(iter(detail.items()))
        text = _first_message(value)
        return text if key in ("non_field_errors", "detail") else f"{key}: {text}"
    return str(detail)


def exception_handler(exc, context):
    """Turn DRF's and our own errors into the house format; anything else stays a 500."""
    if isinstance(exc, ApplicationError):
        return Response(
            {"message": exc.message, "code": exc.code, "extra": exc.extra},
            status=exc.status_code,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(exc, exceptions.ValidationError):
        body = {"message": _first_message(detail), "code": "invalid", "extra": {"fields": detail}}
    else:
        code = getattr(getattr(detail, "code", None), "__str__", lambda: None)() or exc.default_code
        if isinstance(detail, dict) and "detail" in detail:
            code = getattr(detail["detail"], "code", code)
        extra = {}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            extra["retry_after"] = int(exc.wait)
        body = {"message": _first_message(detail), "code": str(code), "extra": extra}
    response.data = body
    return response


ERROR_STATUSES = (status.HTTP_400_BAD_REQUEST, status.HTTP_404_NOT_FOUND)
