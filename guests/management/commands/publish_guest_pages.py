from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from charterops.models import Organization
from charterops.site import site_url_warning
from events.models import Event
from guests.services import guest_page_publish


class Command(BaseCommand):
    help = (
        "Republish the guest pages of every event (or one organization's) to the brand's storage. "
        "Their links point at SITE_URL; a warning says when that is the default while the server runs elsewhere."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", help="Only this organization (slug).")

    def handle(self, *args, org: str | None = None, **options) -> None:
        events = Event.objects.select_related("organization").order_by("organization", "departure_at")
        if org:
            organization = Organization.objects.filter(slug=org).first()
            if organization is None:
                raise CommandError(f"No organization with slug {org!r}.")
            events = events.for_org(organization)
        published = 0
        for event in events.iterator(chunk_size=200):
            guest_page_publish(event=event)
            published += 1
        brand = f" of {org}" if org else ""
        self.stdout.write(f"Published {published} guest page(s){brand}; their links point at {settings.SITE_URL}.")
        warning = site_url_warning()
        if warning:
            self.stderr.write(self.style.WARNING(warning))
