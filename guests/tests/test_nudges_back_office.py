"""The back office shows every nudge: on its event, and in a list across events with filters."""

from datetime import timedelta

import pytest
from django.core import mail

from charterops.models import OutboundEmail, SuppressedAddress
from events.models import Nudge
from events.tests.factories import make_event
from events.tests.nudging import la, sweep
from guests.tests.factories import make_guest, make_waiver

DEPARTURE = la(2027, 6, 5, 10, 0)
AT_24 = DEPARTURE - timedelta(hours=24)


def guests_on_hold(event, count: int) -> None:
    guests = [make_guest(event, f"Guest{i} Sample", email=f"g{i}@example.com") for i in range(count)]
    type(guests[0]).objects.filter(pk__in=[g.pk for g in guests]).update(created_at=DEPARTURE - timedelta(days=7))


@pytest.fixture
def nudged(org, owner, django_capture_on_commit_callbacks):
    make_waiver(org)
    event = make_event(org, name="Harbor charter", departure_at=DEPARTURE)
    guests_on_hold(event, 2)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, AT_24)  # 2 sent (24 h), 2 skipped (48 h missed)
    OutboundEmail.objects.filter(to=["g1@example.com"]).update(status=OutboundEmail.Status.BOUNCED)
    return event


def test_the_event_page_lists_each_nudge_with_who_what_when_and_outcome(client, owner, nudged):
    client.force_login(owner)
    page = client.get(f"/admin/events/event/{nudged.pk}/change/").text
    assert "Nudges (reminders and alerts)" in page
    assert "Guest0 Sample &lt;g0@example.com&gt;" in page
    assert "Waiver reminder" in page
    assert "Thu 3 Jun 2027, 10:00 AM PDT" in page  # 48 h before, local, in the back office's one format
    assert "Skipped: Missed: found after the moment it was useful." in page
    assert "Sent " in page
    assert "Bounced" in page


def test_the_list_across_events_filters_by_outcome(client, owner, nudged):
    client.force_login(owner)
    every = client.get("/admin/events/nudge/")
    assert every.status_code == 200
    assert every.text.count("Waiver reminder") >= 4
    bounced = client.get("/admin/events/nudge/?outcome=bounced").text
    assert "g1@example.com" in bounced
    assert "g0@example.com" not in bounced
    skipped = client.get("/admin/events/nudge/?outcome=skipped").context["cl"].result_count
    assert skipped == 2


def test_the_list_reads_the_same_number_of_queries_for_few_and_many_nudges(
    client, owner, org, nudged, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_assert_max_num_queries(16) as few:
        client.get("/admin/events/nudge/")
    more = make_event(org, name="Bigger charter", departure_at=DEPARTURE + timedelta(hours=1))
    guests_on_hold(more, 12)
    sweep(django_capture_on_commit_callbacks, AT_24 + timedelta(hours=1))
    assert Nudge.objects.count() > 20
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/admin/events/nudge/")


def test_another_brands_owner_sees_none_of_them(client, other_owner, nudged):
    client.force_login(other_owner)
    assert "g0@example.com" not in client.get("/admin/events/nudge/").text
    nudge = Nudge.objects.first()
    assert client.get(f"/admin/events/nudge/{nudge.pk}/change/").status_code == 404
    assert client.get(f"/admin/events/event/{nudged.pk}/change/").status_code == 404


def test_nudges_are_read_only_in_the_back_office(client, owner, nudged):
    client.force_login(owner)
    nudge = Nudge.objects.first()
    assert client.get("/admin/events/nudge/add/").status_code == 403
    assert client.post(f"/admin/events/nudge/{nudge.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Nudge.objects.filter(pk=nudge.pk).exists()


def test_crew_do_not_reach_the_back_office_list(client, captain):
    client.force_login(captain.user)
    assert client.get("/admin/events/nudge/").status_code == 302


def test_a_bounced_crew_member_shows_it_on_their_page(client, owner, deckhand):
    from django.utils import timezone

    SuppressedAddress.objects.create(
        address=deckhand.user.email.lower(), reason="bounced", detail="Permanent General", at=timezone.now()
    )
    client.force_login(owner)
    page = client.get(f"/admin/crew/crewmember/{deckhand.pk}/change/").text
    assert "Bounced on" in page
    assert "nudges stopped" in page
