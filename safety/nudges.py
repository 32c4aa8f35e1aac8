"""The overdue alert: a charter not marked back by its float plan's "no later than".

At "no later than" the captain and the first mate are emailed; from 15 minutes later the
shore contacts and the brand's owners too, and everyone again every 15 minutes, until
someone acknowledges from the link in the message. Each step is an occurrence of
events.nudges (kind, event, recipient, the step's moment: unique, so sent exactly once);
the kind is urgent and safety-critical, so quiet hours never hold it, the event's switch
never stops it and nobody can unsubscribe from it. Only the step due now is offered: a
missed step is not worth sending once the next has come.
"""

from collections import defaultdict
from collections.abc import Iterator
from functools import partial

from django.utils import timezone

from charterops.models import ShoreContact
from crew.models import CrewRole
from events.nudges import Due, Kind, Scope, nudge_rule
from events.owner_alerts import owners_by_org

from .models import FloatPlan, FloatPlanFiling
from .selectors import ESCALATION_STEP, crews_aboard
from .services import ack_url

OVERDUE = Kind(
    "float_plan_overdue",
    "Overdue boat",
    urgent=True,
    safety_critical=True,
    description="overdue-boat alerts",
)
ALERTED_ROLES = (CrewRole.CAPTAIN, CrewRole.FIRST_MATE)


def _context(plan: FloatPlan, captain: tuple[str, str] | None, recipient: str, name: str) -> dict:
    org, event = plan.event.organization, plan.event
    tz = org.tz

    def local(moment):
        return timezone.localtime(moment, tz).strftime("%a %d %b %H:%M %Z")

    filing = FloatPlanFiling.objects.filter(float_plan=plan).exclude(kind="closed").order_by("-number").first()
    return {
        "vessel_name": event.vessel.name if event.vessel else event.name,
        "expected_local": local(plan.expected_return_at),
        "no_later_than_local": local(plan.no_later_than),
        "persons_on_board": plan.persons_on_board,
        "captain_text": f"{captain[0]}, {captain[1]}" if captain and captain[1] else (captain[0] if captain else "—"),
        "coast_guard_phone": org.coast_guard_phone,
        "acknowledge_url": ack_url(plan=plan, recipient=recipient, name=name),
        "float_plan_text": filing.body_text if filing else "",
    }


@nudge_rule(OVERDUE)
def float_plans_overdue(scope: Scope) -> Iterator[Due]:
    now = scope.now
    plans = list(
        scope.narrow(
            FloatPlan.objects.at_sea().filter(no_later_than__lte=now, acknowledged_at__isnull=True), "event_id"
        ).select_related("event__organization", "event__vessel")
    )
    if not plans:
        return
    event_ids = [plan.event_id for plan in plans]
    org_ids = {plan.organization_id for plan in plans}
    crews = crews_aboard(event_ids)
    shore: dict[int, list[ShoreContact]] = defaultdict(list)
    for contact in ShoreContact.objects.filter(organization_id__in=org_ids).order_by("pk"):
        shore[contact.organization_id].append(contact)
    owners = owners_by_org(org_ids)
    for plan in plans:
        step = int((now - plan.no_later_than) // ESCALATION_STEP)
        due_at = plan.no_later_than + step * ESCALATION_STEP
        event = plan.event
        alerted = [member for member in crews.get(event.pk, []) if member.role in ALERTED_ROLES]
        captain = next(((m.name, m.phone) for m in alerted if m.role == CrewRole.CAPTAIN), None)
        people: dict[str, tuple[str, str]] = {}
        for member in alerted:
            people[f"user:{member.user_id}"] = (member.email, member.name)
        if step >= 1:
            for contact in shore[plan.organization_id]:
                people.setdefault(f"shore:{contact.pk}", (contact.email, contact.name))
            for user_id, email, name in owners.get(plan.organization_id, []):
                people.setdefault(f"user:{user_id}", (email, name))
        for recipient, (address, name) in people.items():
            if not address:
                continue
            yield Due(
                event=event,
                recipient=recipient,
                address=address,
                name=name,
                due_at=due_at,
                expires_at=due_at + ESCALATION_STEP,
                template="safety/emails/overdue",
                context=partial(_context, plan, captain, recipient, name),
            )
