from django.core.management.base import BaseCommand, CommandError

from charterops.models import Organization
from events.service_keys import service_key_create


class Command(BaseCommand):
    help = "Make a booking-platform service key for an organization and print it (shown only once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("org", help="Organization slug, e.g. queenofsandiego.")
        parser.add_argument("name", help="Who will use the key, e.g. Boatsetter.")

    def handle(self, *args, org: str, name: str, **options) -> None:
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"No organization with slug {org!r}.")
        key, plain = service_key_create(organization=organization, name=name)
        self.stdout.write(f"Service key {key.prefix} for {organization} ({name}); copy it now, it is not stored:")
        self.stdout.write(plain)
