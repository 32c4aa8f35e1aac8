"""The field-level permission mechanism: absent, not null, for those without it."""

from decimal import Decimal

import pytest
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.test import APIRequestFactory

from charterops.api import FieldPermissionsMixin
from charterops.models import Membership
from events.models import Event
from events.serializers import EventSerializer
from events.tests.factories import make_event

SENTINEL = Decimal("987654.32")


def as_user(user):
    request = APIRequestFactory().get("/")
    request.user = user
    return {"request": request}


@pytest.fixture
def event(org):
    return make_event(org, revenue={"gross": SENTINEL, "port_fee_pct": Decimal("18")})


def test_owner_sees_revenue(owner, event):
    data = EventSerializer(event, context=as_user(owner)).data
    assert data["revenue"]["gross"] == "987654.32"
    assert data["revenue"]["port_fees"] == "177777.78"


@pytest.mark.parametrize("persona", ["captain", "deckhand", "other_owner", "outsider"])
def test_crew_and_other_brands_get_no_revenue_key_at_all(request, persona, event):
    person = request.getfixturevalue(persona)
    user = getattr(person, "user", person)
    data = EventSerializer(event, context=as_user(user)).data
    assert "revenue" not in data
    assert "987654" not in str(data)


def test_a_list_checks_each_row_against_its_own_brand(org, other_org, owner, event):
    # Owner of org, and crew of other_org: revenue of other_org's events stays hidden.
    Membership.objects.create(user=owner, organization=other_org, role=Membership.Role.CREW)
    theirs = make_event(other_org, revenue={"gross": SENTINEL})
    rows = EventSerializer(Event.objects.order_by("pk"), many=True, context=as_user(owner)).data
    by_id = {row["id"]: row for row in rows}
    assert "revenue" in by_id[str(event.public_id)]
    assert "revenue" not in by_id[str(theirs.public_id)]


def test_anonymous_gets_no_revenue(event):
    from django.contrib.auth.models import AnonymousUser

    assert "revenue" not in EventSerializer(event, context=as_user(AnonymousUser())).data


class NotesWithSecret(FieldPermissionsMixin, serializers.Serializer):
    notes = serializers.CharField()
    secret = serializers.CharField(required=False)

    class Meta:
        field_permissions = {"secret": "events.view_revenue"}


def test_writing_a_protected_field_without_the_permission_is_refused(deckhand):
    serializer = NotesWithSecret(data={"notes": "hi", "secret": "x"}, context=as_user(deckhand.user))
    with pytest.raises(PermissionDenied, match="secret"):
        serializer.is_valid()


def test_the_field_is_absent_from_the_fields_offered_to_non_holders(deckhand, owner, org):
    context = as_user(deckhand.user) | {"organization": org}
    assert "secret" not in NotesWithSecret(context=context).fields
    assert "secret" in NotesWithSecret(context=as_user(owner) | {"organization": org}).fields
