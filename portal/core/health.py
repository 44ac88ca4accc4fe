"""/health/: database, cache and broker status for load balancers and operators."""

import uuid

from celery import current_app as app  # the project's app: portal/__init__.py makes it current
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _cache() -> str:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", 5)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)
    return "ok"


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"  # no broker configured: tasks run in-process

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


@never_cache
@require_GET
def health(request):
    """200 when every part answers; 503 naming the part that is down."""
    report: dict[str, str] = {}
    down = []
    for name, check in CHECKS.items():
        try:
            report[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure means the part is down
            report[name] = f"down: {exc.__class__.__name__}"
            down.append(name)
    body = {"status": "down" if down else "ok", "checks": report}
    if down:
        body["down"] = down
    return JsonResponse(body, status=503 if down else 200)
