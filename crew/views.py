"""Crew pages: my events, one event (timing, roster, checklists, guests, notes), iCal.

Every page is behind `crew_required` and looks objects up within the signed-in person's
organization (by public UUID), so another brand's ids are a 404. What a page shows comes
from `crew.selectors` rows and what it offers from `crew.policy` — the same answers the
API gives and the services enforce. Revenue is never loaded, let alone shown. The event
page runs a constant number of queries whatever the event's size (the tests pin them);
the templates are Jinja2 (`crew/jinja2/`).

Writes (claim, release, designate, acknowledge, start, checklist ticks) are POSTs
protected by CSRF. With htmx they answer in place; without JavaScript they redirect back
(303) to the card acted on. A refusal re-renders with the service's message and its status
(400/403/409). Either way the result shows where the person is looking: in a toast at the
bottom of the screen, on the card they tapped (`Feedback`), never only at the top of a
page they have scrolled down.
"""

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from charterops.errors import DomainError
from charterops.tenancy import get_for_org_or_404
from events import timing
from events.models import Event

from . import ical, selectors, services
from .auth import Principal, crew_required
from .models import ChecklistItem, ChecklistItemState, CrewMember, CrewRole, RoleSlot
from .panels import PanelPage, render_event_panels
from .policy import ReplacementUnconfirmed, duration_text, to_do

# Held events stay on /crew/ until they return; older ones drop off. Open slots listed
# there are capped so the page stays short on a phone.
OPEN_SLOTS_LIMIT = 30
OWNER_EVENTS_LIMIT = 50  # the back office lists them all; this is the phone's short view
CALENDAR_PAST_DAYS = 90
DUE_SOON_LIMIT = 5
# The crew home asks the phone to keep this many of the person's next event pages offline.
OFFLINE_EVENTS = 5


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _event_or_404(request: HttpRequest, public_id) -> Event:
    return get_for_org_or_404(
        Event.objects.select_related("organization", "vessel"), request.principal.organization, public_id=public_id
    )


def _slot_or_404(request: HttpRequest, public_id, role: str, position: int) -> RoleSlot:
    """A slot of an event of the signed-in person's brand, by the event's public id."""
    slot = (
        RoleSlot.objects.for_org(request.principal.organization)
        .select_related("event")
        .filter(event__public_id=public_id, role=role, position=position)
        .first()
    )
    if slot is None:
        raise Http404("This event has no such role slot.")
    return slot


def _see_other(url: str) -> HttpResponse:
    # 303: after a POST, the browser GETs the page (a reload never re-sends the form).
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _id_or_none(value: str) -> int | None:
    """A positive database id from a form field, or None for anything else ("², 9×40, -1")."""
    if not value.isascii() or not value.isdecimal():
        return None
    number = int(value)
    return number if 0 < number < 2**63 else None


def _message(exc: DomainError | ValidationError) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    return " ".join(exc.messages)


def _status(exc: DomainError | ValidationError) -> int:
    return exc.status if isinstance(exc, DomainError) else 400


# --- /crew/ -------------------------------------------------------------------------------


@require_GET
@crew_required
def home(request: HttpRequest) -> HttpResponse:
    principal: Principal = request.principal
    member = principal.crew_member
    now = timezone.now()
    if member is not None:
        my_events = [
            (slot.event, slot, to_do(slot=slot, status=slot.event.status, items_to_do=slot.items_to_do))
            for slot in selectors.upcoming_held_slots(crew_member=member, now=now)
        ]
        actor = selectors.actor_of_principal(principal)
        claimable = selectors.claimable_slots(member=actor.member, now=now, limit=OPEN_SLOTS_LIMIT)
    else:
        # An owner without a crew profile sees every upcoming event of the brand.
        events = selectors.upcoming_events(organization=principal.organization, now=now, limit=OWNER_EVENTS_LIMIT)
        my_events, claimable = [(event, None, None) for event in events], []
    return render(
        request,
        "crew/home.html",
        {
            "brand": principal.organization,
            "principal": principal,
            "my_events": my_events,
            # The person's next events, kept on the phone for reading at sea (static/crew/offline.js).
            "offline_pages": [
                reverse("crew:event", args=[event.public_id]) for event, _, _ in my_events[:OFFLINE_EVENTS]
            ],
            "open_slots_by_event": [
                (event, list(slots)) for event, slots in itertools.groupby(claimable, key=lambda slot: slot.event)
            ],
            **_calendar_links(member),
        },
    )


