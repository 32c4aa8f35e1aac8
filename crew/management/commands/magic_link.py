"""Print a magic link for a crew member, e.g. to hand to someone whose email bounces.

The link points at SITE_URL; the command warns when that is the default address while the
server runs elsewhere (charterops/site.py)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from charterops.site import site_url_warning
from crew.magic_links import magic_link_create, magic_link_url
from crew.models import CrewMember, MagicLink
from events.models import Event


class Command(BaseCommand):
    help = (
        "Print a single-use sign-in link for the crew member with this email address. "
        "With --event, the link opens that event (and lives as long as an event invitation)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--event", metavar="SLUG", help="open this event of the crew member's brand")
        parser.add_argument("--org", metavar="SLUG", help="the brand, when the address crews for several")

    def handle(self, *args, email: str, event: str | None, org: str | None, **options) -> None:
        members = CrewMember.objects.filter(user__email__iexact=email.strip()).select_related("user", "organization")
        if org:
            members = members.filter(organization__slug=org)
        members = list(members)
        if not members:
            raise CommandError(f"No crew member with the email address {email!r}{' in ' + org if org else ''}.")
        if len(members) > 1:
            brands = ", ".join(sorted(m.organization.slug for m in members))
            raise CommandError(f"{email} crews for several brands ({brands}); choose one with --org.")
        member = members[0]
        if event:
            found = Event.objects.for_org(member.organization).filter(slug=event).first()
            if found is None:
                raise CommandError(f"{member.organization} has no event with the slug {event!r}.")
            deep_link = f"/crew/events/{found.public_id}/"  # the crew event page
            purpose = MagicLink.Purpose.EVENT_INVITE
        else:
            deep_link, purpose = "/crew/", MagicLink.Purpose.SIGN_IN
        try:
            link, code = magic_link_create(crew_member=member, deep_link=deep_link, purpose=purpose)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        until = timezone.localtime(link.expires_at, member.organization.tz).strftime("%Y-%m-%d %H:%M %Z")
        self.stdout.write(magic_link_url(code))
        self.stderr.write(f"Single-use link for {member} ({member.organization}) to {deep_link}, valid until {until}.")
        warning = site_url_warning()
        if warning:
            self.stderr.write(self.style.WARNING(warning))
