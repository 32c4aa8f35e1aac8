"""What the crew page offers, what the API does and what the services permit are the same.

Every persona (owner, the event's captain, its first mate who has not acknowledged, a
deckhand on it, crew of the brand not on it, a captain of the brand not on it) meets the
same event in every lifecycle state, both before the brand's start window opens and
inside it, and every action is tried three ways: is it offered on the crew event page,
does the API do it, does the service do it. An action "is done" when it changes what it
is about (a holder, an acknowledgement, a status, an item); each attempt runs in a
savepoint that is rolled back, so they never see each other.

Starting is two actions: "start" as it is, and "start with reason" (what the early start
asks). Designating is also tried over a holder: "replace" with the replacement confirmed,
and "replace unconfirmed", which nobody may ever do.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from charterops.errors import DomainError
from crew import services
from crew.models import ChecklistItem, CrewMember, CrewRole, RoleSlot
from crew.tests.factories import make_crew_member, make_event
from crew.tests.scenarios import charter_checklists
from events.models import Event, EventStatus

SLOTS = [(CrewRole.CAPTAIN, 1), (CrewRole.FIRST_MATE, 1), (CrewRole.DECKHAND, 1), (CrewRole.DECKHAND, 2)]
PERSONAS = ["owner", "captain", "mate", "deckhand", "free_crew", "free_captain"]


class RolledBack(Exception):
    pass


@dataclass
class Cast:
    event: Event
    members: dict[str, CrewMember | None]
    users: dict[str, object]


# When the event departs, and the brand's start window: "early" is two days ahead with the
# default window; "in window" is four hours ahead with a six-hour window, so a path that
# ignored the brand's setting (and used the default) would disagree with the others.
TIMINGS = {"early": (timezone.timedelta(days=2), 2), "in window": (timezone.timedelta(hours=4), 6)}


@pytest.fixture(params=list(TIMINGS))
def timing(request) -> str:
    return request.param


@pytest.fixture
def cast(org, owner, timing) -> Cast:
    charter_checklists(org)
    departs_in, window_hours = TIMINGS[timing]
    org.start_window_hours = window_hours
    org.save(update_fields=["start_window_hours"])
    captain = make_crew_member(org, "Dana", captain=True)
    mate = make_crew_member(org, "Riley")
    deckhand = make_crew_member(org, "Jamie")
    event = make_event(org, departure_at=timezone.now() + departs_in, deckhand_slots=2)
    now = timezone.now()
    for (role, position), holder, acknowledged in [
        ((CrewRole.CAPTAIN, 1), captain, now),
        ((CrewRole.FIRST_MATE, 1), mate, None),
        ((CrewRole.DECKHAND, 2), deckhand, now),
    ]:
        RoleSlot.objects.filter(event=event, role=role, position=position).update(
            holder=holder, acknowledged_at=acknowledged
        )
    members = {
        "owner": None,
        "captain": captain,
        "mate": mate,
        "deckhand": deckhand,
        "free_crew": make_crew_member(org, "Casey"),
        "free_captain": make_crew_member(org, "Morgan", captain=True),
    }
    users = {name: (member.user if member else owner) for name, member in members.items()}
    return Cast(event=event, members=members, users=users)


def attempt(action: Callable[[], object], changed: Callable[[], bool]) -> bool:
    """Whether `action` changes what it is about; rolled back either way."""
    try:
        with transaction.atomic():
            try:
                result = action()
            except (DomainError, ValidationError):
                return False
            if hasattr(result, "status_code") and result.status_code >= 400:
                return False
            done = changed()
            raise RolledBack(done)
    except RolledBack as outcome:
        return outcome.args[0]


def slot_state(event: Event, role: str, position: int) -> tuple:
    return RoleSlot.objects.filter(event=event, role=role, position=position).values_list(
        "holder_id", "acknowledged_at"
    )[0]


def offered(html: str, event: Event) -> set[str]:
    """The actions the page offers, named like `claim deckhand 1`, `start`, `tick`."""
    base = f"/crew/events/{event.public_id}/"
    actions = set()
    for form, path in re.findall(r'(<form[^>]*action="([^"]+)"[^>]*>)', html):
        if not path.startswith(base):
            continue
        rest = path[len(base) :]
        if match := re.fullmatch(r"roles/(\w+)/(\d+)/(claim|release|acknowledge)", rest):
            role, position, verb = match.groups()
            actions.add(f"{verb} {role} {position}")
        elif rest == "roles/designate":
            actions.add("designate")
            # The form lists held slots too: choosing one asks to confirm the replacement.
            if "— now " in html:
                actions.add("replace")
        elif rest == "start":
            # As it is (a reason optional), or only with a reason before the window opens.
            actions |= {"start", "start with reason"} if 'data-start="now"' in form else {"start with reason"}
        elif rest == "confirm":
            actions.add(rest)
    if 'name="state"' in html:
        actions.add("tick")
    return actions


def service_and_api_outcomes(cast: Cast, persona: str, api) -> tuple[set[str], set[str]]:
    event, member, user = cast.event, cast.members[persona], cast.users[persona]
    by_service, by_api = set(), set()
    api_base = f"/api/events/{event.public_id}/"

    def record(name: str, service: Callable | None, call: Callable, changed: Callable[[], bool]) -> None:
        if service is not None and attempt(service, changed):
            by_service.add(name)
        if attempt(call, changed):
            by_api.add(name)

    for role, position in SLOTS:
        slot = RoleSlot.objects.get(event=event, role=role, position=position)
        before = slot_state(event, role, position)
        holder_changed = lambda r=role, p=position, b=before: slot_state(event, r, p)[0] != b[0]  # noqa: E731
        ack_changed = lambda r=role, p=position, b=before: slot_state(event, r, p)[1] != b[1]  # noqa: E731
        body = {"position": position}
        record(
            f"claim {role} {position}",
            (lambda s=slot: services.role_claim(slot=s, crew_member=member)) if member else None,
            lambda r=role, b=body: api.post(f"{api_base}roles/{r}/claim", b),
            holder_changed,
        )
        record(
            f"release {role} {position}",
            lambda s=slot: services.role_release(slot=s, by=user),
            lambda r=role, b=body: api.post(f"{api_base}roles/{r}/release", b),
            holder_changed,
        )
        record(
            f"acknowledge {role} {position}",
            (lambda s=slot: services.role_acknowledge(slot=s, crew_member=member)) if member else None,
            lambda r=role, b=body: api.post(f"{api_base}roles/{r}/acknowledge", b),
            ack_changed,
        )
    open_deckhand = RoleSlot.objects.get(event=event, role=CrewRole.DECKHAND, position=1)
    designee = cast.members["free_crew"] if persona != "free_crew" else cast.members["free_captain"]
    record(
        "designate",
        lambda: services.role_designate(slot=open_deckhand, crew_member=designee, by=user),
        lambda: api.post(f"{api_base}roles/deckhand/designate", {"email": designee.user.email, "position": 1}),
        lambda: slot_state(event, CrewRole.DECKHAND, 1)[0] == designee.pk,
    )
    held = RoleSlot.objects.get(event=event, role=CrewRole.FIRST_MATE)
    replaced = lambda: slot_state(event, CrewRole.FIRST_MATE, 1)[0] == designee.pk  # noqa: E731
    for name, replace in (("replace", True), ("replace unconfirmed", False)):
        record(
            name,
            lambda r=replace: services.role_designate(slot=held, crew_member=designee, by=user, replace=r),
            lambda r=replace: api.post(
                f"{api_base}roles/first_mate/designate", {"email": designee.user.email, "position": 1, "replace": r}
            ),
            replaced,
        )
    status_before = event.status
    status_changed = lambda: Event.objects.get(pk=event.pk).status != status_before  # noqa: E731
    record(
        "start",
        lambda: services.event_start(event=event, by=user),
        lambda: api.post(f"{api_base}start"),
        status_changed,
    )
    record(
        "start with reason",
        lambda: services.event_start(event=event, by=user, reason="Guests all aboard early"),
        lambda: api.post(f"{api_base}start", {"reason": "Guests all aboard early"}),
        status_changed,
    )
    record(
        "confirm",
        lambda: services.event_confirm(event=event, by=user),
        lambda: api.post(f"{api_base}confirm"),
        status_changed,
    )
    item = ChecklistItem.objects.filter(event=event).order_by("pk").first()
    item_changed = lambda: ChecklistItem.objects.get(pk=item.pk).version != item.version  # noqa: E731
    record(
        "tick",
        lambda: services.checklist_item_update(item=item, state="complete", seen_version=item.version, by=user),
        lambda: api.patch(f"{api_base}checklists/{item.pk}/", {"state": "complete", "version": item.version}),
        item_changed,
    )
    return by_service, by_api


@pytest.mark.parametrize("state", EventStatus.values)
@pytest.mark.parametrize("persona", PERSONAS)
def test_page_api_and_services_agree(cast, state, persona, crew_login, api_login, owner):
    Event.objects.filter(pk=cast.event.pk).update(status=state)
    cast.event.refresh_from_db()
    who = cast.members[persona] or owner
    page = crew_login(who).get(f"/crew/events/{cast.event.public_id}/")
    assert page.status_code == 200
    on_page = offered(page.content.decode(), cast.event)
    by_service, by_api = service_and_api_outcomes(cast, persona, api_login(who))
    # "designate" on the page is the form; what it can do is tried with one open slot.
    assert on_page == by_service == by_api, (on_page, by_service, by_api)
    assert "replace unconfirmed" not in by_service | by_api  # nobody is replaced silently


def test_the_walk_covers_every_kind_of_action(cast, timing, crew_login, api_login):
    """A guard on the parity test itself: between them the personas and states exercise
    every action at least once (an empty walk would agree trivially), and the start
    window really divides "start" from "start with reason"."""
    seen = set()
    for state in (EventStatus.PENDING_CONFIRMATION, EventStatus.CONFIRMED):
        Event.objects.filter(pk=cast.event.pk).update(status=state)
        cast.event.refresh_from_db()
        for persona in ("owner", "captain", "mate", "free_crew"):
            by_service, _ = service_and_api_outcomes(
                cast, persona, api_login(cast.members[persona] or cast.users[persona])
            )
            seen |= by_service
    kinds = {name.split()[0] for name in seen}
    assert kinds == {"claim", "release", "acknowledge", "designate", "replace", "start", "confirm", "tick"}
    assert "start with reason" in seen
    assert ("start" in seen) is (timing == "in window")


# --- Which events a crew member sees -----------------------------------------------------------


@pytest.mark.parametrize(("captain_qualified", "sees_it"), [(False, False), (True, True)])
def test_an_event_whose_only_open_slot_is_the_captains_is_listed_only_for_captains(
    org, crew_login, api_login, captain_qualified, sees_it
):
    """The API list once applied no captain rule while /crew/ did: a deckhand saw events
    they could join in no role. Both lists now follow one rule."""
    event = make_event(org, deckhand_slots=0)
    RoleSlot.objects.filter(event=event, role=CrewRole.FIRST_MATE).update(holder=make_crew_member(org, "Riley"))
    reader = make_crew_member(org, "Reader", captain=captain_qualified)
    listed = [row["id"] for row in api_login(reader).get("/api/events/").json()["results"]]
    home = crew_login(reader).get("/crew/").content.decode()
    page = crew_login(reader).get(f"/crew/events/{event.public_id}/").content.decode()
    assert (str(event.public_id) in listed) is sees_it
    assert (f"/crew/events/{event.public_id}/roles/captain/1/claim" in home) is sees_it
    assert (f"/crew/events/{event.public_id}/roles/captain/1/claim" in page) is sees_it