def _calendar_links(member: CrewMember | None) -> dict[str, str]:
    """The feed's address (https wherever SITE_URL is, as in production), the same as
    webcal:// (phones then offer to subscribe rather than download once), and Google
    Calendar's "add by URL" page, which takes only http(s) addresses."""
    if member is None:
        return {"calendar_url": "", "webcal_url": "", "google_calendar_url": ""}
    token = services.calendar_token_get_or_create(crew_member=member)
    url = settings.SITE_URL + reverse("crew:calendar", kwargs={"token": token})
    return {
        "calendar_url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[1],
        "google_calendar_url": "https://calendar.google.com/calendar/render?" + urlencode({"cid": url}),
    }


@require_POST
@crew_required
def calendar_reset(request: HttpRequest) -> HttpResponse:
    """A new secret feed address; the old one stops working (a leaked link, a lost phone)."""
    member = request.principal.crew_member
    if member is None:
        return HttpResponse("Owners without a crew profile have no calendar feed.", status=403)
    services.calendar_token_rotate(crew_member=member)
    messages.success(request, "Your calendar link was reset. Subscribe again with the new link.")
    return _see_other(reverse("crew:home"))


# --- /crew/events/<uuid>/ -------------------------------------------------------------------


def _due_soon(items: list[selectors.ChecklistItemRow], now) -> list[tuple[selectors.ChecklistItemRow, bool]]:
    """Items still to do, soonest first, each with whether it is overdue: what the timing panel says is due."""
    pending = [item for item in items if item.state != ChecklistItemState.COMPLETE and item.due_at is not None]
    pending.sort(key=lambda item: item.due_at)
    return [(item, item.due_at < now) for item in pending[:DUE_SOON_LIMIT]]


@dataclass(frozen=True)
class Feedback:
    """The result of a tap, shown where the finger is: a toast, and the card tapped
    (`target`, an element id) highlighted and brought into view."""

    text: str
    kind: str = "success"  # success | error
    target: str = ""


@dataclass(frozen=True)
class ReplaceQuestion:
    """Designating into a held slot: the question the assign card asks before replacing."""

    slot_key: str  # "deckhand:1"
    slot_label: str
    holder_name: str
    designee_id: int
    designee_name: str


def _render_event(
    request: HttpRequest,
    public_id: UUID,
    *,
    status: int = 200,
    feedback: Feedback | None = None,
    replace: ReplaceQuestion | None = None,
) -> HttpResponse:
    principal: Principal = request.principal
    org = principal.organization
    roster = selectors.event_roster(organization_ids=[org.pk], public_id=public_id)
    if roster is None:
        raise Http404("No event matches the given query.")
    event = roster.event
    now = timezone.now()
    policy = roster.policy(selectors.actor_of_principal(principal), now=now)
    items = (
        selectors.checklist(organization_ids=[org.pk], event_id=event.id, tz=org.tz) if policy.sees_everything else []
    )
    my_slot = policy.my_slot
    context = {
        "brand": org,
        "principal": principal,
        "event": event,
        "slots": roster.slots,
        "policy": policy,
        "timing": timing.timing_panel_for(
            org, departure_at=event.departure_at, return_at=event.return_at, status=event.status, now=now
        ),
        "checklists": selectors.checklists_by_phase(items),
        "due": _due_soon(items, now),
        "states": ChecklistItemState.choices,
        "panels": render_event_panels(request, PanelPage(roster, policy, now)) if policy.sees_everything else [],
        "designate_choices": selectors.designate_choices(organization_id=org.pk) if policy.may_designate else [],
        "start_opens_text": timing.format_clock(timezone.localtime(policy.start_opens_at, org.tz)),
        "start_window_text": duration_text(policy.event.start_window),
        "to_do": to_do(
            slot=my_slot,
            status=event.status,
            items_to_do=sum(1 for item in items if my_slot and selectors.is_to_do(item, my_slot.role)),
        ),
        "feedback": feedback,
        "replace": replace,
    }
    return render(request, "crew/event_detail.html", context, status=status)


@require_GET
@crew_required
def event_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _render_event(request, public_id)


def _act(
    request: HttpRequest, public_id: UUID, action: Callable[[], Any], success: str, *, target: str
) -> HttpResponse:
    """Run a roster service; answer with the refreshed page, or its refusal and status,
    the result shown on the card tapped (`target`) and in a toast."""
    try:
        action()
    except (DomainError, ValidationError) as exc:
        feedback = Feedback(_message(exc), kind="error", target=target)
        return _render_event(request, public_id, status=_status(exc), feedback=feedback)
    if _is_htmx(request):
        return _render_event(request, public_id, feedback=Feedback(success, target=target))
    messages.success(request, success)
    return _see_other(reverse("crew:event", kwargs={"public_id": public_id}) + f"#{target}")


