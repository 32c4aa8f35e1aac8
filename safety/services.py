"""Business writes of safety at sea: check-in, the float plan's life, the return, the
overdue escalation's record and its acknowledgement.

Who may act is safety.policy's answer on top of crew.policy's roster; the start itself is
crew's service, gated by receivers.start_gate (selectors.start_check: the one gate).
"""

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from charterops.errors import Conflict
from charterops.mail import email_queue, render_email
from crew import selectors as crew_selectors
from crew.policy import Actor, EventFacts, RosterPolicy, enforce, start_window
from crew.services import who
from events.models import Event, EventStatus, WebhookEventType
from events.services import event_transition, event_update
from events.webhooks import float_plan_overdue_data, guest_boarded_data, webhook_emit
from guests.models import Guest
from guests.services import guest_create

from . import selectors
from .models import CheckIn, FloatPlan, FloatPlanFiling
from .policy import SafetyPolicy

ACK_SALT = "charterops.safety.overdue-ack"
MAX_EXTENSION = timedelta(hours=24)


def _policy(event: Event, by: AbstractBaseUser | None) -> SafetyPolicy:
    actor = Actor.system() if by is None else crew_selectors.actor_of_user(by, event.organization_id)
    facts = EventFacts(
        name=event.name,
        status=event.status,
        organization_id=event.organization_id,
        departure_at=event.departure_at,
        start_window=start_window(event.organization.start_window_hours),
    )
    return SafetyPolicy(RosterPolicy(actor, facts, crew_selectors.event_slots(event.pk)))


def _plan_for_update(event: Event) -> FloatPlan:
    plan, _ = FloatPlan.objects.get_or_create(event=event, defaults={"organization_id": event.organization_id})
    return FloatPlan.objects.select_for_update().get(pk=plan.pk)


# --- Check-in -----------------------------------------------------------------------------


class StaleCheckIn(Conflict):
    """Someone changed this guest's check-in since the page was loaded; `check_in` is it now."""

    def __init__(self, message: str, *, check_in: CheckIn):
        super().__init__(message)
        self.check_in = check_in


def _seen_version(value: object) -> int:
    try:
        version = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError("The check-in's version is missing or not a number; reload the page.") from None
    if not 0 <= version <= 2**31 - 1:
        raise ValidationError("The check-in's version is missing or not a number; reload the page.")
    return version


@transaction.atomic
def check_in_set(
    *, event: Event, guest: Guest, boarded: bool, seen_version: int | str, by: AbstractBaseUser | None
) -> CheckIn:
    """Mark a guest aboard (or not), only if their check-in is still at the version the person saw
    (0: never tapped). Boarding tells webhook endpoints (guest.boarded) once the write commits."""
    if guest.event_id != event.pk:
        raise ValidationError("That guest is not on this charter.")
    version = _seen_version(seen_version)
    enforce(_policy(event, by).check_in_refusal())
    CheckIn.objects.get_or_create(guest=guest, defaults={"event": event, "organization_id": event.organization_id})
    current = CheckIn.objects.select_for_update(of=("self",)).select_related("changed_by").get(guest=guest)
    if current.version != version:
        state = "aboard" if current.boarded else "not aboard"
        raise StaleCheckIn(
            f"{guest.name} was marked {state} by {who(current.changed_by)} since you looked. "
            "Your tap was not saved: check and tap again.",
            check_in=current,
        )
    if current.boarded != boarded:
        current.boarded = boarded
        current.version = F("version") + 1
        current.changed_at = timezone.now()
        current.changed_by = by
        current.save(update_fields=["boarded", "version", "changed_at", "changed_by"])
        current.refresh_from_db()
        if boarded:
            _boarded_emit(event, guest, current)
    return current


