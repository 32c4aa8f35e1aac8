"""The owner adds a guest from the event's page in the back office (the manifest inline)."""

from django.urls import reverse

from crew.tests.factories import make_event
from events.tests.test_admin import empty_inline_management_forms
from guests.models import Guest


def test_owner_adds_a_guest_inline_on_the_event_page(client, owner, org, django_capture_on_commit_callbacks):
    event = make_event(org)
    client.force_login(owner)
    data = {
        "name": event.name,
        "slug": event.slug,
        "event_type": "charter",
        "departure_at_0": event.local(event.departure_at).strftime("%Y-%m-%d"),
        "departure_at_1": event.local(event.departure_at).strftime("%H:%M:%S"),
        "return_at_0": event.local(event.return_at).strftime("%Y-%m-%d"),
        "return_at_1": event.local(event.return_at).strftime("%H:%M:%S"),
        "source": "direct",
        "guest_count": "1",
        "notes": "",
        **empty_inline_management_forms(slots=event.role_slots.all()),
        "guests-TOTAL_FORMS": "1",
        "guests-0-name": "Taylor Guest",
        "guests-0-email": "taylor@example.com",
        "guests-0-phone": "",
        "guests-0-date_of_birth": "",
        "guests-0-guardian_name": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:events_event_change", args=[event.pk]), data)

    assert response.status_code == 302, response.context["inline_admin_formsets"] if response.context else ""
    guest = Guest.objects.get(event=event)
    assert (guest.name, guest.email, guest.organization) == ("Taylor Guest", "taylor@example.com", org)