def page_action(
    request: HttpRequest, public_id: UUID, action: Callable[[], Any], success: str, *, target: str
) -> HttpResponse:
    """What a panel's write (an app above crew) answers with: the crew event page, its
    result in a toast and on the card tapped, exactly as the page's own writes answer."""
    return _act(request, public_id, action, success, target=target)


def crew_member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For actions only a crew member can take (claim, acknowledge): an owner without a
    crew profile gets the page back with the reason (403)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, public_id: UUID, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.principal.crew_member is None:
            refusal = Feedback("You have no crew profile in this brand.", kind="error")
            return _render_event(request, public_id, status=403, feedback=refusal)
        return view(request, public_id, *args, **kwargs)

    return wrapper


@require_POST
@crew_required
@crew_member_required
def role_claim(request: HttpRequest, public_id, role: str, position: int) -> HttpResponse:
    slot = _slot_or_404(request, public_id, role, position)
    member = request.principal.crew_member
    return _act(
        request,
        public_id,
        lambda: services.role_claim(slot=slot, crew_member=member),
        f"You're the {slot} on this event.",
        target=_slot_target(slot),
    )


@require_POST
@crew_required
def role_release(request: HttpRequest, public_id, role: str, position: int) -> HttpResponse:
    slot = _slot_or_404(request, public_id, role, position)
    return _act(
        request,
        public_id,
        lambda: services.role_release(slot=slot, by=request.principal.user),
        f"The {slot} slot is open.",
        target=_slot_target(slot),
    )


@require_POST
@crew_required
@crew_member_required
def role_acknowledge(request: HttpRequest, public_id, role: str, position: int) -> HttpResponse:
    slot = _slot_or_404(request, public_id, role, position)
    member = request.principal.crew_member
    return _act(
        request,
        public_id,
        lambda: services.role_acknowledge(slot=slot, crew_member=member),
        f"Thanks — you're confirmed as {slot}.",
        target=_slot_target(slot),
    )


def _slot_target(slot: RoleSlot) -> str:
    return f"slot-{slot.role}-{slot.position}"


@require_POST
@crew_required
def role_designate(request: HttpRequest, public_id) -> HttpResponse:
    """Put a crew member in a slot. A slot someone else holds asks first: the answer is
    the same form with `replace` set, and the person replaced is emailed."""
    event = _event_or_404(request, public_id)
    role, _, position = request.POST.get("slot", "").partition(":")
    if role not in CrewRole.values or not (position.isascii() and position.isdecimal()) or len(position) > 4:
        refusal = Feedback("Choose a role slot to fill.", kind="error", target="designate")
        return _render_event(request, event.public_id, status=400, feedback=refusal)
    slot = _slot_or_404(request, public_id, role, int(position))
    member_id = _id_or_none(request.POST.get("crew_member", ""))
    member = (
        CrewMember.objects.for_org(request.principal.organization).select_related("user").filter(pk=member_id).first()
        if member_id
        else None
    )
    if member is None:
        refusal = Feedback("Choose a crew member of this brand.", kind="error", target="designate")
        return _render_event(request, event.public_id, status=400, feedback=refusal)
    replace = request.POST.get("replace") == "yes"
    try:
        services.role_designate(slot=slot, crew_member=member, by=request.principal.user, replace=replace)
    except ReplacementUnconfirmed as exc:
        question = ReplaceQuestion(
            slot_key=f"{slot.role}:{slot.position}",
            slot_label=exc.slot.label,
            holder_name=exc.slot.holder_name,
            designee_id=member.pk,
            designee_name=exc.designee.name,
        )
        return _render_event(request, event.public_id, status=409, replace=question)
    except (DomainError, ValidationError) as exc:
        refusal = Feedback(_message(exc), kind="error", target="designate")
        return _render_event(request, event.public_id, status=_status(exc), feedback=refusal)
    success = f"{member} is now {slot}; they have been emailed a link to acknowledge."
    if _is_htmx(request):
        return _render_event(request, event.public_id, feedback=Feedback(success, target=_slot_target(slot)))
    messages.success(request, success)
    return _see_other(reverse("crew:event", kwargs={"public_id": public_id}) + f"#{_slot_target(slot)}")


