"""Crew nudges, time frozen: the daily digest, T-30 departure and return, overdue items,
unfilled slots escalated, unacknowledged designations — who gets them and who may not."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from charterops.models import SuppressedAddress
from crew import services
from crew.models import ChecklistItem, ChecklistItemState, CrewRole, MagicLink, RoleClaim
from crew.nudges import digest_moment
from crew.tests.factories import make_crew_member, make_event
from crew.tests.scenarios import charter_checklists, seat, slot
from events.models import EventStatus, Nudge, NudgeOptOut, NudgeStatus
from events.nudges import nudge_opt_out
from events.tests.factories import make_vessel
from events.tests.nudging import la, sent_to, sweep

SENTINEL_GROSS = "8417.93"
# Saturday 5 June 2027, 10:00 in San Diego (17:00 UTC). The digest of the 24 hours it
# falls in is Saturday 12:00 UTC (05:00 in San Diego: quiet hours, so it goes out at
# 07:00, 14:00 UTC — three hours before departure).
DEPARTURE = la(2027, 6, 5, 10, 0)
DIGEST_AT = datetime(2027, 6, 5, 12, 0, tzinfo=UTC)
MORNING = la(2027, 6, 5, 7, 0)


@pytest.fixture
def mate(org):
    return make_crew_member(org, "Morgan")


@pytest.fixture
def charter(org, captain, mate, deckhand):
    charter_checklists(org)
    event = make_event(
        org,
        name="Harbor charter",
        departure_at=DEPARTURE,
        vessel=make_vessel(org, name="Queen"),
        location="Shelter Island guest dock",
        revenue={"gross": SENTINEL_GROSS},
        deckhand_slots=2,
    )
    seat(event, captain, CrewRole.CAPTAIN)
    seat(event, mate, CrewRole.FIRST_MATE)
    seat(event, deckhand, CrewRole.DECKHAND, 1)
    return event


def email_of(member) -> str:
    return member.user.email


def bodies(message) -> str:
    return message.body + "".join(content for content, _ in message.alternatives)


def no_money(message) -> None:
    text = bodies(message) + message.subject
    assert SENTINEL_GROSS not in text
    assert not re.search(r"\$\s?\d", text)


# --- The daily digest -------------------------------------------------------------------


def test_digest_moment_is_the_latest_noon_utc(settings):
    assert digest_moment(DIGEST_AT) == DIGEST_AT
    assert digest_moment(DIGEST_AT - timedelta(minutes=1)) == DIGEST_AT - timedelta(days=1)
    settings.NUDGE_DIGEST_HOUR_UTC = 15
    assert digest_moment(DIGEST_AT) == datetime(2027, 6, 4, 15, 0, tzinfo=UTC)


def test_everyone_aboard_gets_one_digest_in_the_brands_morning(
    django_capture_on_commit_callbacks, charter, captain, mate, deckhand
):
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DIGEST_AT - timedelta(minutes=1), kinds=["crew_digest"])
    assert not Nudge.objects.exists()  # 29 hours after Friday's digest: not in its window
    report = sweep(django_capture_on_commit_callbacks, DIGEST_AT, kinds=["crew_digest"])
    assert report.count(NudgeStatus.HELD) == 3  # 05:00 in San Diego: quiet hours
    assert mail.outbox == []
    sweep(django_capture_on_commit_callbacks, MORNING, kinds=["crew_digest"])
    sweep(django_capture_on_commit_callbacks, MORNING + timedelta(minutes=1), kinds=["crew_digest"])
    for member in (captain, mate, deckhand):
        assert len(sent_to(email_of(member))) == 1
    [to_casey] = sent_to(email_of(deckhand))
    text = to_casey.body
    assert "Harbor charter" in to_casey.subject
    assert "Deckhand 1" in text
    assert "Sat 5 Jun 10:00 AM PDT" in text  # the brand's zone
    assert "1:00 PM PDT" in text  # back
    assert "Sunset:  7:53 PM" in text
    assert "Vessel:  Queen" in text
    assert "Meet at: Shelter Island guest dock" in text
    assert "Dana (Captain)" in text
    assert "Morgan (First mate)" in text
    assert "Casey (" not in text  # not themselves among the others
    assert "Still open: Deckhand 2" in text
    assert "Lines and fenders ready" in text  # their role's item
    assert "Fuel, water and engine checks logged" not in text  # the first mate's
    assert "/m/" in text
    no_money(to_casey)
    nudges = Nudge.objects.filter(kind="crew_digest")
    assert {n.due_at for n in nudges} == {DIGEST_AT}


def test_digest_link_signs_the_reader_in_on_the_event_page(client, org, captain, deckhand):
    org.quiet_hours_start = org.quiet_hours_end
    org.save()
    now = timezone.now()
    moment = digest_moment(now)
    event = make_event(org, name="Next day charter", departure_at=moment + timedelta(hours=23))
    seat(event, deckhand)
    mail.outbox.clear()
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        from events.nudges import nudges_sweep

        nudges_sweep(now=now, kinds=["crew_digest"])
    [message] = sent_to(email_of(deckhand))
    path = re.search(r"https?://[^/\s]+(/m/[A-Z0-9]+)", message.body).group(1)
    assert client.get(path).status_code == 200  # the confirm page: a mail scanner uses nothing
    page = client.post(path, follow=True)
    assert page.redirect_chain[-1][0] == f"/crew/events/{event.public_id}/"
    assert page.status_code == 200
    assert "Next day charter" in page.content.decode()
    link = MagicLink.objects.get(crew_member=deckhand)
    assert link.used_at is not None
    assert link.deep_link == f"/crew/events/{event.public_id}/"


def test_a_late_booking_gets_its_digest_before_departure_never_after(django_capture_on_commit_callbacks, org, deckhand):
    org.quiet_hours_start = org.quiet_hours_end
    org.save()
    # Booked after Saturday's digest, leaving Saturday evening: in its window already.
    departure = DIGEST_AT + timedelta(hours=8)
    event = make_event(org, name="Late booking", departure_at=departure)
    seat(event, deckhand)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DIGEST_AT + timedelta(hours=3), kinds=["crew_digest"])
    assert len(sent_to(email_of(deckhand))) == 1
    # Sunday's digest does not speak of it: it left on Saturday.
    sweep(django_capture_on_commit_callbacks, DIGEST_AT + timedelta(days=1), kinds=["crew_digest"])
    assert len(sent_to(email_of(deckhand))) == 1


def test_a_digest_found_after_departure_is_recorded_missed(django_capture_on_commit_callbacks, org, deckhand):
    org.quiet_hours_start = org.quiet_hours_end
    org.save()
    event = make_event(org, name="Early", departure_at=DIGEST_AT + timedelta(hours=2))
    seat(event, deckhand)
    mail.outbox.clear()
    # Beat was down from before noon until after departure.
    sweep(django_capture_on_commit_callbacks, DIGEST_AT + timedelta(hours=3), kinds=["crew_digest"])
    assert mail.outbox == []
    nudge = Nudge.objects.get(kind="crew_digest")
    assert nudge.status == NudgeStatus.SKIPPED
    assert nudge.reason.startswith("Missed")


@pytest.mark.parametrize(
    ("departure", "digest_utc", "morning_utc", "zone"),
    [
        # Spring forward (Sunday 14 March 2027): the digest before is 12:00 UTC = 04:00 PST,
        # released at 07:00 PDT = 14:00 UTC on the day the clocks change.
        (
            la(2027, 3, 14, 10, 0),
            datetime(2027, 3, 14, 12, 0, tzinfo=UTC),
            datetime(2027, 3, 14, 14, 0, tzinfo=UTC),
            "PDT",
        ),
        # Fall back (Sunday 7 November 2027): 12:00 UTC = 04:00 PST, morning 07:00 PST = 15:00 UTC.
        (
            la(2027, 11, 7, 10, 0),
            datetime(2027, 11, 7, 12, 0, tzinfo=UTC),
            datetime(2027, 11, 7, 15, 0, tzinfo=UTC),
            "PST",
        ),
    ],
)
def test_digest_on_dst_days_in_los_angeles(
    django_capture_on_commit_callbacks, org, deckhand, departure, digest_utc, morning_utc, zone
):
    event = make_event(org, name="DST charter", departure_at=departure)
    seat(event, deckhand)
    mail.outbox.clear()
    report = sweep(django_capture_on_commit_callbacks, digest_utc, kinds=["crew_digest"])
    assert report.count(NudgeStatus.HELD) == 1
    assert Nudge.objects.get().release_at == morning_utc
    sweep(django_capture_on_commit_callbacks, morning_utc - timedelta(minutes=1), kinds=["crew_digest"])
    assert mail.outbox == []
    sweep(django_capture_on_commit_callbacks, morning_utc, kinds=["crew_digest"])
    [message] = sent_to(email_of(deckhand))
    assert f"10:00 AM {zone}" in message.body


def test_digest_never_reaches_other_brands_or_inactive_crew(
    django_capture_on_commit_callbacks, org, other_org, charter, outsider, mate
):
    org.quiet_hours_start = org.quiet_hours_end
    org.save()
    other_org.quiet_hours_start = other_org.quiet_hours_end
    other_org.save()
    type(mate).objects.filter(pk=mate.pk).update(active=False)  # left the brand, still on the roster
    theirs = make_event(other_org, name="Their charter", departure_at=DEPARTURE)
    seat(theirs, outsider)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DIGEST_AT, kinds=["crew_digest"])
    [to_otto] = sent_to(email_of(outsider))
    assert "Their charter" in to_otto.subject  # their own brand's charter only
    assert "Harbor charter" not in bodies(to_otto)
    assert sent_to(email_of(mate)) == []
    assert len(mail.outbox) == 3  # the captain, the deckhand, the outsider for their own


def test_unsubscribed_crew_get_no_digest_but_keep_the_captains_t30(
    django_capture_on_commit_callbacks, org, charter, captain, deckhand
):
    org.quiet_hours_start = org.quiet_hours_end
    org.save()
    nudge_opt_out(organization_id=org.pk, address=email_of(deckhand), kind="crew_digest")
    with pytest.raises(ValueError, match="cannot be unsubscribed"):
        nudge_opt_out(organization_id=org.pk, address=email_of(captain), kind="crew_pre_departure_captain")
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DIGEST_AT, kinds=["crew_digest"])
    assert sent_to(email_of(deckhand)) == []
    assert len(sent_to(email_of(captain))) == 1
    assert Nudge.objects.get(recipient=f"crew:{deckhand.pk}").reason == "Unsubscribed from these."


# --- 30 minutes before departure and return ---------------------------------------------


def test_t30_departure_checklist_to_crew_and_safety_critical_to_the_captain(
    django_capture_on_commit_callbacks, org, charter, captain, mate, deckhand
):
    charter.nudges_enabled = False  # the owner switched nudges off for this charter
    charter.save(update_fields=["nudges_enabled"])
    ChecklistItem.objects.filter(event=charter, responsible_role=CrewRole.FIRST_MATE).update(
        state=ChecklistItemState.COMPLETE
    )
    mail.outbox.clear()
    t30 = DEPARTURE - timedelta(minutes=30)
    sweep(
        django_capture_on_commit_callbacks,
        t30 - timedelta(minutes=1),
        kinds=["crew_pre_departure", "crew_pre_departure_captain"],
    )
    assert mail.outbox == []
    sweep(django_capture_on_commit_callbacks, t30, kinds=["crew_pre_departure", "crew_pre_departure_captain"])
    [to_captain] = sent_to(email_of(captain))
    assert "pre-departure checklist 1/3" in to_captain.subject
    assert "Safety briefing and life jackets ready" in to_captain.body
    assert "List-Unsubscribe" not in to_captain.extra_headers  # safety-critical: cannot be unsubscribed
    assert "/m/" in to_captain.body
    no_money(to_captain)
    # The crew's are switched off with the event's nudges; the captain's are not.
    assert sent_to(email_of(deckhand)) == []
    assert Nudge.objects.get(kind="crew_pre_departure", recipient=f"crew:{deckhand.pk}").status == NudgeStatus.SKIPPED


def test_t30_departure_is_never_held_by_quiet_hours(django_capture_on_commit_callbacks, org, deckhand):
    early = la(2027, 6, 5, 6, 30)  # T-30 at 06:00, inside quiet hours
    event = make_event(org, name="Dawn sail", departure_at=early)
    seat(event, deckhand)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, early - timedelta(minutes=30), kinds=["crew_pre_departure"])
    assert len(sent_to(email_of(deckhand))) == 1


def test_a_crew_member_who_just_ticked_an_item_is_not_nudged(
    django_capture_on_commit_callbacks, org, charter, deckhand, captain
):
    t30 = DEPARTURE - timedelta(minutes=30)
    ChecklistItem.objects.filter(event=charter, responsible_role=CrewRole.DECKHAND).update(
        state=ChecklistItemState.IN_PROGRESS, updated_by=deckhand.user, updated_at=t30 - timedelta(minutes=5)
    )
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, t30, kinds=["crew_pre_departure", "crew_pre_departure_captain"])
    assert sent_to(email_of(deckhand)) == []
    assert Nudge.objects.get(recipient=f"crew:{deckhand.pk}").reason == "They had just acted on it."
    assert len(sent_to(email_of(captain))) == 1


def test_t30_return_heads_up_goes_to_the_captain_only(
    django_capture_on_commit_callbacks, org, charter, captain, deckhand
):
    charter.status = EventStatus.IN_PROGRESS
    charter.save(update_fields=["status"])
    back = charter.return_at
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, back - timedelta(minutes=30), kinds=["crew_post_return"])
    [to_captain] = sent_to(email_of(captain))
    assert "post-return checklist 0/1" in to_captain.subject
    assert "Deck washed down" in to_captain.body
    assert sent_to(email_of(deckhand)) == []
    no_money(to_captain)


# --- Overdue checklist items -------------------------------------------------------------


def test_an_overdue_item_nudges_the_holders_of_its_role_once(
    django_capture_on_commit_callbacks, org, charter, mate, deckhand
):
    item = ChecklistItem.objects.get(event=charter, responsible_role=CrewRole.FIRST_MATE)
    overdue_at = item.due_at + timedelta(minutes=10)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, overdue_at - timedelta(minutes=1), kinds=["crew_checklist_overdue"])
    assert mail.outbox == []
    sweep(django_capture_on_commit_callbacks, overdue_at, kinds=["crew_checklist_overdue"])
    sweep(django_capture_on_commit_callbacks, overdue_at + timedelta(minutes=5), kinds=["crew_checklist_overdue"])
    [message] = sent_to(email_of(mate))
    assert "Fuel, water and engine checks logged" in message.subject
    assert sent_to(email_of(deckhand)) == []  # not their role's (theirs is not due yet)
    no_money(message)


def test_a_completed_item_nudges_nobody(django_capture_on_commit_callbacks, org, charter, mate):
    item = ChecklistItem.objects.get(event=charter, responsible_role=CrewRole.FIRST_MATE)
    ChecklistItem.objects.filter(pk=item.pk).update(state=ChecklistItemState.COMPLETE)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, item.due_at + timedelta(minutes=30), kinds=["crew_checklist_overdue"])
    assert mail.outbox == []


# --- Unfilled slots -----------------------------------------------------------------------


@pytest.fixture
def short_handed(org, captain, deckhand):
    """A charter with the captain aboard and the first mate's and a deckhand's slots open."""
    org.quiet_hours_start = org.quiet_hours_end
    org.save()
    event = make_event(
        org, name="Short-handed", departure_at=DEPARTURE, deckhand_slots=1, revenue={"gross": SENTINEL_GROSS}
    )
    seat(event, captain, CrewRole.CAPTAIN)
    return event


def test_open_slots_escalate_crew_then_captain_then_owners(
    django_capture_on_commit_callbacks, org, short_handed, captain, deckhand, owner, outsider
):
    other_captain = make_crew_member(org, "Cleo", captain=True)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=48), kinds=["crew_unfilled_role"])
    [to_casey] = sent_to(email_of(deckhand))
    assert "First mate, Deckhand 1" in to_casey.body
    assert "/m/" in to_casey.body
    no_money(to_casey)
    assert len(sent_to(email_of(other_captain))) == 1
    assert sent_to(email_of(captain)) == []  # already aboard (as captain) at 48 h
    assert sent_to(email_of(outsider)) == []  # another brand's crew
    assert sent_to(owner.email) == []
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=24), kinds=["crew_unfilled_role"])
    assert len(sent_to(email_of(deckhand))) == 2
    assert len(sent_to(email_of(captain))) == 1
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=12), kinds=["crew_unfilled_role"])
    [to_owner] = sent_to(owner.email)
    assert "/admin/events/event/" in to_owner.body
    no_money(to_owner)


def test_a_claim_stops_the_chain(django_capture_on_commit_callbacks, org, short_handed, deckhand, owner):
    mate = make_crew_member(org, "Morgan")
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=48), kinds=["crew_unfilled_role"])
    services.role_claim(slot=slot(short_handed, CrewRole.FIRST_MATE), crew_member=mate)
    services.role_claim(slot=slot(short_handed, CrewRole.DECKHAND), crew_member=deckhand)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=12), kinds=["crew_unfilled_role"])
    assert [m for m in mail.outbox if "open" in m.subject.lower() or "needs crew" in m.subject] == []
    assert not Nudge.objects.filter(kind="crew_unfilled_role", due_at__gt=DEPARTURE - timedelta(hours=48)).exists()


def test_the_captains_slot_is_offered_only_to_crew_who_sail_as_captain(
    django_capture_on_commit_callbacks, org, deckhand
):
    org.quiet_hours_start = org.quiet_hours_end
    org.save()
    skipper = make_crew_member(org, "Sky", captain=True)
    event = make_event(org, name="No captain", departure_at=DEPARTURE, deckhand_slots=0)
    seat(event, make_crew_member(org, "Morgan"), CrewRole.FIRST_MATE)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=48), kinds=["crew_unfilled_role"])
    assert sent_to(email_of(deckhand)) == []  # only the captain's slot is open: not theirs to claim
    assert "Captain" in sent_to(email_of(skipper))[0].body


def test_inactive_or_busy_crew_are_not_asked(django_capture_on_commit_callbacks, org, short_handed, deckhand):
    idle = make_crew_member(org, "Idle")
    type(idle).objects.filter(pk=idle.pk).update(active=False)
    busy = make_crew_member(org, "Busy")
    elsewhere = make_event(org, name="Same day", departure_at=DEPARTURE + timedelta(hours=4))
    seat(elsewhere, busy)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=48), kinds=["crew_unfilled_role"])
    assert sent_to(email_of(idle)) == []
    assert [m for m in sent_to(email_of(busy)) if "Short-handed" in m.subject] == []
    assert len([m for m in sent_to(email_of(deckhand)) if "Short-handed" in m.subject]) == 1


# --- Unacknowledged designations ----------------------------------------------------------


def test_an_unacknowledged_designation_is_recalled(django_capture_on_commit_callbacks, org, owner, deckhand):
    org.quiet_hours_start = org.quiet_hours_end
    org.save()
    event = make_event(org, name="Designated", departure_at=DEPARTURE)
    services.role_designate(slot=slot(event), crew_member=deckhand, by=owner)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=48), kinds=["crew_unacknowledged"])
    [message] = sent_to(email_of(deckhand))
    assert "Please confirm: Deckhand 1" in message.subject
    services.role_acknowledge(slot=slot(event), crew_member=deckhand)
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=24), kinds=["crew_unacknowledged"])
    assert len(sent_to(email_of(deckhand))) == 1


def test_a_designation_made_after_the_moment_waits_for_the_next(
    django_capture_on_commit_callbacks, org, owner, deckhand
):
    org.quiet_hours_start = org.quiet_hours_end
    org.save()
    event = make_event(org, name="Designated late", departure_at=DEPARTURE)
    services.role_designate(slot=slot(event), crew_member=deckhand, by=owner)
    RoleClaim.objects.filter(action=RoleClaim.Action.DESIGNATE).update(at=DEPARTURE - timedelta(hours=30))
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=29), kinds=["crew_unacknowledged"])
    assert mail.outbox == []
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=24), kinds=["crew_unacknowledged"])
    assert len(sent_to(email_of(deckhand))) == 1


def test_a_bounced_address_gets_nothing_but_is_recorded(django_capture_on_commit_callbacks, org, charter, deckhand):
    org.quiet_hours_start = org.quiet_hours_end
    org.save()
    SuppressedAddress.objects.create(
        address=email_of(deckhand).lower(), reason=SuppressedAddress.Reason.BOUNCED, at=timezone.now()
    )
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DIGEST_AT, kinds=["crew_digest"])
    assert sent_to(email_of(deckhand)) == []
    assert Nudge.objects.get(recipient=f"crew:{deckhand.pk}").status == NudgeStatus.SKIPPED


def test_unsubscribing_from_the_digest_needs_no_sign_in_and_stops_only_that_kind_for_that_person(
    django_capture_on_commit_callbacks, org, charter, captain, deckhand
):
    from django.test import Client

    org.quiet_hours_start = org.quiet_hours_end
    org.save()
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DIGEST_AT, kinds=["crew_digest"])
    [digest] = sent_to(email_of(deckhand))
    link = digest.extra_headers["List-Unsubscribe"].strip("<>")
    path = link.split("://", 1)[1].split("/", 1)[1]
    # A mail app's one-click POST: no cookie, no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        f"/{path}", "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert list(NudgeOptOut.objects.values_list("address", "kind")) == [(email_of(deckhand).lower(), "crew_digest")]
    # The next day: no digest for Casey, the captain's still comes; Casey's T-30 still comes.
    nxt = make_event(org, name="Sunday charter", departure_at=DEPARTURE + timedelta(days=1))
    seat(nxt, captain, CrewRole.CAPTAIN)
    seat(nxt, deckhand)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DIGEST_AT + timedelta(days=1), kinds=["crew_digest"])
    assert sent_to(email_of(deckhand)) == []
    assert len(sent_to(email_of(captain))) == 1
    sweep(django_capture_on_commit_callbacks, DEPARTURE + timedelta(days=1, minutes=-30), kinds=["crew_pre_departure"])
    assert len(sent_to(email_of(deckhand))) == 1


def test_the_back_office_shows_crew_nudges_on_the_event_and_across_events(
    client, django_capture_on_commit_callbacks, org, owner, charter, deckhand
):
    org.quiet_hours_start = org.quiet_hours_end
    org.save()
    nudge_opt_out(organization_id=org.pk, address=email_of(deckhand), kind="crew_digest")
    sweep(django_capture_on_commit_callbacks, DIGEST_AT, kinds=["crew_digest"])
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(minutes=30), kinds=["crew_pre_departure_captain"])
    client.force_login(owner)
    page = client.get(f"/admin/events/event/{charter.pk}/change/").text
    assert "Crew digest: your next 24 hours" in page
    assert "Departure in 30 minutes (captain)" in page
    assert "Casey &lt;casey.queenofsandiego@example.com&gt;" in page
    assert "Skipped: Unsubscribed from these." in page
    assert "Sent " in page
    digests = client.get("/admin/events/nudge/?kind=crew_digest").context["cl"].result_count
    assert digests == 3
    skipped = client.get("/admin/events/nudge/?kind=crew_digest&outcome=skipped").context["cl"].result_count
    assert skipped == 1


def test_send_nudges_says_when_a_held_digest_goes_out_in_utc(charter, capsys):
    from django.core.management import call_command

    call_command("send_nudges", "--dry-run", "--now", DIGEST_AT.isoformat(), "--kind", "crew_digest")
    out = capsys.readouterr().out
    # 05:00 in San Diego: held until 07:00 PDT, which is 14:00 UTC.
    assert "until 2027-06-05 14:00 UTC" in out
    assert "(due 2027-06-05 12:00 UTC)" in out
