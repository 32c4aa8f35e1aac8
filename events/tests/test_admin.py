from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event, EventStatus, EventTransition
from events.tests.factories import make_event, make_vessel


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_owner_sees_only_their_brand_in_the_event_list(owner_client, org, other_org):
    mine = make_event(org, name="Our sunset sail")
    theirs = make_event(other_org, name="Their whale watch")

    response = owner_client.get(reverse("admin:events_event_changelist"))

    assert response.status_code == 200
    assert mine.name in response.text
    assert theirs.name not in response.text


def test_owner_gets_404_on_another_brands_event(owner_client, other_org):
    theirs = make_event(other_org)
    for view in ("change", "delete", "history"):
        response = owner_client.get(reverse(f"admin:events_event_{view}", args=[theirs.pk]))
        assert response.status_code == 404, view


def test_owner_can_open_their_event_with_revenue_and_roles(owner_client, org):
    event = make_event(org, revenue={"gross": Decimal("840.78"), "port_fee_pct": Decimal("18")})
    response = owner_client.get(reverse("admin:events_event_change", args=[event.pk]))
    assert response.status_code == 200
    assert "151.34" in response.text  # port fees, derived
    assert "Crew roles" in response.text


def test_event_list_query_count_does_not_grow_with_events(owner_client, org, django_assert_max_num_queries):
    url = reverse("admin:events_event_changelist")
    for _ in range(3):
        make_event(org, vessel=make_vessel(org))
    with django_assert_max_num_queries(20) as small:
        owner_client.get(url)
    for _ in range(30):
        make_event(org, vessel=make_vessel(org))
    with django_assert_max_num_queries(len(small.captured_queries)):
        owner_client.get(url)


def test_owner_adds_an_event_through_the_service(owner_client, org, owner):
    departure = timezone.now() + timedelta(days=3)
    response = owner_client.post(
        reverse("admin:events_event_add"),
        {
            "organization": org.pk,
            "name": "Harbor charter",
            "slug": "",
            "event_type": "charter",
            "departure_at_0": departure.strftime("%Y-%m-%d"),
            "departure_at_1": "10:00:00",
            "return_at_0": departure.strftime("%Y-%m-%d"),
            "return_at_1": "13:00:00",
            "source": "direct",
            "guest_count": "4",
            "notes": "",
            "nudges_enabled": "on",
            **empty_inline_management_forms(),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    event = Event.objects.get(name="Harbor charter")
    assert event.organization == org
    assert event.slug.startswith("harbor-charter-")
    assert event.role_slots.count() == 4  # captain, first mate, two deckhands


def test_admin_refuses_money_in_notes(owner_client, org):
    event = make_event(org)
    response = owner_client.post(
        reverse("admin:events_event_change", args=[event.pk]),
        {
            "name": event.name,
            "slug": event.slug,
            "event_type": "charter",
            "departure_at_0": event.departure_at.strftime("%Y-%m-%d"),
            "departure_at_1": event.departure_at.strftime("%H:%M:%S"),
            "return_at_0": event.return_at.strftime("%Y-%m-%d"),
            "return_at_1": event.return_at.strftime("%H:%M:%S"),
            "source": "direct",
            "guest_count": "4",
            "notes": "Collect $200 cash",
            **empty_inline_management_forms(slots=event.role_slots.all()),
        },
    )
    assert response.status_code == 200
    assert "Money belongs in Revenue, not in notes" in response.text
    event.refresh_from_db()
    assert event.notes == ""


def test_lifecycle_action_calls_the_transition_and_reports_refusals(owner_client, org, owner):
    pending = make_event(org)
    url = reverse("admin:events_event_changelist")

    owner_client.post(url, {"action": "mark_completed", "_selected_action": [pending.pk]})
    pending.refresh_from_db()
    assert pending.status == EventStatus.PENDING_CONFIRMATION

    response = owner_client.post(url, {"action": "mark_confirmed", "_selected_action": [pending.pk]}, follow=True)
    pending.refresh_from_db()
    assert pending.status == EventStatus.CONFIRMED
    assert "Confirmed 1 event(s)." in response.text
    assert EventTransition.objects.get(event=pending).by == owner


def test_crew_cannot_use_the_back_office(client, deckhand):
    client.force_login(deckhand.user)
    response = client.get(reverse("admin:events_event_changelist"))
    assert response.status_code == 302  # to the admin login: crew are not staff


def empty_inline_management_forms(slots=()) -> dict:
    data = {}
    for prefix, total in (
        ("revenue", 0),
        ("role_slots", len(slots)),
        ("guests", 0),
        ("transitions", 0),
        ("nudges", 0),
    ):
        data |= {
            f"{prefix}-TOTAL_FORMS": str(total),
            f"{prefix}-INITIAL_FORMS": str(total),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    for i, slot in enumerate(slots):
        data |= {
            f"role_slots-{i}-id": str(slot.pk),
            f"role_slots-{i}-event": str(slot.event_id),
            f"role_slots-{i}-role": slot.role,
            f"role_slots-{i}-position": str(slot.position),
            f"role_slots-{i}-holder": "",
        }
    return data
