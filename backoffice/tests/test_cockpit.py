"""The owner's cockpit: dashboard figures, lifecycle buttons, cancellations that tell
people, crew members edited in full, revenue following the roster, the audit log,
exports, and the outbox's masked secrets."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from charterops.models import OutboundEmail
from crew import services as crew_services
from crew.models import CrewRole, RoleSlot
from crew.tests.factories import make_event as make_crew_event
from events.models import Event, EventStatus, Revenue
from guests.tests.factories import make_guest, make_waiver

from .scenario import REVENUE

pytestmark = pytest.mark.django_db


def _event(org, name, *, hours_ahead, status=None, revenue=None, **kwargs):
    event = make_crew_event(
        org, name=name, departure_at=timezone.now() + timedelta(hours=hours_ahead), revenue=revenue, **kwargs
    )
    if status:
        Event.objects.filter(pk=event.pk).update(status=status)
        event.refresh_from_db()
    return event


# --- The dashboard --------------------------------------------------------------------


def test_dashboard_figures_match_the_data(owner_client, org, other_org, captain, deckhand, settings):
    settings.NUDGE_PENDING_CONFIRMATION_HOURS = 72
    soon = _event(org, "Soon", hours_ahead=5, revenue={"gross": Decimal("500.00")})  # 4 open slots
    crew_services.role_designate(slot=RoleSlot.objects.get(event=soon, role=CrewRole.CAPTAIN), crew_member=captain)
    make_guest(soon, "Held One")
    _event(org, "At sea", hours_ahead=-48, hours=72, status=EventStatus.IN_PROGRESS)
    later = _event(org, "Next month", hours_ahead=24 * 40)
    Event.objects.filter(pk=later.pk).update(created_at=timezone.now() - timedelta(days=5))
    _event(other_org, "Theirs", hours_ahead=5)  # another brand counts for nothing
    OutboundEmail.objects.create(
        organization=org,
        key="k1",
        kind="waiver_request",
        from_email="a@b.c",
        to=["x@y.z"],
        subject="s",
        body_text="b",
        status=OutboundEmail.Status.FAILED,
    )

    response = owner_client.get(reverse("admin:index"))

    board = response.context["board"]
    assert board.at_sea == 1
    assert board.open_slots == 3  # first mate and two deckhands of "Soon"
    assert board.unacknowledged == 1  # the captain designated, not yet acknowledged
    assert board.pending_ageing == 1  # "Next month", booked 5 days ago
    assert board.failed_emails == 1
    assert [line.event.name for line in board.week] == ["Soon"]
    line = board.week[0]
    assert (line.filled, line.slots, line.guests) == (1, 4, 1)
    assert board.revenue["this_month"] + board.revenue["last_month"] >= Decimal("500.00")
    text = response.text
    assert 'href="/admin/events/event/?when=next72h&amp;crew=unfilled"' in text
    assert "Theirs" not in text


def test_each_dashboard_link_opens_the_list_behind_the_figure(owner_client, org, captain):
    soon = _event(org, "Soon", hours_ahead=5)
    _event(org, "Far", hours_ahead=24 * 20)
    crew_services.role_designate(slot=RoleSlot.objects.get(event=soon, role=CrewRole.CAPTAIN), crew_member=captain)
    listing = owner_client.get(reverse("admin:events_event_changelist") + "?when=next72h&crew=unacknowledged")
    assert [event.name for event in listing.context["cl"].result_list] == ["Soon"]
    opening = owner_client.get(reverse("admin:events_event_changelist"))
    assert {event.name for event in opening.context["cl"].result_list} == {"Soon", "Far"}  # upcoming by default


def test_dashboard_query_count_does_not_grow_with_events(owner_client, org, django_assert_max_num_queries):
    for n in range(2):
        make_guest(_event(org, f"Small {n}", hours_ahead=5 + n))
    with django_assert_max_num_queries(40) as small:
        owner_client.get(reverse("admin:index"))
    for n in range(12):
        make_guest(_event(org, f"Large {n}", hours_ahead=6 + n))
    with django_assert_max_num_queries(len(small.captured_queries)):
        owner_client.get(reverse("admin:index"))


def test_revenue_is_on_the_dashboard_only_for_those_who_may_see_it(owner_client, org, monkeypatch):
    _event(org, "Paid", hours_ahead=5, revenue={"gross": Decimal("1234.50")})
    assert "$1,234.50 USD" in owner_client.get(reverse("admin:index")).text
    from charterops import permissions

    everything = permissions.owner_permissions()
    monkeypatch.setattr(permissions, "owner_permissions", lambda: everything - {"events.view_revenue"})
    response = owner_client.get(reverse("admin:index"))
    assert response.context["board"].revenue is None
    assert "1,234.50" not in response.text


# --- Actions on the event page --------------------------------------------------------


def test_allowed_moves_are_buttons_and_confirm_goes_through_the_lifecycle(owner_client, owner, org):
    event = _event(org, "Harbor", hours_ahead=30)
    page = owner_client.get(reverse("admin:events_event_change", args=[event.pk])).text
    assert 'data-move="confirmed"' in page
    assert 'data-move="cancelled"' in page
    assert 'data-move="completed"' not in page  # not allowed from pending
    response = owner_client.post(reverse("admin:events_event_move", args=[event.pk, "confirmed"]), follow=True)
    event.refresh_from_db()
    assert event.status == EventStatus.CONFIRMED
    assert event.transitions.get().by == owner
    assert "Pending confirmation → Confirmed" in response.text


def test_a_refused_start_links_to_the_override(owner_client, org):
    event = _event(org, "Early", hours_ahead=30, status=EventStatus.CONFIRMED)
    response = owner_client.post(reverse("admin:events_event_move", args=[event.pk, "in_progress"]), follow=True)
    event.refresh_from_db()
    assert event.status == EventStatus.CONFIRMED
    assert reverse("admin:guests_guest_override_start", args=[event.public_id]) in response.text
    assert "successfully" not in response.text


def test_cancelling_from_the_event_page_tells_crew_and_guests(
    owner_client, org, captain, django_capture_on_commit_callbacks
):
    event = _event(
        org, "Doomed", hours_ahead=30, crew=[crew_services.CrewAssignment(role="captain", crew_member=captain)]
    )
    make_guest(event, "Gus Guest", email="gus@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("admin:events_event_move", args=[event.pk, "cancelled"]), {"reason": "Storm warning"})
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    kinds = dict(
        OutboundEmail.objects.filter(kind__in=["event_cancelled", "guest_event_cancelled"]).values_list("kind", "to")
    )
    assert captain.user.email in kinds["event_cancelled"]
    assert kinds["guest_event_cancelled"] == ["gus@example.com"]


def test_another_brands_event_cannot_be_moved(owner_client, other_org):
    theirs = _event(other_org, "Theirs", hours_ahead=30)
    response = owner_client.post(reverse("admin:events_event_move", args=[theirs.pk, "confirmed"]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == EventStatus.PENDING_CONFIRMATION


def test_choosing_another_brands_crew_as_holder_is_refused_cleanly(owner_client, org, outsider):
    from events.tests.test_admin import empty_inline_management_forms

    event = _event(org, "Scoped", hours_ahead=30)
    slots = list(event.role_slots.order_by("pk"))
    data = {
        "name": event.name,
        "slug": event.slug,
        "event_type": "charter",
        "source": "direct",
        "guest_count": "0",
        "departure_at_0": event.departure_at.strftime("%Y-%m-%d"),
        "departure_at_1": event.departure_at.strftime("%H:%M:%S"),
        "return_at_0": event.return_at.strftime("%Y-%m-%d"),
        "return_at_1": event.return_at.strftime("%H:%M:%S"),
        **empty_inline_management_forms(slots=slots),
    }
    index = next(i for i, slot in enumerate(slots) if slot.role == CrewRole.DECKHAND)
    data[f"role_slots-{index}-holder"] = str(outsider.pk)
    response = owner_client.post(reverse("admin:events_event_change", args=[event.pk]), data, follow=True)
    assert "Select a valid choice" in response.text
    assert "successfully" not in response.text
    assert not RoleSlot.objects.filter(event=event, holder__isnull=False).exists()


def test_a_policy_refusal_of_a_holder_shows_on_the_form_and_saves_nothing(owner_client, org, deckhand):
    from events.tests.test_admin import empty_inline_management_forms

    event = _event(org, "Captainless", hours_ahead=30)
    slots = list(event.role_slots.order_by("pk"))
    data = {
        "name": "Renamed",
        "slug": event.slug,
        "event_type": "charter",
        "source": "direct",
        "guest_count": "0",
        "departure_at_0": event.departure_at.strftime("%Y-%m-%d"),
        "departure_at_1": event.departure_at.strftime("%H:%M:%S"),
        "return_at_0": event.return_at.strftime("%Y-%m-%d"),
        "return_at_1": event.return_at.strftime("%H:%M:%S"),
        **empty_inline_management_forms(slots=slots),
    }
    index = next(i for i, slot in enumerate(slots) if slot.role == CrewRole.CAPTAIN)
    data[f"role_slots-{index}-holder"] = str(deckhand.pk)  # a deckhand may not sail as captain
    response = owner_client.post(reverse("admin:events_event_change", args=[event.pk]), data, follow=True)
    assert response.status_code == 200
    assert "successfully" not in response.text
    event.refresh_from_db()
    assert event.name == "Captainless"


def test_the_signed_waivers_pdf_downloads_from_the_signature_and_not_for_another_brand(owner_client, ours, theirs):
    signature = ours.signed.signatures.get()
    for page in (
        reverse("admin:guests_guest_change", args=[ours.signed.pk]),
        reverse("admin:guests_waiversignature_change", args=[signature.pk]),
    ):
        assert reverse("admin:guests_waiversignature_pdf", args=[signature.pk]) in owner_client.get(page).text
    response = owner_client.get(reverse("admin:guests_waiversignature_pdf", args=[signature.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    foreign = theirs.signed.signatures.get()
    assert owner_client.get(reverse("admin:guests_waiversignature_pdf", args=[foreign.pk])).status_code == 404


def test_a_crew_member_is_edited_in_full_with_assignments_and_hours(owner_client, org, deckhand):
    event = _event(org, "Sailed", hours_ahead=30)
    crew_services.role_designate(slot=RoleSlot.objects.get(event=event, role=CrewRole.FIRST_MATE), crew_member=deckhand)
    url = reverse("admin:crew_crewmember_change", args=[deckhand.pk])
    page = owner_client.get(url).text
    assert "Sailed" in page
    assert "3.0 h" in page
    assert "First mate" in page
    response = owner_client.post(
        url,
        {
            "first_name": "Casey",
            "last_name": "Jones",
            "email": "casey.jones@example.com",
            "phone": "619",
            "captain_qualified": "on",
            "active": "on",
            "external_ids-TOTAL_FORMS": "1",
            "external_ids-INITIAL_FORMS": "0",
            "external_ids-MIN_NUM_FORMS": "0",
            "external_ids-MAX_NUM_FORMS": "1000",
            "external_ids-0-source": "boatsetter",
            "external_ids-0-external_id": "BS-77",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    deckhand.refresh_from_db()
    deckhand.user.refresh_from_db()
    assert (deckhand.user.last_name, deckhand.user.email, deckhand.phone) == ("Jones", "casey.jones@example.com", "619")
    assert deckhand.external_ids.get().external_id == "BS-77"
    from charterops.models import Membership

    assert Membership.objects.get(user=deckhand.user, organization=org).role == Membership.Role.CAPTAIN


def test_revenue_crew_count_follows_the_roster_unless_set_by_hand(org, captain, deckhand):
    event = _event(org, "Counted", hours_ahead=30, revenue=dict(REVENUE, crew_count=0))
    crew_services.role_designate(slot=RoleSlot.objects.get(event=event, role=CrewRole.FIRST_MATE), crew_member=deckhand)
    assert Revenue.objects.get(event=event).crew_count == 1
    Revenue.objects.filter(event=event).update(crew_count=5, crew_count_override=True)
    crew_services.role_designate(slot=RoleSlot.objects.get(event=event, role=CrewRole.CAPTAIN), crew_member=captain)
    assert Revenue.objects.get(event=event).crew_count == 5


# --- The audit log ------------------------------------------------------------------


def test_the_audit_log_shows_who_changed_what_before_and_after(owner_client, owner, org, deckhand):
    event = _event(org, "Audited", hours_ahead=30, revenue=dict(REVENUE))
    owner_client.post(reverse("admin:events_event_move", args=[event.pk, "confirmed"]))
    crew_services.role_claim(slot=RoleSlot.objects.get(event=event, role=CrewRole.FIRST_MATE), crew_member=deckhand)
    page = owner_client.get(reverse("admin:events_event_history", args=[event.pk])).text
    assert "Pending confirmation" in page
    assert "Confirmed" in page
    assert owner.username in page  # who moved it
    assert "Crew role First mate" in page
    assert "Casey" in page
    assert "$840.78 USD" in page  # the owner may see revenue


def test_the_audit_log_never_shows_revenue_without_view_revenue(owner_client, org, monkeypatch):
    event = _event(org, "Secret money", hours_ahead=30, revenue=dict(REVENUE))
    from charterops import permissions

    everything = permissions.owner_permissions()
    monkeypatch.setattr(permissions, "owner_permissions", lambda: everything - {"events.view_revenue"})
    page = owner_client.get(reverse("admin:events_event_history", args=[event.pk])).text
    assert "840.78" not in page
    assert "Revenue" not in page


# --- Exports -----------------------------------------------------------------------


def test_the_events_list_exports_as_csv_with_its_filters(owner_client, org):
    _event(org, "=Evil()", hours_ahead=5, revenue={"gross": Decimal("99.00")})
    _event(org, "Long gone", hours_ahead=-100)
    response = owner_client.get(reverse("admin:events_event_export"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][-1] == "Gross"
    assert [row[0] for row in rows[1:]] == ["'=Evil()"]  # upcoming only; a formula stays text
    assert rows[1][-1] == "$99.00 USD"


def test_the_days_manifest_exports_and_prints(owner_client, ours):
    day = ours.event.departure_at.astimezone(ours.org.tz).date().isoformat()
    rows = list(
        csv.reader(
            io.StringIO(owner_client.get(reverse("admin:backoffice_manifest_csv") + f"?day={day}").content.decode())
        )
    )
    assert {row[5] for row in rows[1:]} == {"Sandpiper Signedguest", "Sandpiper Heldguest"}
    page = owner_client.get(reverse("admin:backoffice_manifest") + f"?day={day}").text
    assert "ON HOLD" in page
    assert "Sandpiper Heldguest" in page
    assert "window.print()" in page


# --- The outbox ---------------------------------------------------------------------


def test_the_outbox_masks_sign_in_codes_and_signing_links(owner_client, org, deckhand):
    from crew.magic_links import CREW_HOME, magic_link_create
    from crew.models import MagicLink

    _, code = magic_link_create(crew_member=deckhand, deep_link=CREW_HOME, purpose=MagicLink.Purpose.SIGN_IN)
    OutboundEmail.objects.create(
        organization=org,
        key="signin",
        kind="crew_sign_in",
        from_email="a@b.c",
        to=["c@d.e"],
        subject="Sign in",
        body_text=f"Open http://testserver/m/{code} or type the code {code}.",
        body_html=f'<p><a href="http://testserver/m/{code}">Sign in</a> code {code}</p>',
        headers={"List-Unsubscribe": "<http://testserver/n/unsubscribe/tok_abcdefgh12345>"},
    )
    make_waiver(org)
    guest = make_guest(_event(org, "Signing", hours_ahead=30), "Wanda Waiver", email="wanda@example.com")
    email = OutboundEmail.objects.get(kind="crew_sign_in")
    pages = [
        owner_client.get(reverse("admin:charterops_outboundemail_changelist")).text,
        owner_client.get(reverse("admin:charterops_outboundemail_change", args=[email.pk])).text,
        owner_client.get(
            reverse("admin:charterops_outboundemail_change", args=[OutboundEmail.objects.get(kind="waiver_request").pk])
        ).text,
        owner_client.post(
            reverse("admin:charterops_outboundemail_changelist"),
            {"action": "export_csv", "_selected_action": list(OutboundEmail.objects.values_list("pk", flat=True))},
        ).content.decode(),
    ]
    for page in pages:
        assert code not in page
        assert guest.token not in page
        assert "tok_abcdefgh12345" not in page
    assert "Crew: sign-in link" in pages[0]  # a label, not the code name
    assert "srcdoc=" in pages[1]  # the HTML rendered in a sandboxed frame
    email.refresh_from_db()
    assert code in email.body_text  # the stored body keeps it


def test_an_owner_sees_nothing_of_another_brands_emails(owner_client, theirs):
    email = OutboundEmail.objects.filter(organization=theirs.org).first()
    assert owner_client.get(reverse("admin:charterops_outboundemail_change", args=[email.pk])).status_code == 404
    assert theirs.tag not in owner_client.get(reverse("admin:charterops_outboundemail_changelist")).text
