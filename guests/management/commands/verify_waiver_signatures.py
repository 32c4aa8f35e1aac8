from django.core.management.base import BaseCommand, CommandError

from charterops.models import Organization
from guests.services import waiver_signatures_verify


class Command(BaseCommand):
    help = "Recompute the SHA-256 of every signed waiver's text and image; report (and fail on) any mismatch."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", help="Only this organization (slug).")

    def handle(self, *args, org: str | None = None, **options) -> None:
        organization = None
        if org:
            organization = Organization.objects.filter(slug=org).first()
            if organization is None:
                raise CommandError(f"No organization with slug {org!r}.")
        checked, bad = waiver_signatures_verify(organization=organization)
        for signature, problems in bad:
            what = " and ".join(problems)
            self.stdout.write(
                f"MISMATCH {signature.public_id}: {signature.guest.name}, {signature.template} — "
                f"the {what} no longer match the recorded hash"
            )
        if bad:
            raise CommandError(f"Mismatches in {len(bad)} of {checked} signature(s).")
        self.stdout.write(f"Checked {checked} signature(s): all hashes match.")
