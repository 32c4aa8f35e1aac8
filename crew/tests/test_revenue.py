"""Crew never see money: with a sentinel revenue on the event, no crew page (crawled
from the URL resolver), no in-place answer and no crew email contains it."""

import re
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from charterops.models import OutboundEmail
from crew import services
from crew.magic_links import magic_link_create, sign_in_link_request
from crew.models import ChecklistItem, CrewRole, MagicLink
from crew.services import CrewAssignment
from crew.tests.factories import make_event
from crew.tests.scenarios import add_guests, charter_checklists, seat, slot

SENTINEL = Decimal("987654.32")
REVENUE = {
    "gross": SENTINEL,
    "captain_rate": Decimal("123.45"),
    "captain_hours": Decimal("3"),
    "crew_rate": Decimal("67.89"),
    "crew_count": 2,
    "crew_hours": Decimal("5"),
    "port_fee_pct": Decimal("18"),
}
# The sentinel and every figure derived from it, however it might be formatted.
MONEY = re.compile(r"987[,.]?654|123\.45|67\.89|177\s*,?\s*777|370[.,]35|678[.,]9|gross|revenue", re.IGNORECASE)


def assert_no_money(where: str, content: str) -> None:
    found = MONEY.search(content)
    assert found is None, f"{where} shows {found.group(0)!r}"


def get_routes() -> list[tuple[str, str]]:
    found = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace == "crew":
                found.append((pattern.name, prefix + str(pattern.pattern)))

    walk(get_resolver().url_patterns, "", None)
    return found


@pytest.fixture
def event(org, captain, deckhand, owner):
    charter_checklists(org)
    event = make_event(org, name="Harbor charter", revenue=REVENUE, notes="Meet at the dock gate.")
    add_guests(event, 3)
    seat(event, captain, CrewRole.CAPTAIN)
    seat(event, deckhand)
    return event


def url_for(route: str, event, *, code: str, token: str) -> str:
    return "/" + (
        route.replace("<uuid:public_id>", str(event.public_id))
        .replace("<slug:role>", "deckhand")
        .replace("<int:position>", "1")
        .replace("<str:code>", code)
        .replace("<slug:token>", token)
        .replace("<slug:slug>", event.organization.slug)
        .replace("<int:size>", "192")
    )


def test_no_crew_page_shows_revenue_to_anyone_who_may_open_it(crew_login, client, event, org, captain, deckhand, owner):
    from crew.tests.factories import make_crew_member

    bystander = make_crew_member(org, "Riley")  # same brand, not on the event
    token = services.calendar_token_get_or_create(crew_member=deckhand)
    _, code = magic_link_create(
        crew_member=deckhand, deep_link=f"/crew/events/{event.public_id}/", purpose=MagicLink.Purpose.EVENT_INVITE
    )
    visitors = {"anonymous": client, "deckhand": crew_login(deckhand), "captain": crew_login(captain)}
    visitors |= {"owner": crew_login(owner), "bystander": crew_login(bystander)}
    crawled = 0
    for name, route in get_routes():
        url = url_for(route, event, code=code, token=token)
        for who, visitor in visitors.items():
            response = visitor.get(url)
            assert response.status_code < 500, f"GET crew:{name} as {who}"
            if not response["Content-Type"].startswith("image/png") and response["Content-Type"] != "image/x-icon":
                assert_no_money(f"GET crew:{name} as {who}", response.content.decode())
            crawled += response.status_code == 200
    assert crawled >= 12


