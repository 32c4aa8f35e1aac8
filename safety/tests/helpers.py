"""Helpers of the safety tests: board guests and start a charter as the captain does."""

from crew import services as crew_services
from safety import services
from safety.models import CheckIn


def board(event, guest, by):
    version = CheckIn.objects.filter(guest=guest).values_list("version", flat=True).first() or 0
    return services.check_in_set(event=event, guest=guest, boarded=True, seen_version=version, by=by)


def start(event, captain, reason=""):
    return crew_services.event_start(event=event, by=captain.user, reason=reason)