@require_POST
@crew_required
def event_confirm(request: HttpRequest, public_id) -> HttpResponse:
    event = _event_or_404(request, public_id)
    return _act(
        request,
        event.public_id,
        lambda: services.event_confirm(event=event, by=request.principal.user),
        "The event is confirmed.",
        target="roster",
    )


@require_POST
@crew_required
def event_start(request: HttpRequest, public_id) -> HttpResponse:
    """The captain starts the charter; a reason starts it early or with the check-in incomplete."""
    event = _event_or_404(request, public_id)
    reason = request.POST.get("reason", "")
    return _act(
        request,
        event.public_id,
        lambda: services.event_start(event=event, by=request.principal.user, reason=reason),
        "The charter has started." + (" The override and its reason are recorded." if reason.strip() else ""),
        target="start",
    )


# A tap sent again by a phone (queued offline, replayed later) carries the same key.
IDEMPOTENCY_HEADER = "Idempotency-Key"


@require_POST
@crew_required
def checklist_update(request: HttpRequest, public_id) -> HttpResponse:
    """Set one item's state. htmx swaps just the item; a stale version gets the current one (409).

    With an `Idempotency-Key` header (the crew pages send one with every tick, so that a
    tap queued offline can be replayed), the tick is applied once: the same key again is
    answered 200 with the item as it is now and `X-Idempotent-Replay: already`. Every
    answer says the item's version after the tick (`X-Item-Version`), so a phone's next
    queued tick on the same item carries the version its own change made.
    """
    event = _event_or_404(request, public_id)
    item_id = _id_or_none(request.POST.get("item", ""))
    item = (
        ChecklistItem.objects.filter(event=event, pk=item_id).select_related("updated_by").first() if item_id else None
    )
    if item is None:
        raise Http404("This event has no such checklist item.")
    principal: Principal = request.principal

    def tick() -> ChecklistItem:
        return services.checklist_item_update(
            item=item,
            state=request.POST.get("state", ""),
            seen_version=request.POST.get("version", ""),
            by=principal.user,
        )

    key = request.headers.get(IDEMPOTENCY_HEADER)
    replayed, version = False, None
    try:
        if key is None:
            item = tick()
        else:
            outcome = services.run_once(
                key=key,
                user=principal.user,
                organization_id=principal.organization.pk,
                action="checklist_item_update",
                target=f"checklist_item:{item.pk}",
                write=tick,
                result=lambda done: {"state": done.state, "version": done.version},
            )
            replayed, version = outcome.replayed, outcome.result.get("version")
            item = outcome.value or item
    except services.StaleChecklistItem as exc:
        return _item_response(request, event, exc.item, status=409, error=exc.message)
    except (DomainError, ValidationError) as exc:
        return _item_response(request, event, item, status=_status(exc), error=_message(exc))
    if _is_htmx(request):
        response = _item_response(request, event, item)
    else:
        response = _see_other(reverse("crew:event", kwargs={"public_id": event.public_id}) + f"#item-{item.pk}")
    response["X-Item-Version"] = str(version or item.version)
    if replayed:
        response["X-Idempotent-Replay"] = "already"
    return response


def _item_response(
    request: HttpRequest, event: Event, item: ChecklistItem, *, status: int = 200, error: str = ""
) -> HttpResponse:
    if not _is_htmx(request):
        refusal = Feedback(error, kind="error", target=f"item-{item.pk}") if error else None
        return _render_event(request, event.public_id, status=status, feedback=refusal)
    context = {
        "items": [selectors.ChecklistItemRow.of(item, request.principal.organization.tz)],
        "states": ChecklistItemState.choices,
        "item_error": error,
        "public_id": event.public_id,
        "editable": True,
    }
    response = render(request, "crew/fragments/checklist_items.html", context, status=status)
    response["X-Item-Version"] = str(item.version)
    return response


# --- /crew/calendar/<token>.ics --------------------------------------------------------------


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The crew member's events as iCal. The secret token is the credential: calendar
    apps fetch it without cookies, so it is checked here, not by crew_required."""
    member = services.crew_member_for_calendar_token(token)
    if member is None:
        raise Http404("No calendar matches this link. Copy the current one from your crew page.")
    since = timezone.now() - timedelta(days=CALENDAR_PAST_DAYS)
    body = ical.calendar(member=member, slots=selectors.held_slots(crew_member=member, returned_after=since))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="crew-calendar.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["Referrer-Policy"] = "no-referrer"
    return response