def _boarded_emit(event: Event, guest: Guest, check_in: CheckIn) -> None:
    on_hold = Guest.objects.filter(pk=guest.pk).on_hold().exists()
    webhook_emit(
        organization_id=event.organization_id,
        event_type=WebhookEventType.GUEST_BOARDED,
        event=event,
        data=lambda: guest_boarded_data(
            event=event, guest_name=guest.name, boarded_at=check_in.changed_at, on_hold=on_hold
        ),
    )


@transaction.atomic
def walk_up_add(
    *,
    event: Event,
    name: str,
    by: AbstractBaseUser | None,
    email: str = "",
    phone: str = "",
    is_minor: bool = False,
    guardian_name: str = "",
) -> Guest:
    """A guest who was not booked comes aboard: on the manifest, checked in, and sent their
    waiver link (by email when given; the page offers it to their phone by text)."""
    enforce(_policy(event, by).check_in_refusal())
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the guest's name.")
    if not (email or phone):
        raise ValidationError("Give an email or a phone number, so the guest gets their waiver link.")
    if is_minor and not (guardian_name or "").strip():
        raise ValidationError("A minor's waiver is signed by a guardian: give the guardian's name.")
    guest = guest_create(
        event=event,
        name=name,
        by=by,
        email=email.strip(),
        phone=phone.strip(),
        is_minor=is_minor,
        guardian_name=(guardian_name or "").strip(),
    )
    check_in = CheckIn.objects.create(
        event=event,
        organization_id=event.organization_id,
        guest=guest,
        boarded=True,
        walk_up=True,
        version=1,
        changed_by=by,
    )
    _boarded_emit(event, guest, check_in)
    return guest


@transaction.atomic
def headcount_record(*, event: Event, headcount: int | str, by: AbstractBaseUser | None) -> FloatPlan:
    """The heads the captain counted aboard; the start gate compares them with the check-in."""
    enforce(_policy(event, by).check_in_refusal())
    try:
        count = int(str(headcount).strip())
    except (TypeError, ValueError):
        raise ValidationError("Give the number of people you counted aboard.") from None
    if not 0 < count <= 500:
        raise ValidationError("Give the number of people you counted aboard (crew included).")
    plan = _plan_for_update(event)
    plan.headcount, plan.headcount_at = count, timezone.now()
    plan.save(update_fields=["headcount", "headcount_at"])
    return plan


@transaction.atomic
def route_set(*, event: Event, area: str, by: AbstractBaseUser | None) -> FloatPlan:
    """The planned area or route, in the captain's words; at sea it files an amended plan."""
    enforce(_policy(event, by).route_refusal())
    area = (area or "").strip()
    if len(area) > 1000:
        raise ValidationError("Keep the route under 1000 characters.")
    plan = _plan_for_update(event)
    if plan.area == area:
        return plan
    plan.area = area
    plan.save(update_fields=["area"])
    if plan.at_sea:
        _file(plan, FloatPlanFiling.Kind.AMENDED, by)
    return plan


# --- The float plan -----------------------------------------------------------------------


