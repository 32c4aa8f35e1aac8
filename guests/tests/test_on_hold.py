import pytest
from django.test import Client

from charterops.models import Organization, OutboundEmail
from events.models import EventStatus, EventTransition
from events.services import event_transition
from guests.models import Guest
from guests.tests.factories import make_guest, sign


def confirmed(event, by=None):
    event_transition(event=event, to_status=EventStatus.CONFIRMED, by=by)
    return event


def test_guest_who_signed_an_old_version_is_on_hold(org, charter, waiver, owner):
    guest = make_guest(charter)
    sign(guest)
    from guests.tests.factories import make_waiver

    make_waiver(org, body="New terms.")
    assert Guest.objects.filter(pk=guest.pk).on_hold().exists()
    assert Guest.objects.filter(pk=guest.pk).with_waiver_status().get().waiver_status() == "resign"


def test_captain_override_with_a_reason_is_recorded(charter, waiver, captain):
    confirmed(charter)
    make_guest(charter)

    event_transition(
        event=charter, to_status=EventStatus.IN_PROGRESS, by=captain.user, override=True, reason="Signed on paper"
    )

    last = EventTransition.objects.filter(event=charter).last()
    assert (last.to_status, last.by, last.reason) == (EventStatus.IN_PROGRESS, captain.user, "Signed on paper")


def test_no_published_waiver_puts_nobody_on_hold(charter, owner):
    make_guest(charter)
    assert not Guest.objects.filter(event=charter).on_hold().exists()


# Whether a charter may start with guests on hold is the start gate's rule (it reads the
# guests who boarded): safety/tests/test_check_in_and_gate.py.


def test_cancelling_is_never_blocked_by_holds(charter, waiver, owner):
    make_guest(charter)
    event_transition(event=charter, to_status=EventStatus.CANCELLED, by=owner)


# What crew see of the guests (names, waiver status, aboard) is safety's boarding list:
# safety/tests/test_boarding_list.py.


# --- The owner's override in the back office ---------------------------------------------


def override_url(event):
    return f"/admin/guests/guest/event/{event.public_id}/start-with-override/"


def test_owner_starts_a_charter_with_an_override_and_a_reason(client: Client, charter, waiver, owner):
    confirmed(charter, owner)
    make_guest(charter, "Taylor Guest")
    client.force_login(owner)

    page = client.get(override_url(charter))
    assert "Taylor Guest" in page.content.decode()
    refused = client.post(override_url(charter), {"reason": "   "})
    assert "Give the reason" in refused.content.decode()
    response = client.post(override_url(charter), {"reason": "Paper waiver signed at the dock"})

    assert response.status_code == 302
    charter.refresh_from_db()
    assert charter.status == EventStatus.IN_PROGRESS
    assert EventTransition.objects.filter(event=charter).last().reason == "Paper waiver signed at the dock"


def test_another_brands_owner_cannot_override(client: Client, charter, waiver, owner, other_owner):
    confirmed(charter, owner)
    client.force_login(other_owner)
    assert client.get(override_url(charter)).status_code == 404
    assert client.post(override_url(charter), {"reason": "x"}).status_code == 404
    charter.refresh_from_db()
    assert charter.status == EventStatus.CONFIRMED


