"""Celery tasks of guests: thin, take ids, safe to run twice."""

from celery import shared_task

from events.models import Event

from . import services
from .models import WaiverSignature


@shared_task(max_retries=5, default_retry_delay=30, autoretry_for=(OSError,))
def publish_guest_page(event_id: int) -> str:
    """Republish one event's guest page (unchanged pages are not rewritten)."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return "gone"
    page = services.guest_page_publish(event=event)
    return page.published_key


@shared_task(max_retries=5, default_retry_delay=30, autoretry_for=(OSError,))
def send_waiver_copy(signature_id: int) -> str:
    """Store the PDF copy of a signature and mail it to the guest."""
    signature = WaiverSignature.objects.select_related("guest__event__organization", "template").filter(pk=signature_id)
    signature = signature.first()
    if signature is None:
        return "gone"
    email = services.waiver_copy_send(signature=signature)
    return "mailed" if email else "stored"
