"""The crew pages run the same number of queries for a small event as for a big one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crew import services
from crew.models import CrewRole, RoleSlot
from crew.tests.factories import make_crew_member, make_event
from crew.tests.scenarios import seat, sized_event


@pytest.fixture
def small(org):
    return sized_event(org, crew=1, items=5, guests=0)


@pytest.fixture
def large(org):
    return sized_event(org, crew=20, items=200, guests=50)


def captain_of(event):
    return RoleSlot.objects.select_related("holder").get(event=event, role=CrewRole.CAPTAIN).holder


def deckhand_of(event):
    return RoleSlot.objects.select_related("holder").filter(event=event, role=CrewRole.DECKHAND).first().holder


def test_large_event_really_is_large(large):
    assert RoleSlot.objects.filter(event=large, holder__isnull=False).count() == 20
    assert large.checklist_items.count() == 200
    assert large.guests.count() == 50


# the principal, the event with its roster, its checklist, the crew to assign, and the
# check-in panel (safety): its float plan and the boarding list (the roster comes with the page)
EVENT_PAGE_AS_CAPTAIN = 6


def test_event_page_queries_are_the_same_for_1_crew_and_5_items_as_for_20_crew_200_items_50_guests(
    crew_login, small, large, django_assert_num_queries
):
    small_client, large_client = crew_login(captain_of(small)), crew_login(captain_of(large))
    with django_assert_num_queries(EVENT_PAGE_AS_CAPTAIN):
        assert small_client.get(f"/crew/events/{small.public_id}/").status_code == 200
    with django_assert_num_queries(EVENT_PAGE_AS_CAPTAIN):
        response = large_client.get(f"/crew/events/{large.public_id}/")
    assert response.status_code == 200
    assert response.content.decode().count('class="check-item') == 200


def test_event_page_as_a_deckhand_and_as_the_owner_is_constant_too(
    crew_login, org, small, large, owner, django_assert_num_queries
):
    # A deckhand assigns nobody, so the crew to choose from is not loaded: one query fewer.
    small_deckhand = seat(small, make_crew_member(org, "Casey"))
    clients = [(crew_login(small_deckhand.holder), small), (crew_login(deckhand_of(large)), large)]
    for client, event in clients:
        with django_assert_num_queries(EVENT_PAGE_AS_CAPTAIN - 1):
            assert client.get(f"/crew/events/{event.public_id}/").status_code == 200
    owner_client = crew_login(owner)
    for event in (small, large):
        with django_assert_num_queries(EVENT_PAGE_AS_CAPTAIN):
            assert owner_client.get(f"/crew/events/{event.public_id}/").status_code == 200


# the principal, my events, open slots
CREW_HOME = 3


def test_crew_home_queries_are_the_same_for_1_and_20_events(crew_login, org, django_assert_num_queries):
    first = sized_event(org, crew=1, items=5, guests=0)
    member = captain_of(first)
    services.calendar_token_get_or_create(crew_member=member)  # made once, on the first visit
    client = crew_login(member)
    with django_assert_num_queries(CREW_HOME):
        assert client.get("/crew/").status_code == 200

    for n in range(19):
        event = make_event(org, departure_at=timezone.now() + timedelta(days=n + 3), deckhand_slots=20)
        RoleSlot.objects.filter(event=event, role=CrewRole.CAPTAIN).update(holder=member)
        make_event(org, departure_at=timezone.now() + timedelta(days=n + 3), deckhand_slots=20)
    with django_assert_num_queries(CREW_HOME):
        response = client.get("/crew/")
    assert response.content.decode().count('class="card card-link"') == 20


# the principal, the event with its roster: nothing else is shown to crew not on the event
EVENT_PAGE_NOT_ON_THE_EVENT = 2


def test_event_page_for_crew_not_on_the_event_is_constant_too(crew_login, org, small, large, django_assert_num_queries):
    client = crew_login(make_crew_member(org, "Nemo"))
    for event in (small, large):
        with django_assert_num_queries(EVENT_PAGE_NOT_ON_THE_EVENT):
            assert client.get(f"/crew/events/{event.public_id}/").status_code == 200
