"""Check-in, the float plan's route, the extension, the return and the owner's completion
on the crew event page; the overdue alert's acknowledgement page.

Crew writes are POSTs behind `crew_required`, on the signed-in person's brand only (another
brand's event is a 404), answered as the page's own writes are (crew.views.page_action):
the page with the result on the card tapped, 303 back without JavaScript, the refusal and
its status (400/403/409) otherwise. Who may act is safety.policy's answer, enforced by
safety.services.
"""

from datetime import timedelta
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from charterops.errors import DomainError
from charterops.tenancy import get_for_org_or_404
from crew.auth import crew_required
from crew.services import run_once
from crew.views import IDEMPOTENCY_HEADER, page_action
from events.models import Event
from guests.models import Guest

from . import services
from .models import FloatPlan

PANEL = "panel-checkin"
# The extensions a captain picks from on the phone.
EXTENSIONS = {"30": 30, "60": 60, "120": 120}


def _event_or_404(request: HttpRequest, public_id: UUID) -> Event:
    return get_for_org_or_404(
        Event.objects.select_related("organization", "vessel"), request.principal.organization, public_id=public_id
    )


def _id_or_none(value: str) -> int | None:
    if not value.isascii() or not value.isdecimal() or len(value) > 18:
        return None
    return int(value) or None


@require_POST
@crew_required
def check_in(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Tap a guest aboard (or off again). With an `Idempotency-Key` (every tap the page
    sends, so a tap queued offline can be replayed) it is applied once."""
    event = _event_or_404(request, public_id)
    guest_id = _id_or_none(request.POST.get("guest", ""))
    guest = Guest.objects.filter(event=event, pk=guest_id).first() if guest_id else None
    if guest is None:
        raise Http404("This charter has no such guest.")
    boarded = request.POST.get("boarded") == "yes"
    principal = request.principal
    key = request.headers.get(IDEMPOTENCY_HEADER)
    done: dict = {}

    def tap():
        return services.check_in_set(
            event=event, guest=guest, boarded=boarded, seen_version=request.POST.get("version", ""), by=principal.user
        )

    def action():
        if key is None:
            done["version"] = tap().version
            return
        outcome = run_once(
            key=key,
            user=principal.user,
            organization_id=principal.organization.pk,
            action="check_in_set",
            target=f"guest:{guest.pk}",
            write=tap,
            result=lambda check_in: {"boarded": check_in.boarded, "version": check_in.version},
        )
        done.update(version=outcome.result.get("version"), replayed=outcome.replayed)

    success = f"{guest.name} is aboard." if boarded else f"{guest.name} is marked not aboard."
    response = page_action(request, event.public_id, action, success, target=f"guest-{guest.pk}")
    # As a checklist tick's: a phone's next queued tap on this guest carries the version this one made.
    if done.get("version") is not None:
        response["X-Item-Version"] = str(done["version"])
    if done.get("replayed"):
        response["X-Idempotent-Replay"] = "already"
    return response


@require_POST
@crew_required
def walk_up(request: HttpRequest, public_id: UUID) -> HttpResponse:
    event = _event_or_404(request, public_id)
    data = request.POST
    name = data.get("name", "").strip()[:200]

    def action():
        return services.walk_up_add(
            event=event,
            name=name,
            by=request.principal.user,
            email=data.get("email", "").strip()[:254],
            phone=data.get("phone", "").strip()[:32],
            is_minor=data.get("is_minor") == "yes",
            guardian_name=data.get("guardian_name", "").strip()[:200],
        )

    sent = " Their waiver link was emailed." if data.get("email", "").strip() else ""
    return page_action(request, event.public_id, action, f"{name} is aboard as a walk-up guest.{sent}", target=PANEL)


@require_POST
@crew_required
def headcount(request: HttpRequest, public_id: UUID) -> HttpResponse:
    event = _event_or_404(request, public_id)
    value = request.POST.get("headcount", "")[:6]
    return page_action(
        request,
        event.public_id,
        lambda: services.headcount_record(event=event, headcount=value, by=request.principal.user),
        f"Headcount recorded: {value.strip()}.",
        target=PANEL,
    )


@require_POST
@crew_required
def route(request: HttpRequest, public_id: UUID) -> HttpResponse:
    event = _event_or_404(request, public_id)
    area = request.POST.get("area", "")[:2000]
    return page_action(
        request,
        event.public_id,
        lambda: services.route_set(event=event, area=area, by=request.principal.user),
        "The planned route is saved.",
        target=PANEL,
    )


@require_POST
@crew_required
def extend(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The captain extends the trip by 30 min, 1 h or 2 h; the amended float plan follows."""
    event = _event_or_404(request, public_id)
    minutes = EXTENSIONS.get(request.POST.get("minutes", ""))

    def action():
        if minutes is None:
            raise DomainError("Choose how long to extend the trip: 30, 60 or 120 minutes.")
        return services.trip_extend(
            event=event, return_at=event.return_at + timedelta(minutes=minutes), by=request.principal.user
        )

    return page_action(
        request,
        event.public_id,
        action,
        f"Return extended by {minutes} min; the amended float plan was sent ashore.",
        target=PANEL,
    )


@require_POST
@crew_required
def returned(request: HttpRequest, public_id: UUID) -> HttpResponse:
    event = _event_or_404(request, public_id)
    return page_action(
        request,
        event.public_id,
        lambda: services.float_plan_return(event=event, by=request.principal.user),
        "Back at the dock: the float plan is closed and the shore contacts are told.",
        target=PANEL,
    )


@require_POST
@crew_required
def complete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    event = _event_or_404(request, public_id)
    return page_action(
        request,
        event.public_id,
        lambda: services.charter_complete(event=event, by=request.principal.user),
        "The charter is complete.",
        target=PANEL,
    )


# No CSRF check: the signed token in the address is the credential (as an unsubscribe
# link's), and the page is sent with no referrer, so the browser's Origin is null.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, token: str) -> HttpResponse:
    """The overdue alert's link. GET shows the boat and a button (mail scanners open links);
    POST records who acknowledged and when, and the repeats stop. The signed token is the
    credential: it names one float plan and one recipient."""
    found = services.ack_token_read(token)
    plan = (
        FloatPlan.objects.select_related("event__organization", "event__vessel").filter(pk=found[0]).first()
        if found
        else None
    )
    if plan is None:
        raise Http404("This link is not valid.")
    _, recipient, name = found
    status = 200
    error = ""
    if request.method == "POST":
        try:
            plan = services.overdue_acknowledge(plan=plan, name=f"{name} ({recipient})")
        except DomainError as exc:
            status, error = exc.status, exc.message
    with timezone.override(plan.event.organization.tz):
        response = render(
            request,
            "safety/acknowledge.html",
            {"plan": plan, "event": plan.event, "brand": plan.event.organization, "name": name, "error": error},
            status=status,
        )
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response
