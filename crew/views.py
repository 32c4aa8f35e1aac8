"""Crew pages: my events, one event (timing, roster, checklists, guests, notes), iCal.

Every page is behind `crew_required` and looks objects up within the signed-in person's
organization (`get_for_org_or_404`, by public UUID), so another brand's ids are a 404.
What a page shows is chosen explicitly here: revenue is never loaded, let alone shown.
Each section is one query whatever the event's size (the tests pin the counts).

Writes (claim, release, designate, acknowledge, checklist ticks) are POSTs protected by
CSRF. With htmx they answer in place; without JavaScript they redirect back (303) on
success. A refusal re-renders with the service's message and its status (400/403/409).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from charterops.errors import DomainError
from charterops.models import Membership
from charterops.tenancy import get_for_org_or_404
from events import timing
from events.models import Event, EventStatus

from . import ical, services
from .auth import Principal, crew_required
from .models import ChecklistItem, ChecklistItemState, ChecklistPhase, CrewMember, CrewRole, RoleSlot
from .panels import EVENT_PANELS

# Held events stay on /crew/ until they return; older ones drop off. Open slots listed
# there are capped so the page stays short on a phone.
OPEN_SLOTS_LIMIT = 30
OWNER_EVENTS_LIMIT = 50  # the back office lists them all; this is the phone's short view
CALENDAR_PAST_DAYS = 90
# Captain first, then first mate, then deckhands by number (not alphabetical).
ROLE_RANK = Case(
    When(role=CrewRole.CAPTAIN, then=Value(0)),
    When(role=CrewRole.FIRST_MATE, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _event_or_404(request: HttpRequest, public_id) -> Event:
    return get_for_org_or_404(
        Event.objects.select_related("organization", "vessel"), request.principal.organization, public_id=public_id
    )


def _slot_or_404(event: Event, role: str, position: int) -> RoleSlot:
    slot = RoleSlot.objects.filter(event=event, role=role, position=position).first()
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
    org = principal.organization
    now = timezone.now()
    if member is not None:
        mine = list(
            RoleSlot.objects.for_org(org)
            .filter(holder=member, event__return_at__gte=now)
            .select_related("event__vessel")
            .order_by("event__departure_at", "event__pk")
        )
        my_events = [(slot.event, slot) for slot in mine]
    else:
        # An owner without a crew profile sees every upcoming event of the brand.
        events = Event.objects.for_org(org).filter(return_at__gte=now).select_related("vessel")
        my_events = [(event, None) for event in events.order_by("departure_at", "pk")[:OWNER_EVENTS_LIMIT]]
    return render(
        request,
        "crew/home.html",
        {
            "brand": org,
            "principal": principal,
            "my_events": my_events,
            "open_slots": _claimable_slots(principal, now),
            **_calendar_links(member),
        },
    )


def _claimable_slots(principal: Principal, now) -> list[RoleSlot]:
    """Open slots of the brand's upcoming events that this person could take."""
    member = principal.crew_member
    if member is None:
        return []
    slots = (
        RoleSlot.objects.for_org(principal.organization)
        .filter(holder__isnull=True, event__return_at__gte=now)
        .exclude(event__status__in=services.CLOSED_STATUSES)
        .exclude(Exists(RoleSlot.objects.filter(event=OuterRef("event"), holder=member)))
        .select_related("event__vessel")
        .order_by("event__departure_at", "event__pk", ROLE_RANK, "position")
    )
    if principal.role not in services.CAPTAIN_QUALIFIED:
        slots = slots.exclude(role=CrewRole.CAPTAIN)
    return list(slots[:OPEN_SLOTS_LIMIT])