def test_crew_cannot_use_the_back_office_override(client: Client, charter, waiver, captain):
    client.force_login(captain.user)
    response = client.post(override_url(charter), {"reason": "x"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- The manifest in the back office -----------------------------------------------------


def inline_form(event, rows):
    data = {
        "guests-TOTAL_FORMS": str(len(rows)),
        "guests-INITIAL_FORMS": "0",
        "guests-MIN_NUM_FORMS": "0",
        "guests-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data |= {f"guests-{i}-{k}": v for k, v in row.items()} | {f"guests-{i}-event": str(event.pk)}
    return data


def test_owner_sees_the_manifest_with_waiver_status_on_the_event_page(client: Client, charter, waiver, owner):
    sign(make_guest(charter, "Jordan Guest"))
    make_guest(charter, "Taylor Guest")
    client.force_login(owner)
    html = client.get(f"/admin/events/event/{charter.pk}/change/").content.decode()
    assert "Guests (manifest)" in html
    assert "On hold — not signed" in html
    assert "Import guests from a CSV file" in html


def test_owner_adds_a_guest_in_the_admin_and_the_guest_is_mailed_their_link(client: Client, charter, waiver, owner):
    client.force_login(owner)
    response = client.post(
        "/admin/guests/guest/add/",
        {
            "event": str(charter.pk),
            "name": "Taylor Guest",
            "email": "taylor@example.com",
            "phone": "",
            "signatures-TOTAL_FORMS": "0",
            "signatures-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    guest = Guest.objects.get(name="Taylor Guest")
    email = OutboundEmail.objects.get(kind="waiver_request")
    assert guest.signing_path in email.body_text


def test_owner_imports_guests_from_csv(client: Client, charter, waiver, owner):
    client.force_login(owner)
    csv = (
        b"name,email,date_of_birth,is_minor,guardian_name\n"
        b"Taylor Guest,taylor@example.com,,no,\n"
        b"Kid Guest,,2015-01-02,,Pat Parent\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        f"/admin/guests/guest/event/{charter.public_id}/import/",
        {"file": SimpleUploadedFile("guests.csv", csv, content_type="text/csv")},
    )
    assert response.status_code == 302
    assert sorted(Guest.objects.filter(event=charter).values_list("name", "is_minor")) == [
        ("Kid Guest", True),
        ("Taylor Guest", False),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,email\nTaylor,not-an-email\n", "Row 2, email: Enter a valid email address."),
        (b"name,email\n,taylor@example.com\n", "Row 2, name: This field is required."),
        (b"name,date_of_birth\nTaylor,30/02/2010\n", "Row 2, date_of_birth: Enter a valid date."),
        (b"name,is_minor\nTaylor,maybe\n", "is not yes or no"),
        (b"name,shoe_size\nTaylor,42\n", "Unknown columns: shoe_size"),
        (b"email\ntaylor@example.com\n", "header with at least a"),
        (b"name\n", "The file has no guests."),
        (b"\xff\xfe\x00n\x00a", "not UTF-8"),
        (b'name\n"Taylor\n', "not valid CSV"),
        (b"name\nTaylor,extra\n", "Row 2: more values than columns."),
    ],
)
def test_bad_csv_rows_say_what_is_wrong_and_add_nobody(client: Client, charter, waiver, owner, data, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(owner)
    response = client.post(
        f"/admin/guests/guest/event/{charter.public_id}/import/",
        {"file": SimpleUploadedFile("guests.csv", data, content_type="text/csv")},
    )
    assert response.status_code == 400
    assert message in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert not Guest.objects.filter(event=charter).exists()


def test_another_brands_owner_cannot_import_into_the_event(client: Client, charter, other_owner):
    client.force_login(other_owner)
    assert client.get(f"/admin/guests/guest/event/{charter.public_id}/import/").status_code == 404


def test_signatures_are_read_only_in_the_back_office(client: Client, charter, waiver, owner):
    signature = sign(make_guest(charter))
    client.force_login(owner)
    url = f"/admin/guests/waiversignature/{signature.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="signed_name"' not in page.content.decode()
    assert client.post(url, {"signed_name": "Forged"}).status_code == 403
    assert client.post(f"/admin/guests/waiversignature/{signature.pk}/delete/", {"post": "yes"}).status_code == 403
    signature.refresh_from_db()
    assert signature.signed_name != "Forged"


def test_owner_publishes_an_edited_waiver_as_a_new_version(client: Client, org, waiver, owner):
    client.force_login(owner)
    form = client.get(f"/admin/guests/waivertemplate/add/?from={waiver.pk}")
    assert waiver.body in form.content.decode()
    response = client.post(
        "/admin/guests/waivertemplate/add/",
        {"organization": str(org.pk), "title": waiver.title, "body": waiver.body + " Edited."},
    )
    assert response.status_code == 302
    assert org.waiver_templates.count() == 2
    waiver.refresh_from_db()
    assert not waiver.body.endswith("Edited.")


def test_captain_starting_with_a_guest_on_hold_is_told_who_and_may_override_with_a_reason(
    crew_login, charter, waiver, captain
):
    from crew.models import RoleSlot

    RoleSlot.objects.filter(event=charter, role="captain").update(holder=captain)
    # Inside the brand's start window (a day ahead): only the on-hold guard speaks.
    Organization.objects.filter(pk=charter.organization_id).update(start_window_hours=48)
    confirmed(charter)
    make_guest(charter, "Taylor Guest")
    client = crew_login(captain)
    url = f"/crew/events/{charter.public_id}/start"

    refused = client.post(url)
    assert refused.status_code == 409
    assert "Taylor Guest" in refused.content.decode()
    charter.refresh_from_db()
    assert charter.status == EventStatus.CONFIRMED

    started = client.post(url, {"reason": "Guardian signed a paper waiver at the dock"})
    assert started.status_code == 303
    charter.refresh_from_db()
    assert charter.status == EventStatus.IN_PROGRESS
    move = EventTransition.objects.get(event=charter, to_status=EventStatus.IN_PROGRESS)
    assert (move.by, move.reason) == (captain.user, "Guardian signed a paper waiver at the dock")


def test_api_start_with_a_guest_on_hold_needs_a_reason(api_login, charter, waiver, captain):
    from crew.models import RoleSlot

    RoleSlot.objects.filter(event=charter, role="captain").update(holder=captain)
    # Inside the brand's start window (a day ahead): only the on-hold guard speaks.
    Organization.objects.filter(pk=charter.organization_id).update(start_window_hours=48)
    confirmed(charter)
    make_guest(charter, "Taylor Guest")
    client = api_login(captain)
    url = f"/api/events/{charter.public_id}/start"

    refused = client.post(url, {}, format="json")
    assert refused.status_code == 409
    assert "Taylor Guest" in refused.json()["detail"]
    assert client.post(url, {"reason": "Paper waiver signed"}, format="json").json() == {"status": "in_progress"}
    assert EventTransition.objects.get(event=charter, to_status="in_progress").reason == "Paper waiver signed"
