from django.core.management.base import BaseCommand, CommandError

from charterops.models import Organization
from events.models import Source
from events.service_keys import service_key_create


class Command(BaseCommand):
    help = "Make a booking-platform service key for an organization and print it (shown only once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("org", help="Organization slug, e.g. queenofsandiego.")
        parser.add_argument("name", help="Who will use the key, e.g. Boatsetter.")
        parser.add_argument(
            "--source",
            choices=[s for s in Source.values if s != Source.DIRECT],
            help="The platform (default: taken from the name when it is one, else other).",
        )

    def handle(self, *args, org: str, name: str, source: str | None, **options) -> None:
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"No organization with slug {org!r}.")
        if source is None:
            by_label = {label.lower(): value for value, label in Source.choices if value != Source.DIRECT}
            source = by_label.get(name.replace(" ", "").lower(), Source.OTHER)
        key, plain = service_key_create(organization=organization, name=name, source=source)
        self.stdout.write(f"Service key {key.prefix} for {organization} ({name}); copy it now, it is not stored:")
        self.stdout.write(plain)
