from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from events.models import Event, Revenue
from events.money import MONEY_IN_NOTES_MESSAGE, contains_money
from events.services import event_create, event_update
from events.tests.factories import make_event, make_vessel


@pytest.mark.parametrize(
    "notes",
    ["Tip was $151.34", "crew gets 150 USD", "USD 40 for fuel", "paid 40 dollars", "€ 20 deposit", "$5"],
)
def test_notes_with_money_are_refused(org, notes):
    with pytest.raises(ValidationError, match="Money belongs in Revenue, not in notes"):
        make_event(org, notes=notes)
    assert not Event.objects.exists()


@pytest.mark.parametrize("notes", ["Meet at dock 5 at 9:30", "Party of 12, 2 kids", "Bring 3 coolers", "Slip B-14", ""])
def test_ordinary_notes_are_fine(notes):
    assert not contains_money(notes)


def test_updating_notes_with_money_is_refused_and_keeps_old_notes(org):
    event = make_event(org, notes="Dock 5")
    with pytest.raises(ValidationError) as exc:
        event_update(event=event, notes="Cash tip 20 USD")
    assert MONEY_IN_NOTES_MESSAGE in str(exc.value)
    event.refresh_from_db()
    assert event.notes == "Dock 5"


def test_slug_defaults_to_source_and_local_date(org):
    departure = datetime(2024, 5, 30, 10, 0, tzinfo=org.tz)
    event = make_event(org, departure_at=departure, source="boatsetter", name="Birthday")
    assert event.slug == "boatsetter-may-30-2024"
    second = make_event(org, departure_at=departure, source="boatsetter", name="Another")
    assert second.slug == "boatsetter-may-30-2024-2"


def test_return_before_departure_is_refused(org):
    start = timezone.now()
    with pytest.raises(ValidationError, match="return must be after the departure"):
        event_create(organization=org, name="Backwards", departure_at=start, return_at=start - timedelta(hours=1))


def test_naive_times_are_refused_with_a_message(org):
    with pytest.raises(ValidationError, match="time zone"):
        event_create(
            organization=org,
            name="Naive",
            departure_at=datetime(2024, 5, 30, 10),
            return_at=datetime(2024, 5, 30, 13),
        )


def test_vessel_of_another_brand_is_refused(org, other_org):
    with pytest.raises(ValidationError, match="another organization"):
        make_event(org, vessel=make_vessel(other_org))


def test_bad_revenue_on_create_leaves_no_event_behind(org):
    with pytest.raises(ValidationError):
        make_event(org, revenue={"gross": "-5"})
    assert not Event.objects.exists()
    assert not Revenue.objects.exists()


def test_times_are_stored_in_utc_and_shown_locally(org):
    event = make_event(org, departure_at=datetime(2024, 5, 30, 10, 0, tzinfo=org.tz))
    event.refresh_from_db()
    assert event.departure_at.utcoffset() == timedelta(0)
    assert event.departure_at.hour == 17
    assert event.local(event.departure_at).hour == 10