def test_in_place_answers_never_show_revenue(crew_login, event, org, captain, deckhand, owner):
    item = ChecklistItem.objects.filter(event=event).first()
    client = crew_login(deckhand)
    answers = [
        client.post(
            f"/crew/events/{event.public_id}/checklist",
            {"item": item.pk, "state": "complete", "version": 1},
            HTTP_HX_REQUEST="true",
        ),
        client.post(f"/crew/events/{event.public_id}/roles/deckhand/1/release", HTTP_HX_REQUEST="true"),
        client.post(f"/crew/events/{event.public_id}/roles/deckhand/1/claim", HTTP_HX_REQUEST="true"),
        crew_login(captain).post(
            f"/crew/events/{event.public_id}/roles/designate",
            {"slot": "first_mate:1", "crew_member": owner.pk},
            HTTP_HX_REQUEST="true",
        ),
    ]
    for response in answers:
        assert_no_money(f"{response.request['PATH_INFO']} → {response.status_code}", response.content.decode())


def test_no_crew_email_shows_revenue(org, owner, captain, deckhand, django_capture_on_commit_callbacks):
    from crew.tests.factories import make_crew_member
    from events.services import event_transition

    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(org, by=owner, revenue=REVENUE, crew=[CrewAssignment("captain", captain)])
        services.role_claim(slot=slot(event), crew_member=deckhand)
    # Each change in its own transaction, as on the pages: its email is about it alone.
    for change in (
        lambda: services.role_release(slot=slot(event), by=deckhand.user),  # the captain is told
        lambda: services.role_claim(slot=slot(event), crew_member=deckhand),
        lambda: services.role_designate(slot=slot(event), crew_member=make_crew_member(org), by=owner, replace=True),
        lambda: event_transition(event=event, to_status="cancelled", by=owner),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            change()
    sign_in_link_request(email=deckhand.user.email, next_path=f"/crew/events/{event.public_id}/", ip="192.0.2.1")

    kinds = set(OutboundEmail.objects.values_list("kind", flat=True))
    assert {
        "crew_invite",
        "role_confirmation",
        "crew_sign_in",
        "role_released",
        "role_removed",
        "event_cancelled",
    } <= kinds
    for email in OutboundEmail.objects.all():
        for part in (email.subject, email.body_text, email.body_html):
            assert_no_money(f"{email.kind} email", part)


def test_no_crew_nudge_shows_revenue(org, owner, captain, deckhand, django_capture_on_commit_callbacks):
    """Every crew nudge kind, each swept at its moment on a charter with revenue: no money."""
    from datetime import UTC, datetime, timedelta

    from crew.tests.factories import make_crew_member
    from events.models import EventStatus
    from events.nudges import nudges_sweep
    from events.tests.nudging import la

    org.quiet_hours_start = org.quiet_hours_end
    org.save()
    charter_checklists(org)
    departure = la(2027, 6, 5, 10, 0)
    event = make_event(org, by=owner, revenue=REVENUE, departure_at=departure, name="Harbor charter")
    seat(event, captain, CrewRole.CAPTAIN)
    services.role_designate(slot=slot(event), crew_member=deckhand, by=owner)  # not acknowledged
    make_crew_member(org, "Free")  # asked to fill the open slots
    add_guests(event, 2)
    moments = [
        departure - timedelta(hours=48),  # open slots, unacknowledged
        departure - timedelta(hours=12),  # open slots: the owners
        datetime(2027, 6, 5, 12, 0, tzinfo=UTC),  # the digest
        departure - timedelta(minutes=30),  # T-30, overdue items
    ]
    for moment in moments:
        with django_capture_on_commit_callbacks(execute=True):
            nudges_sweep(now=moment)
    type(event).objects.filter(pk=event.pk).update(status=EventStatus.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        nudges_sweep(now=event.return_at - timedelta(minutes=30))

    kinds = set(OutboundEmail.objects.values_list("kind", flat=True))
    assert {
        "crew_digest",
        "crew_pre_departure",
        "crew_pre_departure_captain",
        "crew_post_return",
        "crew_checklist_overdue",
        "crew_unfilled_role",
        "crew_unacknowledged",
    } <= kinds
    for email in OutboundEmail.objects.filter(kind__startswith="crew_"):
        for part in (email.subject, email.body_text, email.body_html):
            assert_no_money(f"{email.kind} email", part)
