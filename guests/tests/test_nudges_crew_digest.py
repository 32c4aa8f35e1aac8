"""The crew's daily digest lists the guests still on hold: names and a count, never their
contact details or signing links (guests plug their reader into crew.nudges)."""

from datetime import UTC, datetime

from django.core import mail

from crew.tests.factories import make_crew_member, make_event
from crew.tests.scenarios import seat
from events.tests.nudging import la, sent_to, sweep
from guests.tests.factories import make_guest, make_waiver, sign

DEPARTURE = la(2027, 6, 5, 10, 0)
DIGEST_AT = datetime(2027, 6, 5, 12, 0, tzinfo=UTC)


def test_digest_lists_guests_on_hold_by_name_only(django_capture_on_commit_callbacks, org):
    org.quiet_hours_start = org.quiet_hours_end
    org.save()
    make_waiver(org)
    charter = make_event(org, name="Harbor charter", departure_at=DEPARTURE)
    deckhand = make_crew_member(org, "Casey")
    seat(charter, deckhand)
    ann = make_guest(charter, "Ann Lee", email="ann@example.com")
    make_guest(charter, "Bob Ray", email="bob@example.com")
    signed = make_guest(charter, "Cy Signed", email="cy@example.com")
    sign(signed)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DIGEST_AT, kinds=["crew_digest"])
    [to_casey] = sent_to(deckhand.user.email)
    everything = to_casey.body + to_casey.alternatives[0][0]
    assert "Guests still on hold (waiver not signed): 2 — Ann Lee, Bob Ray" in to_casey.body
    assert "Cy Signed" not in everything
    assert "ann@example.com" not in everything
    assert ann.signing_path not in everything  # never a guest's own link
    assert "/w/" not in everything
