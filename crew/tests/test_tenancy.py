"""Tenancy across the models that use it: events, their children, and owners' permissions."""

import pytest
from django.http import Http404

from charterops.tenancy import get_for_org_or_404, organizations_owned_by
from crew.models import RoleSlot
from crew.tests.factories import make_event
from events.models import Event, EventTransition
from events.services import event_transition


def test_for_org_returns_only_that_brands_rows(org, other_org):
    mine, theirs = make_event(org), make_event(other_org)
    assert list(Event.objects.for_org(org)) == [mine]
    assert list(Event.objects.for_org(other_org)) == [theirs]


def test_children_of_an_event_are_scoped_through_it(org, other_org):
    mine, theirs = make_event(org), make_event(other_org)
    event_transition(event=theirs, to_status="confirmed")
    assert set(RoleSlot.objects.for_org(org).values_list("event", flat=True)) == {mine.pk}
    assert not EventTransition.objects.for_org(org).exists()
    assert EventTransition.objects.for_org(other_org).count() == 1


def test_another_brands_object_is_a_404_not_a_403(org, other_org):
    theirs = make_event(other_org)
    with pytest.raises(Http404):
        get_for_org_or_404(Event.objects.all(), org, public_id=theirs.public_id)
    assert get_for_org_or_404(Event.objects.all(), other_org, public_id=theirs.public_id) == theirs


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "", "1' OR '1'='1", None])
def test_malformed_ids_are_a_404_not_a_500(org, bad_id):
    with pytest.raises(Http404):
        get_for_org_or_404(Event.objects.all(), org, public_id=bad_id)


def test_owners_own_their_brands_and_crew_own_none(owner, other_owner, captain, org, other_org):
    assert list(organizations_owned_by(owner)) == [org]
    assert list(organizations_owned_by(other_owner)) == [other_org]
    assert not organizations_owned_by(captain.user).exists()


def test_owner_permissions_stop_at_their_brand(owner, org, other_org):
    mine, theirs = make_event(org), make_event(other_org)
    assert owner.has_perm("events.change_event", mine)
    assert not owner.has_perm("events.change_event", theirs)
    assert owner.has_module_perms("events")
    assert not owner.has_perm("auth.change_user")
