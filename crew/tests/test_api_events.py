"""The crew API's events as an owner sees them (session or JWT) — writes, filters, scoping."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from crew.tests.factories import make_event
from events.models import Event, EventStatus, Revenue
from events.services import event_transition
from events.tests.factories import make_vessel

SENTINEL = Decimal("987654.32")


@pytest.fixture
def owner_api(owner):
    client = APIClient()
    client.force_login(owner)
    return client


def test_owner_lists_only_their_brands_events_with_revenue(owner_api, org, other_org):
    mine = make_event(org, revenue={"gross": SENTINEL})
    make_event(other_org, revenue={"gross": SENTINEL})

    body = owner_api.get("/api/events/").json()

    assert [row["id"] for row in body["results"]] == [str(mine.public_id)]
    assert body["results"][0]["revenue"]["gross"] == "987654.32"


def test_list_filters_by_status_dates_and_vessel(owner_api, org):
    boat = make_vessel(org, name="Queen")
    start = timezone.now() + timedelta(days=2)
    on_boat = make_event(org, vessel=boat, departure_at=start)
    confirmed = make_event(org, departure_at=start + timedelta(days=5))
    event_transition(event=confirmed, to_status=EventStatus.CONFIRMED)

    def ids(query: str) -> list[str]:
        return [row["id"] for row in owner_api.get(f"/api/events/?{query}").json()["results"]]

    assert ids("status=confirmed") == [str(confirmed.public_id)]
    assert ids("vessel=queen") == [str(on_boat.public_id)]
    later = (start + timedelta(days=3)).date().isoformat()
    assert ids(f"departure_from={later}") == [str(confirmed.public_id)]
    assert ids(f"departure_to={later}") == [str(on_boat.public_id)]


@pytest.mark.parametrize("query", ["status=sunk", "departure_from=yesterday", "departure_to=2024-13-45", "page=abc"])
def test_bad_filters_are_400_or_404_not_500(owner_api, org, query):
    make_event(org)
    response = owner_api.get(f"/api/events/?{query}")
    assert response.status_code in {400, 404}
    assert response.json()["error"] in {"invalid", "not_found"}


def test_list_is_paginated_by_20(owner_api, org):
    for _ in range(23):
        make_event(org)
    first = owner_api.get("/api/events/").json()
    assert (first["count"], len(first["results"])) == (23, 20)
    assert len(owner_api.get(first["next"]).json()["results"]) == 3


def test_list_query_count_is_the_same_for_1_and_100_events(owner_api, org, django_assert_num_queries):
    make_event(org, revenue={"gross": SENTINEL}, vessel=make_vessel(org))
    owner_api.get("/api/events/")  # the first request of a session stores its time zone
    # session, user, owned brands, count, page, and the brands the user owns (permissions)
    with django_assert_num_queries(6) as one:
        owner_api.get("/api/events/?page_size=100")
    for _ in range(99):
        make_event(org, revenue={"gross": SENTINEL}, vessel=make_vessel(org))
    with django_assert_num_queries(len(one.captured_queries)):
        body = owner_api.get("/api/events/?page_size=100").json()
    assert len(body["results"]) == 100


def test_owner_creates_an_event_with_revenue(owner_api, org):
    start = timezone.now() + timedelta(days=3)
    response = owner_api.post(
        "/api/events/",
        {
            "name": "Harbor charter",
            "departure_at": start.isoformat(),
            "return_at": (start + timedelta(hours=3)).isoformat(),
            "notes": "Dock 5",
            "revenue": {"gross": "840.78", "port_fee_pct": "18"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    event = Event.objects.get(public_id=response.json()["id"])
    assert event.organization == org
    assert event.revenue.port_fees == Decimal("151.34")
    assert response.json()["revenue"]["port_fees"] == "151.34"
    assert len(response.json()["roster"]) == 4


def test_owner_of_several_brands_must_say_which(owner_api, owner, other_org):
    from charterops.models import Membership

    Membership.objects.create(user=owner, organization=other_org, role=Membership.Role.OWNER)
    start = timezone.now() + timedelta(days=3)
    payload = {"name": "X", "departure_at": start.isoformat(), "return_at": (start + timedelta(hours=2)).isoformat()}
    response = owner_api.post("/api/events/", payload, format="json")
    assert response.status_code == 400
    assert "organization" in response.json()["fields"]
    assert owner_api.post("/api/events/", {**payload, "organization": "jada"}, format="json").status_code == 201


def test_owner_patches_details_and_revenue_in_one_go(owner_api, org):
    event = make_event(org, revenue={"gross": Decimal("100")})
    response = owner_api.patch(
        f"/api/events/{event.public_id}/", {"location": "Dock 7", "revenue": {"gross": "200.00"}}, format="json"
    )
    assert response.status_code == 200, response.json()
    event.refresh_from_db()
    assert event.location == "Dock 7"
    assert Revenue.objects.get(event=event).gross == Decimal("200.00")


def test_status_and_brand_cannot_be_patched(owner_api, org, other_org):
    event = make_event(org)
    response = owner_api.patch(
        f"/api/events/{event.public_id}/", {"status": "completed", "organization": "jada"}, format="json"
    )
    assert response.status_code == 200
    event.refresh_from_db()
    assert (event.status, event.organization) == (EventStatus.PENDING_CONFIRMATION, org)


def test_money_in_notes_is_refused_through_the_api(owner_api, org):
    event = make_event(org, notes="Dock 5")
    response = owner_api.patch(f"/api/events/{event.public_id}/", {"notes": "Cash $200"}, format="json")
    assert response.status_code == 400
    assert "Money belongs in Revenue" in response.json()["fields"]["notes"][0]
    event.refresh_from_db()
    assert event.notes == "Dock 5"


def test_another_brands_event_is_404_for_reads_and_writes(owner_api, other_org):
    theirs = make_event(other_org)
    url = f"/api/events/{theirs.public_id}/"
    assert owner_api.get(url).status_code == 404
    assert owner_api.patch(url, {"name": "Mine now"}, format="json").status_code == 404
    theirs.refresh_from_db()
    assert theirs.name != "Mine now"


def test_unauthenticated_requests_are_401_with_the_error_shape(org):
    response = APIClient().get("/api/events/")
    assert response.status_code in {401, 403}
    assert set(response.json()) == {"error", "detail"}


# --- As crew, with a bearer token -------------------------------------------------------


def hold(event, crew_member, role="deckhand"):
    from crew.models import RoleSlot

    slot = RoleSlot.objects.filter(event=event, role=role, holder__isnull=True).order_by("position").first()
    slot.holder = crew_member
    slot.save()
    return slot


def test_deckhand_lists_their_events_and_open_slots_of_their_brand_only(api_login, org, other_org, deckhand):
    mine = make_event(org, revenue={"gross": SENTINEL})
    hold(mine, deckhand)
    open_one = make_event(org)
    past = make_event(org, departure_at=timezone.now() - timedelta(days=3))
    make_event(other_org)

    body = api_login(deckhand).get("/api/events/").json()

    ids = [row["id"] for row in body["results"]]
    assert ids == [str(mine.public_id), str(open_one.public_id)]
    assert str(past.public_id) not in ids
    assert body["results"][0]["my_role"] == "deckhand"
    assert body["results"][1]["my_role"] is None
    assert all("revenue" not in row for row in body["results"])
    assert "987654" not in str(body)


def test_deckhand_not_on_an_event_sees_its_summary_and_open_slots_only(api_login, org, captain, deckhand):
    event = make_event(org)
    hold(event, captain, role="captain")

    body = api_login(deckhand).get(f"/api/events/{event.public_id}/").json()

    assert body["checklist"] == []
    assert all(slot["holder"] is None for slot in body["roster"])
    assert "captain" not in [slot["role"] for slot in body["roster"]]


def test_deckhand_on_an_event_sees_roster_and_checklist_but_never_revenue(api_login, org, captain, deckhand):
    event = make_event(org, revenue={"gross": SENTINEL})
    hold(event, captain, role="captain")
    hold(event, deckhand)

    body = api_login(deckhand).get(f"/api/events/{event.public_id}/").json()

    assert "revenue" not in body
    assert "987654" not in str(body)
    assert {slot["holder"] for slot in body["roster"]} >= {"Dana", "Casey"}


@pytest.mark.parametrize(
    "payload",
    [
        {"revenue": {"gross": "1.00"}},
        {"name": "Renamed by crew"},
        {"status": "completed"},
        {"organization": "jada"},
        {"notes": "crew note"},
    ],
)
def test_crew_cannot_write_events(api_login, org, captain, payload):
    event = make_event(org, revenue={"gross": SENTINEL}, notes="Dock 5")
    hold(event, captain, role="captain")
    before = Event.objects.values().get(pk=event.pk)

    response = api_login(captain).patch(f"/api/events/{event.public_id}/", payload, format="json")

    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert Event.objects.values().get(pk=event.pk) == before
    assert Revenue.objects.get(event=event).gross == SENTINEL


def test_crew_cannot_create_events(api_login, deckhand):
    start = timezone.now() + timedelta(days=1)
    response = api_login(deckhand).post(
        "/api/events/",
        {"name": "Mine", "departure_at": start.isoformat(), "return_at": (start + timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 403
    assert not Event.objects.exists()


def test_outsider_gets_404_on_our_event(api_login, org, outsider):
    event = make_event(org)
    client = api_login(outsider)
    assert client.get(f"/api/events/{event.public_id}/").status_code == 404
    assert str(event.public_id) not in str(client.get("/api/events/").json())


def test_owner_with_a_token_sees_revenue(api_login, owner, org):
    event = make_event(org, revenue={"gross": SENTINEL})
    body = api_login(owner).get(f"/api/events/{event.public_id}/").json()
    assert body["revenue"]["gross"] == "987654.32"


def test_detail_query_count_is_the_same_for_1_and_50_crew(api_login, org, deckhand, django_assert_num_queries):
    from crew.models import ChecklistItem, RoleSlot
    from crew.tests.factories import make_crew_member

    small = make_event(org)
    hold(small, deckhand)
    client = api_login(deckhand)
    # the token's principal (membership, crew member, user, brand in one), event with its
    # roster, checklist
    with django_assert_num_queries(3) as one:
        client.get(f"/api/events/{small.public_id}/")

    big = make_event(org)
    hold(big, deckhand)
    crew = [make_crew_member(org, f"Hand{i}") for i in range(49)]
    RoleSlot.objects.bulk_create(
        [RoleSlot(event=big, role="deckhand", position=10 + i, holder=member) for i, member in enumerate(crew)]
    )
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(event=big, phase="pre_departure", text=f"Item {i}", responsible_role="deckhand")
            for i in range(40)
        ]
    )
    with django_assert_num_queries(len(one.captured_queries)):
        body = client.get(f"/api/events/{big.public_id}/").json()
    assert len([slot for slot in body["roster"] if slot["holder"]]) == 50


def test_an_owner_signed_in_as_crew_of_another_brand_sees_no_revenue_there(api_login, owner, other_org):
    from charterops.models import Membership
    from crew.tests.factories import make_crew_member

    theirs = make_event(other_org, revenue={"gross": SENTINEL})
    crew_profile = make_crew_member(other_org, "Olivia")
    Membership.objects.filter(organization=other_org, user=crew_profile.user).delete()
    crew_profile.user = owner
    crew_profile.save()
    Membership.objects.create(user=owner, organization=other_org, role=Membership.Role.CREW)
    hold(theirs, crew_profile)

    body = api_login(crew_profile).get(f"/api/events/{theirs.public_id}/").json()

    assert "revenue" not in body
    assert "987654" not in str(body)


def test_crew_see_no_revenue_field_in_options_or_the_browsable_api(api_login, org, deckhand):
    event = make_event(org, revenue={"gross": SENTINEL})
    hold(event, deckhand)
    client = api_login(deckhand)
    for url in ("/api/events/", f"/api/events/{event.public_id}/"):
        options = client.options(url)
        browsable = client.get(url, HTTP_ACCEPT="text/html")
        assert options.status_code == 200
        assert browsable.status_code == 200
        for response in (options, browsable):
            body = response.content.decode()
            assert "revenue" not in body
            assert "987654" not in body


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "2300-01-01T10:00:00Z"])
def test_an_event_moved_to_the_edge_of_time_is_a_400_not_a_500(api_login, owner, org, moment):
    """Found by the schema fuzzing: sunset for year 9999 overflowed the datetime range."""
    event = make_event(org)
    response = api_login(owner).put(
        f"/api/events/{event.public_id}/", {"name": "Far", "departure_at": moment, "return_at": "9999-12-31T23:59:59Z"}
    )
    assert response.status_code == 400
    if moment.startswith("2300"):  # a datetime, just not one a charter sails on
        assert "between 2000 and 2199" in response.json()["detail"]


def test_an_event_created_at_the_edge_of_time_is_a_400_not_a_500(api_login, owner):
    response = api_login(owner).post(
        "/api/events/", {"name": "Far", "departure_at": "2300-01-01T10:00:00Z", "return_at": "2300-01-01T13:00:00Z"}
    )
    assert response.status_code == 400
    assert "between 2000 and 2199" in response.json()["detail"]
