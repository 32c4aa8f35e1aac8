"""/healthz: is the database, the cache and the Celery broker reachable, and is beat alive?

The scheduler's state comes from the heartbeat (charterops.tasks.heartbeat, every 5
minutes, through beat, the broker and a worker). Silent for longer than
BEAT_SILENT_AFTER_SECONDS, it is reported down and the owners are emailed once for the
outage. A silent scheduler does not make the answer a 503: the web servers still serve,
and a load balancer must not take them out of rotation for it.
"""

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app
from .mail import Rendered, emails_record
from .models import Membership, OutboundEmail
from .tasks import HEARTBEAT_KEY, outbound_email_send

logger = logging.getLogger(__name__)

# When /healthz first found no heartbeat at all (a fresh deployment, a flushed cache).
MISSING_SINCE_KEY = "healthz:heartbeat_missing_since"


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


def scheduler_silent_since(now: datetime) -> tuple[datetime, bool]:
    """Since when beat has been silent, and whether a heartbeat was ever seen."""
    beat = cache.get(HEARTBEAT_KEY)
    if beat:
        return datetime.fromisoformat(beat), True
    cache.add(MISSING_SINCE_KEY, now.isoformat(), timeout=None)
    return datetime.fromisoformat(cache.get(MISSING_SINCE_KEY) or now.isoformat()), False


def scheduler_state(now: datetime) -> str:
    since, seen = scheduler_silent_since(now)
    silent = now - since
    if silent <= timedelta(seconds=settings.BEAT_SILENT_AFTER_SECONDS):
        return "ok" if seen else "ok: waiting for the first heartbeat"
    beat_silent_alert(since=since, now=now)
    return f"down: no heartbeat since {since:%Y-%m-%d %H:%M} UTC ({int(silent.total_seconds() // 60)} min)"


def beat_silent_alert(*, since: datetime, now: datetime) -> list[OutboundEmail]:
    """Email every owner once per outage (the outage is named by when beat went silent).

    Sent from here rather than by a worker: the workers may be down too.
    """
    if not cache.add(f"healthz:beat_alerted:{since.isoformat()}", 1, timeout=None):
        return []
    addresses = sorted(
        {
            address.lower()
            for address in get_user_model()
            .objects.filter(memberships__role=Membership.Role.OWNER, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        }
    )
    context = {
        "since": since,
        "minutes": int((now - since).total_seconds() // 60),
        "site_url": settings.SITE_URL,
    }
    subject = " ".join(render_to_string("charterops/emails/beat_silent_subject.txt", context).split())
    text = render_to_string("charterops/emails/beat_silent.txt", context)
    keys = [f"beat_silent:{since.isoformat()}:{address}" for address in addresses]
    with transaction.atomic():
        known = set(OutboundEmail.objects.filter(key__in=keys).values_list("key", flat=True))
        emails = emails_record(
            [
                Rendered(key=key, kind="beat_silent", to=[address], subject=subject, text=text)
                for key, address in zip(keys, addresses, strict=True)
                if key not in known
            ],
            enqueue=False,
        )
    for email in emails:
        try:
            outbound_email_send(email.pk)
        except Exception as exc:  # the outbox sweeper retries it when a worker is back
            logger.warning("beat-silent alert %s not sent: %s", email.key, exc)
    logger.error("beat has been silent since %s; %s owner(s) emailed", since.isoformat(), len(emails))
    return emails


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
    try:
        results["scheduler"] = scheduler_state(timezone.now())
    except Exception as exc:  # a cache that is down is already reported above
        results["scheduler"] = f"unknown: {type(exc).__name__}"
    status = "ok" if healthy else "down"
    if healthy and not results["scheduler"].startswith("ok"):
        status = "degraded"
    return JsonResponse({"status": status, **results}, status=200 if healthy else 503)


def ping(request: HttpRequest) -> HttpResponse:
    """The cheapest possible answer: liveness for load balancers, the benchmark's floor."""
    return HttpResponse("pong", content_type="text/plain")
