"""GET /api/events/<uuid>/guests/: names and waiver status for crew, contact details for owners."""

import pytest

from crew.models import RoleSlot
from crew.tests.factories import make_event
from guests.models import Guest


@pytest.fixture
def event(org):
    return make_event(org)


def add_guests(event, n):
    Guest.objects.bulk_create(
        [
            Guest(
                organization=event.organization,
                event=event,
                name=f"Guest {i:02}",
                email=f"g{i}@example.com",
                phone="+1619555",
            )
            for i in range(n)
        ]
    )


def url(event):
    return f"/api/events/{event.public_id}/guests/"


def test_crew_on_the_event_see_names_and_waiver_status_only(api_login, event, deckhand):
    RoleSlot.objects.filter(event=event, role="deckhand", position=1).update(holder=deckhand)
    add_guests(event, 2)

    rows = api_login(deckhand).get(url(event)).json()

    assert [row["name"] for row in rows] == ["Guest 00", "Guest 01"]
    assert all(set(row) == {"name", "is_minor", "waiver_status", "on_hold"} for row in rows)
    assert "@example.com" not in str(rows)


def test_owner_also_sees_contact_details(api_login, event, owner):
    add_guests(event, 1)
    rows = api_login(owner).get(url(event)).json()
    assert rows[0]["email"] == "g0@example.com"


def test_crew_not_on_the_event_get_403_and_outsiders_404(api_login, event, deckhand, outsider):
    add_guests(event, 1)
    assert api_login(deckhand).get(url(event)).status_code == 403
    assert api_login(outsider).get(url(event)).status_code == 404


def test_query_count_is_the_same_for_1_and_50_guests(api_login, org, deckhand, django_assert_num_queries):
    small, big = make_event(org), make_event(org)
    for event in (small, big):
        RoleSlot.objects.filter(event=event, role="deckhand", position=1).update(holder=deckhand)
    add_guests(small, 1)
    add_guests(big, 50)
    client = api_login(deckhand)
    # the token's principal (one query), event, guests
    with django_assert_num_queries(3) as one:
        client.get(url(small))
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(url(big)).json()) == 50