def _file(plan: FloatPlan, kind: str, by: AbstractBaseUser | None, now: datetime | None = None) -> FloatPlanFiling:
    """Record the plan as it is now and send it to the brand's shore contacts (once: the
    email's key is the filing's number)."""
    now = now or timezone.now()
    document = selectors.float_plan_document(plan=plan, now=now)
    number = (plan.filings.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    context = {"doc": document, "kind": kind, "number": number, "organization": document.organization}
    subject, text, _ = render_email("safety/emails/float_plan", context)
    addresses = [contact.email for contact in document.shore_contacts]
    email = None
    if addresses:
        email = email_queue(
            key=f"float_plan:{plan.pk}:{number}",
            kind=f"float_plan_{kind}",
            to=addresses,
            template="safety/emails/float_plan",
            context=context,
            organization=document.organization,
        )
    return FloatPlanFiling.objects.create(
        float_plan=plan, number=number, kind=kind, at=now, by=by, subject=subject, body_text=text, email=email
    )


def _times(plan: FloatPlan, event: Event) -> None:
    plan.expected_return_at = event.return_at
    plan.no_later_than = event.return_at + timedelta(minutes=event.organization.overdue_grace_minutes)


@transaction.atomic
def float_plan_file(
    *, event: Event, by: AbstractBaseUser | None, override: str = "", missing: list[str] | None = None
) -> FloatPlan:
    """The charter left: file its float plan (vessel, operator, POB, route, times, what to do)."""
    plan = _plan_for_update(event)
    if plan.is_filed:
        return plan
    now = timezone.now()
    check = selectors.start_check(organization_id=event.organization_id, event_id=event.pk)
    plan.filed_at = plan.departed_at = now
    plan.persons_on_board = check.pob
    plan.start_override = override[:300]
    plan.start_missing = "; ".join(missing or [])
    _times(plan, event)
    plan.save()
    _file(plan, FloatPlanFiling.Kind.FILED, by, now)
    return plan


@transaction.atomic
def float_plan_amend_if_moved(*, event: Event, by: AbstractBaseUser | None = None) -> FloatPlan | None:
    """The return time changed while at sea: file an amended plan with the new times (and
    start the overdue watch afresh: an acknowledgement was about the old time)."""
    plan = FloatPlan.objects.select_for_update().filter(event=event).first()
    if plan is None or not plan.at_sea or plan.expected_return_at == event.return_at:
        return None
    _times(plan, event)
    plan.acknowledged_at, plan.acknowledged_by, plan.overdue_level = None, "", -1
    plan.save(
        update_fields=["expected_return_at", "no_later_than", "acknowledged_at", "acknowledged_by", "overdue_level"]
    )
    _file(plan, FloatPlanFiling.Kind.AMENDED, by)
    return plan


@transaction.atomic
def trip_extend(*, event: Event, return_at: datetime, by: AbstractBaseUser | None) -> Event:
    """The captain moves the expected return (the amended plan follows from the change)."""
    enforce(_policy(event, by).at_sea_refusal("extend the trip"))
    if timezone.is_naive(return_at):
        raise ValidationError("Give the new return time with its time zone.")
    if return_at <= timezone.now() - timedelta(minutes=5) or return_at <= event.departure_at:
        raise ValidationError("The new return time must be in the future.")
    if return_at - event.return_at > MAX_EXTENSION:
        raise ValidationError("Extend by at most 24 hours at a time.")
    # The amendment follows from the change (receivers.float_plan_amend), filed in this person's name.
    event._changed_by = by
    return event_update(event=event, by=by, return_at=return_at)


def _close(plan: FloatPlan, by: AbstractBaseUser | None, now: datetime) -> None:
    plan.closed_at = now
    plan.save(update_fields=["returned_at", "returned_by", "closed_at"])
    _file(plan, FloatPlanFiling.Kind.CLOSED, by, now)


@transaction.atomic
def float_plan_return(*, event: Event, by: AbstractBaseUser | None) -> FloatPlan:
    """Back at the dock: the return is recorded, the float plan closed and the shore contacts
    told. The post-return checklist is then what is left; with none, the charter completes."""
    enforce(_policy(event, by).at_sea_refusal("mark the boat back at the dock"))
    plan = _plan_for_update(event)
    if plan.returned_at is not None:
        raise Conflict("The boat is already back at the dock.")
    now = timezone.now()
    plan.returned_at, plan.returned_by = now, by
    if plan.is_filed:
        _close(plan, by, now)
    else:  # started before it had a float plan: nothing was filed, so nothing to close ashore
        plan.closed_at = now
        plan.save(update_fields=["returned_at", "returned_by", "closed_at"])
    if not selectors.post_return_left(event_id=event.pk):
        event_transition(event=event, to_status=EventStatus.COMPLETED, by=by, reason="Back at the dock.")
    return plan


def float_plan_close_on_end(*, event: Event, to_status: str, by: AbstractBaseUser | None) -> None:
    """Completed or cancelled from elsewhere (the back office) while at sea: the plan closes too."""
    plan = FloatPlan.objects.select_for_update().filter(event=event).first()
    if plan is None or not plan.at_sea:
        return
    _close(plan, by, timezone.now())


def complete_if_checklist_done(*, event_id: int, by: AbstractBaseUser | None) -> bool:
    """The post-return checklist is done after the return: the charter is complete."""
    event = Event.objects.select_related("organization").filter(pk=event_id).first()
    if event is None or event.status != EventStatus.IN_PROGRESS:
        return False
    if not FloatPlan.objects.filter(event=event, returned_at__isnull=False).exists():
        return False
    if selectors.post_return_left(event_id=event.pk):
        return False
    event_transition(event=event, to_status=EventStatus.COMPLETED, by=by, reason="Post-return checklist complete.")
    return True


@transaction.atomic
def charter_complete(*, event: Event, by: AbstractBaseUser) -> Event:
    """An owner completes the charter from the crew page (a float plan still open is closed)."""
    enforce(_policy(event, by).complete_refusal())
    return event_transition(event=event, to_status=EventStatus.COMPLETED, by=by, reason="Completed by an owner.")


# --- Overdue: acknowledgement and the webhook record --------------------------------------


def ack_token(*, plan: FloatPlan, recipient: str, name: str) -> str:
    return signing.dumps([plan.pk, recipient, name[:120]], salt=ACK_SALT, compress=True)


def ack_url(*, plan: FloatPlan, recipient: str, name: str) -> str:
    from django.conf import settings

    token = ack_token(plan=plan, recipient=recipient, name=name)
    return f"{settings.SITE_URL}{reverse('safety:acknowledge', args=[token])}"


def ack_token_read(token: str) -> tuple[int, str, str] | None:
    try:
        plan_id, recipient, name = signing.loads(token, salt=ACK_SALT)
        return int(plan_id), str(recipient), str(name)
    except (signing.BadSignature, ValueError, TypeError):
        return None


@transaction.atomic
def overdue_acknowledge(*, plan: FloatPlan, name: str) -> FloatPlan:
    """Someone has taken charge of the overdue boat: who and when are recorded, the repeats
    stop (the float plan stays open until the boat is back)."""
    locked = FloatPlan.objects.select_for_update().get(pk=plan.pk)
    if not locked.at_sea:
        raise Conflict("This boat is back: its float plan is closed.")
    if locked.acknowledged_at is None:
        locked.acknowledged_at, locked.acknowledged_by = timezone.now(), name[:300]
        locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return locked


def overdue_step(plan: FloatPlan, now: datetime) -> int | None:
    """Which escalation step is due now (0 at "no later than", 1 at +15 min …), or None."""
    if not plan.is_overdue(now) or plan.acknowledged_at is not None:
        return None
    return int((now - plan.no_later_than) // selectors.ESCALATION_STEP)


def float_plans_overdue_emit(*, now: datetime | None = None) -> int:
    """Tell webhook endpoints of each overdue step once (float_plan.overdue): the step is
    recorded on the plan by a conditional update, so parallel sweeps emit it once."""
    now = now or timezone.now()
    emitted = 0
    overdue = FloatPlan.objects.at_sea().filter(no_later_than__lte=now, acknowledged_at__isnull=True)
    for plan in overdue.select_related("event"):
        level = overdue_step(plan, now)
        if level is None or level <= plan.overdue_level:
            continue
        with transaction.atomic():
            if not FloatPlan.objects.filter(pk=plan.pk, overdue_level__lt=level).update(overdue_level=level):
                continue
            webhook_emit(
                organization_id=plan.organization_id,
                event_type=WebhookEventType.FLOAT_PLAN_OVERDUE,
                event=plan.event,
                data=lambda plan=plan, level=level: float_plan_overdue_data(
                    event=plan.event,
                    expected_return_at=plan.expected_return_at,
                    no_later_than=plan.no_later_than,
                    persons_on_board=plan.persons_on_board,
                    level=level,
                ),
            )
            emitted += 1
    return emitted
