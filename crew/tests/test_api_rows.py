"""The event API builds its rows itself (crew/api/events.py): they must be exactly what the
declared serializers would make, revenue included only where the gate lets it in."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count, Q
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient
from rest_framework.utils.encoders import JSONEncoder

from crew.api.events import EventListOut, iso
from crew.models import ChecklistItem, ChecklistPhase, RoleSlot
from crew.tests.factories import make_event
from events.models import Event
from events.tests.factories import make_vessel

SENTINEL = Decimal("987654.32")


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Asia/Kolkata"])
@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 7, 4, 2, 30, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, 59, 123456, tzinfo=UTC),
        "2026-07-04 02:30:00+00",  # PostgreSQL's text of a timestamptz
        "2026-07-04 02:30:00",  # SQLite's (naive UTC)
    ],
)
def test_times_are_written_as_drfs_datetime_field_writes_them(zone, moment):
    tz = ZoneInfo(zone)
    as_datetime = datetime.fromisoformat(moment).replace(tzinfo=UTC) if isinstance(moment, str) else moment
    with timezone.override(tz):
        expected = serializers.DateTimeField().to_representation(as_datetime)
    assert iso(moment, tz) == expected
    assert iso(None, tz) is None


def declared(event_id: int, user, crew_member=None) -> dict:
    """What EventListOut makes of the event for `user`, as JSON (the reference shape)."""
    event = (
        Event.objects.select_related("vessel", "revenue")
        .annotate(open_slots=Count("role_slots", filter=Q(role_slots__holder__isnull=True)))
        .get(pk=event_id)
    )
    mine = RoleSlot.objects.filter(event=event, holder=crew_member) if crew_member else RoleSlot.objects.none()
    event.my_role = mine.values_list("role", flat=True).first()
    data = EventListOut(event, context={"request": SimpleNamespace(user=user)}).data
    return json.loads(json.dumps(data, cls=JSONEncoder))


@pytest.fixture
def charter(org, deckhand):
    event = make_event(org, vessel=make_vessel(org, name="Queen"), revenue={"gross": SENTINEL}, location="Dock B")
    slot = RoleSlot.objects.filter(event=event, role="deckhand").order_by("position").first()
    slot.holder = deckhand
    slot.save()
    return event


def test_crew_list_row_is_the_declared_shape_without_revenue(api_login, charter, deckhand):
    row = api_login(deckhand).get("/api/events/").json()["results"][0]

    assert "revenue" not in row
    assert row == declared(charter.pk, deckhand.user, deckhand)
    assert row["my_role"] == "deckhand"


def test_owner_list_row_has_revenue_where_the_serializer_declares_it(org, owner, charter):
    client = APIClient()
    client.force_login(owner)
    client.get("/api/events/")  # the session's first request stores the brand's time zone

    row = client.get("/api/events/").json()["results"][0]

    with timezone.override(org.tz):
        reference = declared(charter.pk, owner)
    assert row == reference
    assert list(row) == list(reference)  # the same key order: revenue after guest_count
    assert row["revenue"]["gross"] == "987654.32"
    assert row["departure_at"] == timezone.localtime(charter.departure_at, org.tz).isoformat()


def test_detail_event_fields_are_the_declared_shape(api_login, org, charter, deckhand, owner):
    for who, user, member in ((deckhand, deckhand.user, deckhand), (owner, owner, None)):
        body = api_login(who).get(f"/api/events/{charter.public_id}/").json()
        reference = declared(charter.pk, user, member)
        assert {key: body[key] for key in reference} == reference
        assert ("revenue" in body) is (who is owner)


def test_detail_roster_is_in_role_order_and_checklist_pre_departure_first(api_login, charter, deckhand):
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(event=charter, phase=ChecklistPhase.POST_RETURN, text="Hose down", position=1),
            ChecklistItem(event=charter, phase=ChecklistPhase.PRE_DEPARTURE, text="Life jackets", position=2),
            ChecklistItem(event=charter, phase=ChecklistPhase.PRE_DEPARTURE, text="Fuel", position=1),
        ]
    )
    body = api_login(deckhand).get(f"/api/events/{charter.public_id}/").json()

    roles = [slot["role"] for slot in body["roster"]]
    assert roles == sorted(roles, key=["captain", "first_mate", "deckhand"].index)
    assert [item["text"] for item in body["checklist"]] == ["Fuel", "Life jackets", "Hose down"]
    assert {"holder": "Casey", "acknowledged": False}.items() <= body["roster"][roles.index("deckhand")].items()


def test_a_page_past_the_last_is_404_and_the_links_say_where_to_go(api_login, org, deckhand):
    for _ in range(3):
        make_event(org)
    client = api_login(deckhand)

    second = client.get("/api/events/?page_size=2&page=2").json()
    assert (second["count"], len(second["results"]), second["next"]) == (3, 1, None)
    assert second["previous"].endswith("/api/events/?page_size=2")

    beyond = client.get("/api/events/?page=3&page_size=2")
    assert (beyond.status_code, beyond.json()["error"]) == (404, "not_found")
    # A page no database could offset to is past the last one too, not a 500.
    assert client.get(f"/api/events/?page={10**20}").status_code == 404
    assert client.get("/api/events/?status=completed").json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }
