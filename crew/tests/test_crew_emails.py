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


# --- Nobody is replaced, removed or cancelled on silently ------------------------------------


def emails(kind: str) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(kind=kind).order_by("pk"))


def test_replacing_a_holder_emails_the_person_replaced_once(
    event, org, owner, deckhand, django_capture_on_commit_callbacks
):
    from crew.tests.factories import make_crew_member

    services.role_claim(slot=slot(event), crew_member=deckhand)
    with django_capture_on_commit_callbacks(execute=True):
        services.role_designate(slot=slot(event), crew_member=make_crew_member(org, "Riley"), by=owner, replace=True)

    [removed] = emails("role_removed")
    assert removed.to == [deckhand.user.email]
    assert removed.subject.startswith("You're no longer Deckhand 1 on Harbor charter")
    assert f"{owner.email} has taken you off Harbor charter" in removed.body_text
    assert removed.status == OutboundEmail.Status.SENT
    assert [email.to for email in emails("crew_invite")] == [["riley.queenofsandiego@example.com"]]

    release = RoleClaim.objects.get(action=RoleClaim.Action.RELEASE)
    assert tasks.role_release_send(release.pk) == "queued 1"  # a retried task: the same recorded email
    assert len(emails("role_removed")) == 1
    assert [m.to for m in mail.outbox].count([deckhand.user.email]) == 1


def test_the_captain_releasing_a_deckhand_emails_the_deckhand(
    event, captain, deckhand, django_capture_on_commit_callbacks
):
    from crew.tests.scenarios import seat

    seat(event, captain, CrewRole.CAPTAIN)
    seat(event, deckhand)
    with django_capture_on_commit_callbacks(execute=True):
        services.role_release(slot=slot(event), by=captain.user)
    [removed] = emails("role_removed")
    assert removed.to == [deckhand.user.email]
    assert "Dana has taken you off" in removed.body_text
    assert not emails("role_released")  # the captain did it: nobody else to tell


def test_crew_leaving_a_slot_tells_the_captain_once(event, captain, deckhand, django_capture_on_commit_callbacks):
    from crew.tests.scenarios import seat

    seat(event, captain, CrewRole.CAPTAIN)
    seat(event, deckhand)
    with django_capture_on_commit_callbacks(execute=True):
        services.role_release(slot=slot(event), by=deckhand.user)

    [told] = emails("role_released")
    assert told.to == [captain.user.email]
    assert told.subject == "Casey left Deckhand 1 on Harbor charter — the slot is open"
    assert f"/crew/events/{event.public_id}/" in told.body_text
    assert not emails("role_removed")  # they left of their own accord
    release = RoleClaim.objects.get(action=RoleClaim.Action.RELEASE)
    tasks.role_release_send(release.pk)
    assert len(emails("role_released")) == 1


def test_the_captain_leaving_tells_the_owners(event, org, owner, captain, django_capture_on_commit_callbacks):
    from charterops.tests.factories import make_owner
    from crew.tests.scenarios import seat

    second_owner = make_owner(org, "oona-owner")
    seat(event, captain, CrewRole.CAPTAIN)
    with django_capture_on_commit_callbacks(execute=True):
        services.role_release(slot=slot(event, CrewRole.CAPTAIN), by=captain.user)
    assert sorted(email.to[0] for email in emails("role_released")) == sorted([owner.email, second_owner.email])


def test_no_word_of_a_release_undone_before_the_email_went(event, deckhand, django_capture_on_commit_callbacks):
    services.role_claim(slot=slot(event), crew_member=deckhand)
    services.role_release(slot=slot(event), by=deckhand.user)
    services.role_claim(slot=slot(event), crew_member=deckhand)  # changed their mind
    release = RoleClaim.objects.get(action=RoleClaim.Action.RELEASE)
    assert tasks.role_release_send(release.pk) == "skipped"
    assert not OutboundEmail.objects.filter(kind__in=["role_released", "role_removed"]).exists()


def test_a_cancelled_charter_tells_everyone_aboard_once_each(
    event, org, owner, captain, deckhand, django_capture_on_commit_callbacks
):
    from crew.tests.scenarios import seat
    from events.services import event_transition

    seat(event, captain, CrewRole.CAPTAIN)
    seat(event, deckhand)
    with django_capture_on_commit_callbacks(execute=True):
        event_transition(event=event, to_status="cancelled", by=owner)

    cancelled = emails("event_cancelled")
    assert sorted(email.to[0] for email in cancelled) == sorted([captain.user.email, deckhand.user.email])
    assert all(email.subject.startswith("Cancelled: Harbor charter") for email in cancelled)
    assert "You were its Deckhand 1" in next(e for e in cancelled if e.to == [deckhand.user.email]).body_text
    assert tasks.event_cancelled_send(event.pk) == "queued 2"  # retried: the same two recorded emails
    assert len(emails("event_cancelled")) == 2
    assert len([m for m in mail.outbox if m.subject.startswith("Cancelled:")]) == 2


def test_a_cancellation_that_was_refused_tells_nobody(event, owner, deckhand, django_capture_on_commit_callbacks):
    from crew.tests.scenarios import seat
    from events.services import event_transition

    seat(event, deckhand)
    event_transition(event=event, to_status="cancelled", by=owner)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception, match="Cannot move"):
        event_transition(event=event, to_status="cancelled", by=owner)  # already cancelled: refused
    assert not emails("event_cancelled")  # the first move's task was never run here, the second refused
    assert tasks.event_cancelled_send(event.pk) == "queued 1"


def test_the_cancellation_task_of_an_event_not_cancelled_does_nothing(event, deckhand):
    from crew.tests.scenarios import seat

    seat(event, deckhand)
    assert tasks.event_cancelled_send(event.pk) == "skipped"
    assert not emails("event_cancelled")
