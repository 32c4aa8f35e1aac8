"""The crew page's list of guests (safety's boarding list): names, waiver status and who is
aboard, read with guests' waiver rule, one query, this event's guests only."""

import pytest

from crew.tests.factories import make_event
from crew.tests.scenarios import seat
from guests.models import Guest, WaiverStatus
from guests.tests.factories import make_guest, make_waiver, sign
from safety.selectors import boarding_lines


def boarding_of(event, **kwargs):
    return boarding_lines(organization_id=event.organization_id, event_id=event.pk, **kwargs)


def test_a_guest_who_signed_an_old_version_must_sign_again(org, charter, waiver):
    sign(make_guest(charter))
    make_waiver(org, body="New terms.")
    (line,) = boarding_of(charter)
    assert (line.waiver_status, line.on_hold, line.waiver_label) == (WaiverStatus.RESIGN, True, "Not signed")


@pytest.mark.parametrize("guests", [1, 50])
def test_the_boarding_list_is_one_query_for_1_or_50_guests(charter, waiver, guests, django_assert_num_queries):
    for _ in range(guests):
        make_guest(charter)
    with django_assert_num_queries(1):
        assert len(boarding_of(charter)) == guests


def test_the_boarding_list_of_one_event_never_lists_another_events_or_brands_guests(org, other_org, charter, waiver):
    make_guest(charter, "Mine")
    make_guest(make_event(org), "Other Event")
    make_guest(make_event(other_org), "Other Brand")
    assert [line.name for line in boarding_of(charter)] == ["Mine"]
    # Asked as another brand, the event's guests are not there at all.
    assert boarding_lines(organization_id=other_org.pk, event_id=charter.pk) == []


def test_the_boarding_list_agrees_with_the_orms_waiver_status_for_every_case(org, other_org):
    no_waiver_yet = make_event(other_org)
    make_guest(no_waiver_yet, "Nadia NoWaiver")
    charter = make_event(org)
    make_waiver(org)
    sign(make_guest(charter, "Ana OldVersion"))
    make_waiver(org, body="New terms.")
    make_guest(charter, "Ben Unsigned", is_minor=True)
    sign(make_guest(charter, "Cleo Signed"))

    for event in (no_waiver_yet, charter):
        by_orm = {
            guest.name: (guest.waiver_status(), guest.on_hold)
            for guest in Guest.objects.filter(event=event).with_waiver_status()
        }
        assert {line.name: (line.waiver_status, line.on_hold) for line in boarding_of(event)} == by_orm
    statuses = {line.name: line.waiver_status for line in boarding_of(charter) + boarding_of(no_waiver_yet)}
    assert statuses == {
        "Ana OldVersion": WaiverStatus.RESIGN,
        "Ben Unsigned": WaiverStatus.UNSIGNED,
        "Cleo Signed": WaiverStatus.SIGNED,
        "Nadia NoWaiver": WaiverStatus.NO_WAIVER,
    }
    assert [(line.name, line.is_minor) for line in boarding_of(charter)] == [
        ("Ana OldVersion", False),
        ("Ben Unsigned", True),
        ("Cleo Signed", False),
    ]


def test_a_deckhand_sees_each_guests_name_and_waiver_status_and_no_contact_details(
    crew_login, charter, waiver, deckhand
):
    seat(charter, deckhand)
    make_guest(
        charter,
        "Taylor Guest",
        email="taylor@example.com",
        phone="+16195550100",
        is_minor=True,
        guardian_name="Pat Parent",
    )
    sign(make_guest(charter, "Jordan Guest", email="jordan@example.com"))

    body = crew_login(deckhand).get(f"/crew/events/{charter.public_id}/").content.decode()

    panel = body[body.index('id="panel-checkin"') :]
    assert "Jordan Guest" in panel
    assert "Taylor Guest" in panel
    jordan = panel[panel.index("Jordan Guest") : panel.index("</li>", panel.index("Jordan Guest"))]
    taylor = panel[panel.index("Taylor Guest") : panel.index("</li>", panel.index("Taylor Guest"))]
    assert ">Signed<" in jordan
    assert "Not aboard" in jordan
    assert "(minor)" in taylor
    assert ">Not signed<" in taylor
    for private in ("example.com", "6195550100", "Pat Parent", "/w/"):
        assert private not in body


def test_only_who_checks_guests_in_gets_a_walk_ups_text_message_link(charter, waiver):
    walk_up = make_guest(charter, "Wade Walkup", phone="+16195550199")
    from safety.models import CheckIn

    CheckIn.objects.create(organization_id=charter.organization_id, event=charter, guest=walk_up, walk_up=True)

    (for_deckhand,) = boarding_of(charter)
    (for_captain,) = boarding_of(charter, with_sms_links=True)
    assert for_deckhand.sms_href == ""
    assert for_captain.sms_href.startswith("sms:+16195550199?&body=")
    assert walk_up.token in for_captain.sms_href


def test_the_float_plan_read_by_the_page_is_the_events_and_only_within_its_brand(charter, other_org):
    from safety.models import FloatPlan
    from safety.selectors import float_plan_of

    assert float_plan_of(organization_id=charter.organization_id, event_id=charter.pk) is None
    FloatPlan.objects.create(organization_id=charter.organization_id, event=charter, area="Bay and back", headcount=4)

    plan = float_plan_of(organization_id=charter.organization_id, event_id=charter.pk)
    assert (plan.area, plan.headcount, plan.is_filed) == ("Bay and back", 4, False)
    assert float_plan_of(organization_id=other_org.pk, event_id=charter.pk) is None
