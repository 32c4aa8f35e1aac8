"""The dashboard's charters at sea: each with its persons on board, expected return and
overdue state, from its float plan; another brand's never."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from crew.models import RoleSlot
from crew.services import event_start
from crew.tests.factories import make_crew_member, make_event
from events.models import EventStatus
from events.services import event_transition
from safety.models import FloatPlan


def _at_sea(org, name, captain):
    event = make_event(org, name=name, departure_at=timezone.now() + timedelta(minutes=30))
    RoleSlot.objects.filter(event=event, role="captain").update(holder=captain)
    event_transition(event=event, to_status=EventStatus.CONFIRMED)
    event_start(event=event, by=captain.user)
    return event


def test_every_charter_at_sea_with_pob_expected_return_and_overdue_state(owner_client, org, other_org, captain):
    _at_sea(org, "On time", captain)
    late = _at_sea(org, "Late boat", captain=make_crew_member(org, "Kai", captain=True))
    FloatPlan.objects.filter(event=late).update(no_later_than=timezone.now() - timedelta(minutes=5))
    _at_sea(other_org, "Theirs at sea", make_crew_member(other_org, "Otto", captain=True))

    response = owner_client.get(reverse("admin:index"))

    board = response.context["board"]
    assert (board.at_sea, board.overdue) == (2, 1)
    assert [row.line.event.name for row in board.at_sea_lines] == ["Late boat", "On time"]  # overdue first
    assert [row.line.persons_on_board for row in board.at_sea_lines] == [1, 1]
    text = response.text
    assert "1 OVERDUE" in text
    assert "Theirs at sea" not in text
