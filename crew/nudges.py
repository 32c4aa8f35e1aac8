"""Crew nudges, found by the nudge sweep (events.nudges) every minute.

- **Daily digest** (`crew_digest`): at NUDGE_DIGEST_HOUR_UTC (12:00 UTC), everyone on the
  roster of an event departing in the next 24 hours gets one email per event: times in the
  brand's zone, vessel, meeting point, sunset, their role, who else is aboard, the open
  checklist items of their role, the guests still on hold (names only) and a sign-in link
  to the event page. Worth sending until departure: a booking made inside the window gets
  its digest at the next sweep, never after it has left. Someone put on the roster later
  that day gets theirs at the next sweep too.
- **T-30 departure**: crew get the pre-departure checklist's state (`crew_pre_departure`);
  the captain's (`crew_pre_departure_captain`) is safety-critical — never unsubscribed,
  never switched off, never held.
- **T-30 return** (`crew_post_return`): the captain gets the post-return checklist.
- **Overdue checklist items** (`crew_checklist_overdue`): an item not complete
  NUDGE_CHECKLIST_OVERDUE_GRACE_MINUTES after its due moment nudges the holders of its
  role, once (items of one role due at the same moment share one email).
- **Unfilled slots** (`crew_unfilled_role`), escalated at NUDGE_UNFILLED_ROLE_HOURS before
  departure (48, 24, 12): first to every active crew member of the brand who may claim the
  slot (crew.policy's claim rules) and is free that day; then to them again and the
  event's captain; last to the owners. Each step is worth sending until the next; a claim
  stops the chain (the rule is asked again before anything goes out).
- **Unacknowledged designations** (`crew_unacknowledged`): at NUDGE_UNACKNOWLEDGED_HOURS
  before departure (48, 24), a holder designated before that moment who has not said
  "I'll be there" is reminded.

Who may do what is crew.policy's; the reads are crew.selectors'. Never money. Rules read
events in batches, with one query per batch for each kind of row, whatever their number;
sign-in links are made in one INSERT per chunk of emails (`Kind.prepare`).
"""

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, partial
from itertools import islice
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from charterops.models import Organization
from events.models import Event, EventStatus
from events.nudges import Due, Kind, Scope, nudge_rule
from events.owner_alerts import owner_dues, owners_by_org
from events.timing import format_clock, format_day_clock, organization_sun_times

from .magic_links import LinkRequest, magic_links_create
from .models import ChecklistPhase, CrewRole, MagicLink
from .policy import CLOSED_STATUSES
from .selectors import ItemRow, Reachable, Seat, held_departures, items_of, overdue_items, reachable_crew, seats_of

# --- Guests on hold: read through a hook the guests app fills (crew never imports guests) ---

OnHoldReader = Callable[[Collection[int]], dict[int, list[str]]]
_ON_HOLD_READERS: list[OnHoldReader] = []


def register_on_hold_reader(reader: OnHoldReader) -> None:
    """`reader(event_ids)` → {event id: names of its guests still on hold}, in one query."""
    if reader not in _ON_HOLD_READERS:
        _ON_HOLD_READERS.append(reader)