def _calendar_links(member: CrewMember | None) -> dict[str, str]:
    if member is None:
        return {"calendar_url": "", "webcal_url": ""}
    token = services.calendar_token_get_or_create(crew_member=member)
    url = settings.SITE_URL + reverse("crew:calendar", kwargs={"token": token})
    # webcal:// makes phones offer to subscribe rather than download the file once.
    return {"calendar_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


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


@dataclass(frozen=True)
class DueItem:
    item: ChecklistItem
    overdue: bool


@dataclass
class EventPage:
    """Everything the event page shows, loaded once per section."""

    event: Event
    principal: Principal
    slots: list[RoleSlot]

    @property
    def my_slot(self) -> RoleSlot | None:
        member = self.principal.crew_member
        if member is None:
            return None
        return next((slot for slot in self.slots if slot.holder_id == member.pk), None)

    @property
    def on_event(self) -> bool:
        return self.my_slot is not None

    @property
    def sees_everything(self) -> bool:
        return self.on_event or self.principal.is_owner

    @property
    def manages_roster(self) -> bool:
        slot = self.my_slot
        return self.principal.is_owner or (slot is not None and slot.role == CrewRole.CAPTAIN)

    @property
    def captain_qualified(self) -> bool:
        return self.principal.role in services.CAPTAIN_QUALIFIED

    @property
    def open_slots(self) -> list[RoleSlot]:
        return [slot for slot in self.slots if slot.holder_id is None]

    @property
    def closed(self) -> bool:
        return self.event.status in services.CLOSED_STATUSES


def _slots(event: Event) -> list[RoleSlot]:
    return list(RoleSlot.objects.filter(event=event).select_related("holder__user").order_by(ROLE_RANK, "position"))


def _designate_choices(page: EventPage) -> list[CrewMember]:
    if not page.manages_roster or page.closed:
        return []
    qualified = Membership.objects.filter(
        user=OuterRef("user"), organization=OuterRef("organization"), role__in=services.CAPTAIN_QUALIFIED
    )
    return list(
        CrewMember.objects.for_org(page.event.organization_id)
        .filter(active=True)
        .select_related("user")
        .annotate(captain_qualified=Exists(qualified))
    )


def _checklists(event: Event) -> list[tuple[str, list[ChecklistItem]]]:
    items = list(ChecklistItem.objects.filter(event=event).select_related("updated_by").order_by("position", "pk"))
    return [
        (label, [item for item in items if item.phase == phase])
        for phase, label in ChecklistPhase.choices
        if any(item.phase == phase for item in items)
    ]


def _due_soon(checklists: list[tuple[str, list[ChecklistItem]]], now) -> list[DueItem]:
    """Items still to do, soonest first: what the timing panel says is due."""
    pending = [
        item
        for _, items in checklists
        for item in items
        if item.state != ChecklistItemState.COMPLETE and item.due_at is not None
    ]
    pending.sort(key=lambda item: item.due_at)
    return [DueItem(item=item, overdue=item.due_at < now) for item in pending[:5]]


def _panels(request: HttpRequest, event: Event) -> list[str]:
    """Every panel other apps registered (guests: the manifest), rendered in order."""
    return [
        render_to_string(panel.template, {**panel.context(request, event), "event": event}, request=request)
        for panel in EVENT_PANELS
    ]


def _render_event(
    request: HttpRequest, event: Event, *, status: int = 200, error: str = "", notice: str = ""
) -> HttpResponse:
    principal: Principal = request.principal
    page = EventPage(event=event, principal=principal, slots=_slots(event))
    now = timezone.now()
    panel = timing.timing_panel(event, now)
    checklists = _checklists(event) if page.sees_everything else []
    context = {
        "brand": principal.organization,
        "principal": principal,
        "event": event,
        "page": page,
        "timing": panel,
        "checklists": checklists,
        "due": _due_soon(checklists, now),
        "states": ChecklistItemState.choices,
        "checklist_url": reverse("crew:checklist-update", kwargs={"public_id": event.public_id}),
        "panels": _panels(request, event) if page.sees_everything else [],
        "designate_choices": _designate_choices(page),
        "error": error,
        "notice": notice,
        "status_label": EventStatus(event.status).label,
    }
    return render(request, "crew/event_detail.html", context, status=status)


@require_GET
@crew_required
def event_detail(request: HttpRequest, public_id) -> HttpResponse:
    return _render_event(request, _event_or_404(request, public_id))


def _act(request: HttpRequest, event: Event, action: Callable[[], Any], success: str) -> HttpResponse:
    """Run a roster service; answer with the refreshed page, or its refusal and status."""
    try:
        action()
    except (DomainError, ValidationError) as exc:
        event.refresh_from_db(fields=["status"])
        return _render_event(request, event, status=_status(exc), error=_message(exc))
    event.refresh_from_db(fields=["status"])
    if _is_htmx(request):
        return _render_event(request, event, notice=success)
    messages.success(request, success)
    return _see_other(reverse("crew:event", kwargs={"public_id": event.public_id}) + "#roster")


def _crew_member_or_refuse(request: HttpRequest, event: Event) -> CrewMember | HttpResponse:
    member = request.principal.crew_member
    if member is None:
        return _render_event(request, event, status=403, error="You have no crew profile in this brand.")
    return member


@require_POST
@crew_required
def role_claim(request: HttpRequest, public_id, role: str, position: int) -> HttpResponse:
    event = _event_or_404(request, public_id)
    slot = _slot_or_404(event, role, position)
    member = _crew_member_or_refuse(request, event)
    if isinstance(member, HttpResponse):
        return member
    return _act(
        request, event, lambda: services.role_claim(slot=slot, crew_member=member), f"You're the {slot} on this event."
    )


@require_POST
@crew_required
def role_release(request: HttpRequest, public_id, role: str, position: int) -> HttpResponse:
    event = _event_or_404(request, public_id)
    slot = _slot_or_404(event, role, position)
    return _act(
        request, event, lambda: services.role_release(slot=slot, by=request.principal.user), f"The {slot} slot is open."
    )


@require_POST
@crew_required
def role_acknowledge(request: HttpRequest, public_id, role: str, position: int) -> HttpResponse:
    event = _event_or_404(request, public_id)
    slot = _slot_or_404(event, role, position)
    member = _crew_member_or_refuse(request, event)
    if isinstance(member, HttpResponse):
        return member
    return _act(
        request,
        event,
        lambda: services.role_acknowledge(slot=slot, crew_member=member),
        f"Thanks — you're confirmed as {slot}.",
    )


@require_POST
@crew_required
def role_designate(request: HttpRequest, public_id) -> HttpResponse:
    event = _event_or_404(request, public_id)
    role, _, position = request.POST.get("slot", "").partition(":")
    if role not in CrewRole.values or not (position.isascii() and position.isdecimal()) or len(position) > 4:
        return _render_event(request, event, status=400, error="Choose a role slot to fill.")
    slot = _slot_or_404(event, role, int(position))
    member_id = _id_or_none(request.POST.get("crew_member", ""))
    member = (
        CrewMember.objects.for_org(request.principal.organization).select_related("user").filter(pk=member_id).first()
        if member_id
        else None
    )
    if member is None:
        return _render_event(request, event, status=400, error="Choose a crew member of this brand.")
    return _act(
        request,
        event,
        lambda: services.role_designate(slot=slot, crew_member=member, by=request.principal.user),
        f"{member} is now {slot}; they have been emailed a link to acknowledge.",
    )


@require_POST
@crew_required
def event_confirm(request: HttpRequest, public_id) -> HttpResponse:
    event = _event_or_404(request, public_id)
    return _act(
        request,
        event,
        lambda: services.event_confirm(event=event, by=request.principal.user),
        "The event is confirmed.",
    )


@require_POST
@crew_required
def event_start(request: HttpRequest, public_id) -> HttpResponse:
    """The captain starts the charter; a reason overrides guests still on hold."""
    event = _event_or_404(request, public_id)
    reason = request.POST.get("reason", "")
    return _act(
        request,
        event,
        lambda: services.event_start(event=event, by=request.principal.user, reason=reason),
        "The charter has started." + (" The override and its reason are recorded." if reason.strip() else ""),
    )


@require_POST
@crew_required
def checklist_update(request: HttpRequest, public_id) -> HttpResponse:
    """Set one item's state. htmx swaps just the item; a stale version gets the current one (409)."""
    event = _event_or_404(request, public_id)
    item_id = _id_or_none(request.POST.get("item", ""))
    item = (
        ChecklistItem.objects.filter(event=event, pk=item_id).select_related("updated_by").first() if item_id else None
    )
    if item is None:
        raise Http404("This event has no such checklist item.")
    try:
        item = services.checklist_item_update(
            item=item,
            state=request.POST.get("state", ""),
            seen_version=request.POST.get("version", ""),
            by=request.principal.user,
        )
    except services.StaleChecklistItem as exc:
        return _item_response(request, event, exc.item, status=409, error=exc.message)
    except (DomainError, ValidationError) as exc:
        return _item_response(request, event, item, status=_status(exc), error=_message(exc))
    if _is_htmx(request):
        return _item_response(request, event, item)
    return _see_other(reverse("crew:event", kwargs={"public_id": event.public_id}) + f"#item-{item.pk}")


def _item_response(
    request: HttpRequest, event: Event, item: ChecklistItem, *, status: int = 200, error: str = ""
) -> HttpResponse:
    if not _is_htmx(request):
        return _render_event(request, event, status=status, error=error)
    context = {
        "event": event,
        "items": [item],
        "states": ChecklistItemState.choices,
        "item_error": error,
        "checklist_url": reverse("crew:checklist-update", kwargs={"public_id": event.public_id}),
    }
    return render(request, "crew/fragments/checklist_items.html", context, status=status)


# --- /crew/calendar/<token>.ics --------------------------------------------------------------


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The crew member's events as iCal. The secret token is the credential: calendar
    apps fetch it without cookies, so it is checked here, not by crew_required."""
    member = services.crew_member_for_calendar_token(token)
    if member is None:
        raise Http404("No calendar matches this link. Copy the current one from your crew page.")
    since = timezone.now() - timedelta(days=CALENDAR_PAST_DAYS)
    slots = (
        RoleSlot.objects.for_org(member.organization)
        .filter(holder=member)
        .filter(event__return_at__gte=since)
        .select_related("event__vessel")
        .order_by("event__departure_at", "event__pk")
    )
    body = ical.calendar(member=member, slots=list(slots))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="crew-calendar.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["Referrer-Policy"] = "no-referrer"
    return response
