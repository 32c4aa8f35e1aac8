"""The event page of the back office assigns crew through the same services as crew pages."""

import pytest
from django.urls import reverse

from crew.models import CrewRole, RoleClaim, RoleSlot
from crew.tests.factories import make_crew_member, make_event
from events.tests.test_admin import empty_inline_management_forms


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def change_event(owner_client, event, holders: dict[tuple[str, int], object], **extra):
    slots = list(event.role_slots.order_by("pk"))
    data = {
        "name": event.name,
        "slug": event.slug,
        "event_type": event.event_type,
        "departure_at_0": event.departure_at.strftime("%Y-%m-%d"),
        "departure_at_1": event.departure_at.strftime("%H:%M:%S"),
        "return_at_0": event.return_at.strftime("%Y-%m-%d"),
        "return_at_1": event.return_at.strftime("%H:%M:%S"),
        "source": "direct",
        "guest_count": "0",
        "notes": "",
        **empty_inline_management_forms(slots=slots),
        **extra,
    }
    for i, slot in enumerate(slots):
        member = holders.get((slot.role, slot.position), slot.holder)
        data[f"role_slots-{i}-holder"] = str(member.pk) if member else ""
    return owner_client.post(reverse("admin:events_event_change", args=[event.pk]), data, follow=True)


def test_assigning_a_holder_in_the_admin_is_a_recorded_designation(owner_client, org, owner, deckhand):
    event = make_event(org)
    response = change_event(owner_client, event, {(CrewRole.DECKHAND, 1): deckhand})
    assert response.status_code == 200
    slot = RoleSlot.objects.get(event=event, role=CrewRole.DECKHAND, position=1)
    assert slot.holder == deckhand
    claim = RoleClaim.objects.get(slot=slot)
    assert (claim.action, claim.by) == (RoleClaim.Action.DESIGNATE, owner)


def test_choosing_another_holder_in_the_admin_replaces_and_tells_the_person_replaced(
    owner_client, org, owner, deckhand, django_capture_on_commit_callbacks
):
    from charterops.models import OutboundEmail

    event = make_event(org)
    change_event(owner_client, event, {(CrewRole.DECKHAND, 1): deckhand})
    riley = make_crew_member(org, "Riley")
    with django_capture_on_commit_callbacks(execute=True):
        response = change_event(owner_client, event, {(CrewRole.DECKHAND, 1): riley})
    assert "Confirm to replace" not in response.content.decode()
    assert RoleSlot.objects.get(event=event, role=CrewRole.DECKHAND, position=1).holder == riley
    assert [e.to for e in OutboundEmail.objects.filter(kind="role_removed")] == [[deckhand.user.email]]


def test_emptying_a_slot_in_the_admin_is_a_recorded_release(owner_client, org, owner, deckhand):
    event = make_event(org)
    change_event(owner_client, event, {(CrewRole.DECKHAND, 1): deckhand})
    change_event(owner_client, event, {(CrewRole.DECKHAND, 1): None})
    slot = RoleSlot.objects.get(event=event, role=CrewRole.DECKHAND, position=1)
    assert slot.holder is None
    assert list(RoleClaim.objects.filter(slot=slot).values_list("action", flat=True)) == ["designate", "release"]


def test_the_admin_shows_a_refusal_instead_of_bypassing_the_rules(owner_client, org, deckhand):
    event = make_event(org)
    response = change_event(owner_client, event, {(CrewRole.CAPTAIN, 1): deckhand})
    assert "does not sail as captain" in response.content.decode()
    assert RoleSlot.objects.get(event=event, role=CrewRole.CAPTAIN).holder is None


def test_a_held_slot_cannot_be_deleted_with_its_history(owner_client, org, deckhand):
    event = make_event(org)
    change_event(owner_client, event, {(CrewRole.DECKHAND, 1): deckhand})
    slots = list(event.role_slots.order_by("pk"))
    index = next(i for i, s in enumerate(slots) if (s.role, s.position) == (CrewRole.DECKHAND, 1))
    response = change_event(owner_client, event, {}, **{f"role_slots-{index}-DELETE": "on"})
    assert "before deleting the slot" in response.content.decode()
    assert RoleSlot.objects.filter(event=event, holder=deckhand).exists()


def test_a_captain_is_designated_to_the_captains_slot(owner_client, org):
    skipper = make_crew_member(org, "Morgan", captain=True)
    event = make_event(org)
    change_event(owner_client, event, {(CrewRole.CAPTAIN, 1): skipper})
    assert RoleSlot.objects.get(event=event, role=CrewRole.CAPTAIN).holder == skipper