def _on_hold(event_ids: Collection[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    for reader in _ON_HOLD_READERS:
        for event_id, found in reader(event_ids).items():
            names[event_id].extend(found)
    return names


# --- Sign-in links, made for a chunk of emails at once ------------------------------------


@dataclass(slots=True)
class WithLink:
    """A nudge's context that carries a sign-in link: `make(link_url)` builds the rest."""

    link: LinkRequest
    make: Callable[..., dict[str, Any]]

    def __call__(self) -> dict[str, Any]:
        return self.make(link_url=self.link.url)


def _links_make(dues: list[Due]) -> None:
    requests = [due.context.link for due in dues if isinstance(due.context, WithLink)]
    if requests:
        magic_links_create(requests, purpose=MagicLink.Purpose.EVENT_INVITE)


def _event_link(brief: "Brief", crew_member_id: int) -> LinkRequest:
    return LinkRequest(crew_member_id=crew_member_id, organization_id=brief.event.organization_id, deep_link=brief.path)


# --- Kinds ------------------------------------------------------------------------------

DIGEST = Kind(
    "crew_digest",
    "Crew digest: your next 24 hours",
    description="the daily digest of the charters you crew in the next 24 hours",
    prepare=_links_make,
    # About 1,000 events' crews (a roster of about 5) per transaction: the emails of a
    # transaction are what the sweep holds in memory, so this bounds its peak.
    chunk_size=5000,
)
PRE_DEPARTURE = Kind(
    "crew_pre_departure",
    "Departure in 30 minutes",
    # Sent right before a charter its reader works: never held for the morning.
    urgent=True,
    description="the pre-departure checklist 30 minutes before you leave",
    prepare=_links_make,
)
PRE_DEPARTURE_CAPTAIN = Kind(
    "crew_pre_departure_captain",
    "Departure in 30 minutes (captain)",
    safety_critical=True,
    description="the captain's pre-departure checklist 30 minutes before departure",
    prepare=_links_make,
)
POST_RETURN = Kind(
    "crew_post_return",
    "Return in 30 minutes (captain)",
    urgent=True,
    description="the post-return checklist 30 minutes before you are back",
    prepare=_links_make,
)
CHECKLIST_OVERDUE = Kind(
    "crew_checklist_overdue",
    "Checklist items overdue",
    description="reminders of checklist items past their time",
    prepare=_links_make,
)
UNFILLED_ROLE = Kind(
    "crew_unfilled_role",
    "Crew slot still open",
    description="calls for crew when a charter's slot is still open",
    prepare=_links_make,
)
UNACKNOWLEDGED = Kind(
    "crew_unacknowledged",
    "Role not yet acknowledged",
    description="reminders to acknowledge a role you were put on",
    prepare=_links_make,
)

# Events read per query; their slots, items and guests in one query each per batch. A
# batch's rows are small next to its emails, so it spans a few transactions' worth.
EVENTS_PER_QUERY = 2500
# Events this far past a moment are still looked at, so that a nudge missed while the
# scheduler was down is recorded as skipped rather than forgotten.
LOOKBACK = timedelta(days=1)
# A reminder this close to departure is pointless: it is sorted out on the dock.
LAST_USEFUL_BEFORE_DEPARTURE = timedelta(hours=2)
# Events whose crew still has something to do (not completed or cancelled) …
SAILING = tuple(status for status in EventStatus.values if status not in CLOSED_STATUSES)
# … and of those, the ones not yet under way.
UPCOMING = tuple(status for status in SAILING if status != EventStatus.IN_PROGRESS)


def _batches(events: QuerySet) -> Iterator[dict[int, Event]]:
    """The events in batches of EVENTS_PER_QUERY, by id, one brand object per brand."""
    organizations: dict[int, Organization] = {}
    rows = events.select_related("organization", "vessel").order_by("pk").iterator(chunk_size=EVENTS_PER_QUERY)
    while batch := list(islice(rows, EVENTS_PER_QUERY)):
        by_id = {}
        for event in batch:
            event.organization = organizations.setdefault(event.organization_id, event.organization)
            by_id[event.pk] = event
        yield by_id


def _aboard(seats: Iterable[Seat]) -> list[Seat]:
    """The held seats whose holder can be emailed (active, with an address)."""
    return [seat for seat in seats if seat.holder_id is not None and seat.active and seat.email]


def _latest_touch(items: Iterable[ItemRow], user_id: int | None) -> datetime | None:
    """When this person last changed one of these items (they just acted: no nudge)."""
    moments = [item.updated_at for item in items if item.updated_by_id == user_id and item.updated_at]
    return max(moments, default=None)


# --- What the emails say about an event (shared by its crew, made once per event) -------


class Brief:
    """An event as every crew nudge shows it; computed once per event, whatever its crew."""

    def __init__(self, event: Event, seats: list[Seat] | None = None, on_hold: list[str] | None = None):
        self.event, self.seats, self.on_hold = event, seats or [], on_hold or []

    @cached_property
    def facts(self) -> dict[str, Any]:
        event, org = self.event, self.event.organization
        tz, style = org.tz, org.clock_style
        departure, back = event.departure_at.astimezone(tz), event.return_at.astimezone(tz)
        sun = organization_sun_times(org, departure.date())
        facts = {
            "title": event.name,
            "departure": f"{format_day_clock(departure, style=style)} {departure.tzname()}",
            "departure_clock": format_clock(departure, style=style),
            "return_at": f"{format_clock(back, style=style)} {back.tzname()}",
            "sunset": f"{format_clock(sun.sunset.astimezone(tz), style=style)}" if sun.sunset else "",
            "vessel": event.vessel.name if event.vessel_id else "",
            "location": event.location,
            "on_hold": self.on_hold,
        }
        # The event's block, the same in every email about it: rendered once per event.
        block = {"organization": org, **facts}
        facts["event_text"] = render_to_string("crew/emails/nudges/_event.txt", block).strip()
        facts["event_html"] = mark_safe(render_to_string("crew/emails/nudges/_event.html", block))  # noqa: S308
        return facts

    def role_block(self, role: str, items: list[ItemRow]) -> tuple[str, str]:
        """A role's open items and the guests on hold, as the digest says them: rendered
        once per role of the event (its deckhands share it)."""
        blocks = self.__dict__.setdefault("_role_blocks", {})
        if role not in blocks:
            context = {"items": self.items(items), "on_hold": self.on_hold}
            blocks[role] = (
                render_to_string("crew/emails/nudges/_digest_items.txt", context).strip(),
                mark_safe(render_to_string("crew/emails/nudges/_digest_items.html", context)),  # noqa: S308
            )
        return blocks[role]

    @cached_property
    def path(self) -> str:
        """The event's crew page (where a sign-in link leads)."""
        return reverse("crew:event", kwargs={"public_id": self.event.public_id})

    def clock(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        return format_clock(moment.astimezone(self.event.organization.tz), style=self.event.organization.clock_style)

    def others(self, holder_id: int | None) -> list[dict[str, str]]:
        return [
            {"role": seat.label, "name": seat.name}
            for seat in self.seats
            if seat.holder_id is not None and seat.holder_id != holder_id
        ]

    def open_slots(self) -> list[str]:
        return [seat.label for seat in self.seats if seat.holder_id is None]

    @cached_property
    def open_slots_text(self) -> str:
        return ", ".join(self.open_slots())

    def items(self, items: Iterable[ItemRow]) -> list[dict[str, str]]:
        return [
            {"text": item.text, "due": self.clock(item.due_at), "done": item.complete, "role": _role_label(item)}
            for item in items
        ]


def _role_label(item: ItemRow) -> str:
    return CrewRole(item.responsible_role).label if item.responsible_role in CrewRole.values else ""


def _crew_due(
    kind_template: str,
    brief: Brief,
    *,
    crew_member_id: int,
    name: str,
    email: str,
    due_at: datetime,
    expires_at: datetime,
    acted_at: datetime | None = None,
    context: Callable[..., dict[str, Any]],
) -> Due:
    """A nudge to a crew member, with a sign-in link to the event page."""
    return Due(
        event=brief.event,
        recipient=f"crew:{crew_member_id}",
        address=email,
        name=name,
        due_at=due_at,
        expires_at=expires_at,
        template=kind_template,
        context=WithLink(link=_event_link(brief, crew_member_id), make=context),
        acted_at=acted_at,
    )


# --- The daily digest -------------------------------------------------------------------


def digest_moment(now: datetime) -> datetime:
    """The latest digest moment at or before `now` (NUDGE_DIGEST_HOUR_UTC, in UTC)."""
    now = now.astimezone(UTC)
    moment = now.replace(hour=settings.NUDGE_DIGEST_HOUR_UTC, minute=0, second=0, microsecond=0)
    return moment if moment <= now else moment - timedelta(days=1)


def _digest_context(brief: Brief, seat: Seat, mine: list[ItemRow], *, link_url: str) -> dict[str, Any]:
    role_text, role_html = brief.role_block(seat.role, mine)
    return {
        **brief.facts,
        "name": seat.name,
        "role": seat.label,
        "others": ", ".join(f"{other['name']} ({other['role']})" for other in brief.others(seat.holder_id)),
        "open_slots": brief.open_slots_text,
        "role_text": role_text,
        "role_html": role_html,
        "link_url": link_url,
    }


@nudge_rule(DIGEST)
def crew_digest(scope: Scope) -> Iterator[Due]:
    moment = digest_moment(scope.now)
    # Events that left since the moment are still found: recorded as missed, not forgotten.
    events = scope.narrow(
        Event.objects.filter(
            departure_at__gt=moment, departure_at__lte=moment + timedelta(hours=24), status__in=UPCOMING
        )
    )
    for by_id in _batches(events):
        seats, items, on_hold = seats_of(by_id), items_of(by_id, open_only=True), _on_hold(list(by_id))
        for event_id, event in by_id.items():
            aboard = _aboard(seats.get(event_id, []))
            if not aboard:
                continue
            brief = Brief(event, seats[event_id], on_hold.get(event_id))
            event_items = items.get(event_id, [])
            for seat in aboard:
                mine = [item for item in event_items if item.responsible_role == seat.role]
                yield _crew_due(
                    "crew/emails/nudges/digest",
                    brief,
                    crew_member_id=seat.holder_id,
                    name=seat.name,
                    email=seat.email,
                    due_at=moment,
                    expires_at=event.departure_at,
                    context=partial(_digest_context, brief, seat, mine),
                )


# --- 30 minutes before departure and before return ---------------------------------------


def _checklist_context(
    brief: Brief, seat: Seat, phase_items: list[ItemRow], *, captain: bool, link_url: str
) -> dict[str, Any]:
    mine = [item for item in phase_items if item.responsible_role == seat.role and not item.complete]
    return {
        **brief.facts,
        "name": seat.name,
        "role": seat.label,
        "captain": captain,
        "done": sum(item.complete for item in phase_items),
        "total": len(phase_items),
        "open_items": brief.items([item for item in phase_items if not item.complete]),
        "mine": brief.items(mine),
        "open_slots": brief.open_slots(),
        "link_url": link_url,
    }


def _before(minutes: int) -> timedelta:
    return timedelta(minutes=minutes)


@nudge_rule(PRE_DEPARTURE)
def crew_pre_departure(scope: Scope) -> Iterator[Due]:
    return _pre_departure(scope, captain=False)


@nudge_rule(PRE_DEPARTURE_CAPTAIN)
def captain_pre_departure(scope: Scope) -> Iterator[Due]:
    return _pre_departure(scope, captain=True)


def _pre_departure(scope: Scope, *, captain: bool) -> Iterator[Due]:
    before = _before(settings.NUDGE_BEFORE_DEPARTURE_MINUTES)
    events = scope.narrow(
        Event.objects.filter(
            departure_at__lte=scope.now + before, departure_at__gt=scope.now - LOOKBACK, status__in=SAILING
        )
    )
    template = "crew/emails/nudges/pre_departure"
    for by_id in _batches(events):
        seats, items = seats_of(by_id), items_of(by_id)
        for event_id, event in by_id.items():
            aboard = [s for s in _aboard(seats.get(event_id, [])) if (s.role == CrewRole.CAPTAIN) == captain]
            if not aboard:
                continue
            brief = Brief(event, seats[event_id])
            phase = [i for i in items.get(event_id, []) if i.phase == ChecklistPhase.PRE_DEPARTURE]
            for seat in aboard:
                yield _crew_due(
                    template,
                    brief,
                    crew_member_id=seat.holder_id,
                    name=seat.name,
                    email=seat.email,
                    due_at=event.departure_at - before,
                    expires_at=event.departure_at,
                    # The captain's is safety-critical: it goes even right after a tick.
                    acted_at=None if captain else _latest_touch(phase, seat.user_id),
                    context=partial(_checklist_context, brief, seat, phase, captain=captain),
                )


@nudge_rule(POST_RETURN)
def captain_post_return(scope: Scope) -> Iterator[Due]:
    before = _before(settings.NUDGE_BEFORE_RETURN_MINUTES)
    events = scope.narrow(
        Event.objects.filter(
            return_at__lte=scope.now + before,
            return_at__gt=scope.now - LOOKBACK,
            status__in=(EventStatus.CONFIRMED, EventStatus.IN_PROGRESS),
        )
    )
    for by_id in _batches(events):
        seats, items = seats_of(by_id), items_of(by_id)
        for event_id, event in by_id.items():
            for seat in _aboard(seats.get(event_id, [])):
                if seat.role != CrewRole.CAPTAIN:
                    continue
                brief = Brief(event, seats[event_id])
                phase = [i for i in items.get(event_id, []) if i.phase == ChecklistPhase.POST_RETURN]
                yield _crew_due(
                    "crew/emails/nudges/post_return",
                    brief,
                    crew_member_id=seat.holder_id,
                    name=seat.name,
                    email=seat.email,
                    due_at=event.return_at - before,
                    expires_at=event.return_at,
                    context=partial(_checklist_context, brief, seat, phase, captain=True),
                )


# --- Overdue checklist items ------------------------------------------------------------


def _overdue_context(brief: Brief, seat: Seat, overdue: list[ItemRow], *, link_url: str) -> dict[str, Any]:
    return {**brief.facts, "name": seat.name, "role": seat.label, "items": brief.items(overdue), "link_url": link_url}


@nudge_rule(CHECKLIST_OVERDUE)
def checklist_overdue(scope: Scope) -> Iterator[Due]:
    grace = timedelta(minutes=settings.NUDGE_CHECKLIST_OVERDUE_GRACE_MINUTES)
    found = overdue_items(due_from=scope.now - grace - LOOKBACK, due_to=scope.now - grace, statuses=SAILING)
    if scope.event_ids is not None:
        found = [item for item in found if item.event_id in scope.event_ids]
    groups: dict[int, dict[tuple[str, datetime], list[ItemRow]]] = defaultdict(lambda: defaultdict(list))
    for item in found:
        groups[item.event_id][(item.responsible_role, item.due_at)].append(item)
    event_ids = list(groups)
    for start in range(0, len(event_ids), EVENTS_PER_QUERY):
        batch_ids = event_ids[start : start + EVENTS_PER_QUERY]
        for by_id in _batches(Event.objects.filter(pk__in=batch_ids)):
            seats = seats_of(by_id)
            for event_id, event in by_id.items():
                brief = Brief(event, seats.get(event_id, []))
                for (role, due_at), overdue in groups[event_id].items():
                    for seat in _aboard(brief.seats):
                        if seat.role != role:
                            continue
                        yield _crew_due(
                            "crew/emails/nudges/checklist_overdue",
                            brief,
                            crew_member_id=seat.holder_id,
                            name=seat.name,
                            email=seat.email,
                            due_at=due_at + grace,
                            # Worth saying until the charter is back (and an hour past a late item).
                            expires_at=max(event.return_at, due_at + grace + timedelta(hours=1)),
                            acted_at=_latest_touch(overdue, seat.user_id),
                            context=partial(_overdue_context, brief, seat, overdue),
                        )


# --- Unfilled slots: escalated until someone claims them -----------------------------------

CREW, CAPTAIN, OWNERS = "crew", "captain", "owners"
# Who each step of the escalation reaches, in the order of NUDGE_UNFILLED_ROLE_HOURS
# (48 h, 24 h, 12 h by default): the crew who could claim, then them again with the
# event's captain, then the owners.
ESCALATION = ((CREW,), (CREW, CAPTAIN), (OWNERS,))


def _steps(hours: Iterable[int]) -> list[tuple[timedelta, timedelta]]:
    """(how long before departure, until how long before departure it is worth sending)."""
    ordered = sorted(set(hours), reverse=True)
    ends = [timedelta(hours=h) for h in ordered[1:]] + [timedelta(0)]
    return [(timedelta(hours=h), end) for h, end in zip(ordered, ends, strict=True)]


def _unfilled_context(
    brief: Brief, name: str, slots: list[str], *, audience: str, link_url: str = "", admin_url: str = ""
) -> dict[str, Any]:
    return {
        **brief.facts,
        "name": name,
        "slots": slots,
        "audience": audience,
        "link_url": link_url,
        "admin_url": admin_url,
    }


def _local_day(moment: datetime, org: Organization) -> date:
    return moment.astimezone(org.tz).date()


@nudge_rule(UNFILLED_ROLE)
def unfilled_roles(scope: Scope) -> Iterator[Due]:
    steps = _steps(settings.NUDGE_UNFILLED_ROLE_HOURS)[: len(ESCALATION)]
    if not steps:
        return
    now, first = scope.now, steps[0][0]
    events = scope.narrow(
        Event.objects.filter(departure_at__gt=now, departure_at__lte=now + first, status__in=UPCOMING)
    )
    for by_id in _batches(events):
        seats = seats_of(by_id)
        short = {pk: event for pk, event in by_id.items() if any(s.holder_id is None for s in seats.get(pk, []))}
        if not short:
            continue
        org_ids = {event.organization_id for event in short.values()}
        crew, owners = reachable_crew(org_ids), owners_by_org(org_ids)
        departures = [event.departure_at for event in short.values()]
        busy: set[tuple[int, date]] = set()
        held = held_departures(
            crew_member_ids=[member.id for members in crew.values() for member in members],
            start=min(departures) - timedelta(days=1),
            end=max(departures) + timedelta(days=1),
        )
        orgs = {event.organization_id: event.organization for event in short.values()}
        member_org = {member.id: member.organization_id for members in crew.values() for member in members}
        for holder_id, _event_id, departure_at in held:
            busy.add((holder_id, _local_day(departure_at, orgs[member_org[holder_id]])))
        for event_id, event in short.items():
            yield from _unfilled_event(event, seats[event_id], steps, now, crew, owners, busy)


def _unfilled_event(
    event: Event,
    seats: list[Seat],
    steps: list[tuple[timedelta, timedelta]],
    now: datetime,
    crew: dict[int, list[Reachable]],
    owners: dict[int, list[tuple[int, str, str]]],
    busy: set[tuple[int, date]],
) -> Iterator[Due]:
    open_seats = [seat for seat in seats if seat.holder_id is None]
    on_event = {seat.holder_id for seat in seats if seat.holder_id is not None}
    day = _local_day(event.departure_at, event.organization)
    brief = Brief(event, seats)
    for (before, until), audience in zip(steps, ESCALATION, strict=False):
        due_at = event.departure_at - before
        # A booking made after a step's moment starts its chain at the next step.
        if due_at > now or event.created_at >= due_at:
            continue
        expires_at = event.departure_at - until
        if CREW in audience:
            for member in crew.get(event.organization_id, []):
                if member.id in on_event or (member.id, day) in busy:
                    continue
                mine = [seat.label for seat in open_seats if seat.role in member.claimable_roles]
                if not mine:
                    continue
                yield _crew_due(
                    "crew/emails/nudges/unfilled_role",
                    brief,
                    crew_member_id=member.id,
                    name=member.name,
                    email=member.email,
                    due_at=due_at,
                    expires_at=expires_at,
                    context=partial(_unfilled_context, brief, member.name, mine, audience=CREW),
                )
        if CAPTAIN in audience:
            for seat in _aboard(seats):
                if seat.role == CrewRole.CAPTAIN:
                    yield _crew_due(
                        "crew/emails/nudges/unfilled_role",
                        brief,
                        crew_member_id=seat.holder_id,
                        name=seat.name,
                        email=seat.email,
                        due_at=due_at,
                        expires_at=expires_at,
                        context=partial(
                            _unfilled_context, brief, seat.name, [s.label for s in open_seats], audience=CAPTAIN
                        ),
                    )
        if OWNERS in audience:
            admin_url = f"{settings.SITE_URL}{reverse('admin:events_event_change', args=[event.pk])}"
            labels = [s.label for s in open_seats]
            yield from owner_dues(
                event,
                owners,
                due_at=due_at,
                expires_at=expires_at,
                template="crew/emails/nudges/unfilled_role",
                context_for=lambda name, brief=brief, labels=labels, admin_url=admin_url: partial(
                    _unfilled_context, brief, name, labels, audience=OWNERS, admin_url=admin_url
                ),
            )


# --- Unacknowledged designations ---------------------------------------------------------


def _unacknowledged_context(brief: Brief, seat: Seat, *, link_url: str) -> dict[str, Any]:
    return {**brief.facts, "name": seat.name, "role": seat.label, "link_url": link_url}


@nudge_rule(UNACKNOWLEDGED)
def unacknowledged(scope: Scope) -> Iterator[Due]:
    hours = sorted(set(settings.NUDGE_UNACKNOWLEDGED_HOURS), reverse=True)
    if not hours:
        return
    ends = [timedelta(hours=h) for h in hours[1:]] + [LAST_USEFUL_BEFORE_DEPARTURE]
    steps = [(timedelta(hours=h), end) for h, end in zip(hours, ends, strict=True)]
    now = scope.now
    events = scope.narrow(
        Event.objects.filter(departure_at__gt=now, departure_at__lte=now + steps[0][0], status__in=UPCOMING)
    )
    for by_id in _batches(events):
        seats = seats_of(by_id, designations=True)
        for event_id, event in by_id.items():
            waiting = [s for s in _aboard(seats.get(event_id, [])) if s.acknowledged_at is None]
            if not waiting:
                continue
            brief = Brief(event, seats[event_id])
            for seat in waiting:
                for before, until in steps:
                    due_at = event.departure_at - before
                    # Designated after the moment: their invitation has just gone out.
                    designated = seat.designated_at or event.created_at
                    if due_at > now or designated >= due_at:
                        continue
                    yield _crew_due(
                        "crew/emails/nudges/unacknowledged",
                        brief,
                        crew_member_id=seat.holder_id,
                        name=seat.name,
                        email=seat.email,
                        due_at=due_at,
                        expires_at=event.departure_at - until,
                        context=partial(_unacknowledged_context, brief, seat),
                    )
