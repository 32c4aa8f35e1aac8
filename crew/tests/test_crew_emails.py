"""Crew emails: a designation mails a magic link to the event, a claim mails a
confirmation; each is sent once however often its task runs, and never carries revenue."""

from decimal import Decimal

import pytest
from django.core import mail

from charterops.models import OutboundEmail
from crew import services, tasks
from crew.magic_links import code_hash
from crew.models import CrewRole, MagicLink, RoleClaim
from crew.services import CrewAssignment
from crew.tests.factories import make_event
from crew.tests.scenarios import slot

SENTINEL = Decimal("987654.32")


@pytest.fixture
def event(org):
    return make_event(org, name="Harbor charter", location="Shelter Island", revenue={"gross": SENTINEL})


def test_event_created_with_crew_emails_each_a_magic_link_to_the_event(
    org, owner, captain, deckhand, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(
            org,
            by=owner,
            name="Harbor charter",
            revenue={"gross": SENTINEL},
            crew=[CrewAssignment("captain", captain), CrewAssignment("deckhand", deckhand)],
        )

    invites = sorted(
        OutboundEmail.objects.filter(kind="crew_invite"), key=lambda email: email.to[0] != captain.user.email
    )
    assert [email.to for email in invites] == [[captain.user.email], [deckhand.user.email]]
    assert len(mail.outbox) == 2
    for email, member in zip(invites, (captain, deckhand), strict=True):
        assert email.status == OutboundEmail.Status.SENT
        assert email.from_email == org.from_address
        link = MagicLink.objects.get(crew_member=member)
        assert link.purpose == MagicLink.Purpose.EVENT_INVITE
        assert link.deep_link == f"/crew/events/{event.public_id}/"
        code = email.body_text.split("/m/")[1].split()[0]
        assert code_hash(code) == link.code_hash  # the mailed code is the stored one
        assert f"/m/{code}" in email.body_html
    assert "Captain on Harbor charter" in invites[0].subject


def test_a_claim_is_confirmed_by_email_once(event, deckhand, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.role_claim(slot=slot(event), crew_member=deckhand)

    email = OutboundEmail.objects.get(kind="role_confirmation")
    assert email.to == [deckhand.user.email]
    assert "You're Deckhand 1 on Harbor charter" in email.subject
    assert f"/crew/events/{event.public_id}/" in email.body_text
    assert not MagicLink.objects.exists()  # they are signed in already: no new link

    claim = RoleClaim.objects.get(action=RoleClaim.Action.CLAIM)
    tasks.role_confirmation_send(claim.pk)  # a retried task
    assert OutboundEmail.objects.filter(kind="role_confirmation").count() == 1
    assert len(mail.outbox) == 1


def test_a_retried_invite_task_sends_once_and_makes_no_second_link(event, owner, deckhand):
    services.role_designate(slot=slot(event), crew_member=deckhand, by=owner)  # on_commit not run here
    claim = RoleClaim.objects.get(action=RoleClaim.Action.DESIGNATE)

    assert tasks.crew_invite_send(claim.pk) == "queued"
    assert tasks.crew_invite_send(claim.pk) == "queued"

    assert OutboundEmail.objects.filter(kind="crew_invite").count() == 1
    assert MagicLink.objects.count() == 1


def test_no_invite_once_the_designee_was_released(event, owner, deckhand):
    services.role_designate(slot=slot(event), crew_member=deckhand, by=owner)
    services.role_release(slot=slot(event), by=owner)
    claim = RoleClaim.objects.get(action=RoleClaim.Action.DESIGNATE)
    assert tasks.crew_invite_send(claim.pk) == "skipped"
    assert not OutboundEmail.objects.exists()


def test_tasks_for_missing_or_mismatched_rows_do_nothing(event, deckhand):
    services.role_claim(slot=slot(event), crew_member=deckhand)
    claim = RoleClaim.objects.get()
    assert tasks.crew_invite_send(claim.pk) == "skipped"  # a claim is not a designation
    assert tasks.role_confirmation_send(10**9) == "skipped"


def test_crew_emails_never_carry_revenue(org, owner, captain, deckhand, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(
            org,
            by=owner,
            revenue={"gross": SENTINEL, "captain_rate": Decimal("50"), "captain_hours": Decimal("3")},
            crew=[CrewAssignment("captain", captain)],
        )
        services.role_claim(slot=slot(event, CrewRole.DECKHAND), crew_member=deckhand)

    emails = OutboundEmail.objects.filter(kind__in=["crew_invite", "role_confirmation"])
    assert emails.count() == 2
    for email in emails:
        for part in (email.subject, email.body_text, email.body_html):
            assert "987654" not in part
            assert "987,654" not in part
            assert "$" not in part
