"""/healthz: is the database, the cache and the Celery broker reachable?"""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app

logger = logging.getLogger(__name__)


def check_database() -> None:
    connection.ensure_connection()
    if not connection.is_usable():  # PostgreSQL: a round trip (SELECT 1)
        raise RuntimeError("the database connection is not usable")


def check_cache() -> None:
    key, value = f"healthz:{uuid.uuid4().hex}", "ok"
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)


def check_broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:
            logger.warning("healthz: %s is down: %s", name, exc)
            results[name] = f"down: {type(exc).__name__}"
    healthy = all(v == "ok" for v in results.values())
    return JsonResponse({"status": "ok" if healthy else "down", **results}, status=200 if healthy else 503)


def ping(request: HttpRequest) -> HttpResponse:
    """The cheapest possible answer: liveness for load balancers, the benchmark's floor."""
    return HttpResponse("pong", content_type="text/plain")
