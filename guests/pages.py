"""Rendering the static guest page of an event (what `guest_page_publish` writes to storage).

The page is self-contained: its CSS and script are inlined, its links are absolute
(SITE_URL for the signing and upload pages) or root-relative (photos, which live in the
same bucket as the page). So it works unchanged from the brand's bucket behind
CloudFront, from the default bucket, and from Django locally — with no request back to
the application server just to draw it.
"""

from datetime import datetime
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Count, Q
from django.template.loader import select_template
from django.utils.safestring import mark_safe

from events.models import Event

from .models import Guest, GuestPage, Photo, photo_window, photo_window_state

GALLERY_SIZE = 60


# Times are formatted here, in the brand's zone: templates would convert them to the
# active zone (UTC in a worker).
def local_day(moment: datetime) -> str:
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def local_time(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def local_moment(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M}"


def page_key(event: Event) -> str:
    return f"g/{event.slug}.html"


def public_url(event: Event) -> str:
    """The guest page's address: the brand's domain in production, this site locally."""
    return f"{settings.SITE_URL}/g/{event.slug}"


@cache
def _asset(name: str) -> str:
    path = finders.find(name)
    with open(path, encoding="utf-8") as f:
        return f.read()


def waiver_counts(event: Event) -> dict[str, int | bool]:
    """How many of the event's guests have signed the current waiver, in one query."""
    counts = (
        Guest.objects.filter(event=event)
        .with_waiver_status()
        .aggregate(
            total=Count("pk"),
            signed=Count("pk", filter=Q(signed_current_at__isnull=False)),
            published=Count("current_waiver_id"),
        )
    )
    return {"total": counts["total"], "signed": counts["signed"], "published": counts["published"] > 0}


def render_guest_page(*, event: Event, page: GuestPage, now: datetime) -> str:
    """Render from the brand's Jinja2 template (`guests/pages/<brand>/guest_page.html`) or the default one.

    Everything shown is chosen field by field here: never revenue, never crew contacts.
    """
    org = event.organization
    waivers = waiver_counts(event)
    photos = list(Photo.objects.filter(event=event, status=Photo.Status.UPLOADED)[:GALLERY_SIZE])
    opens_at, closes_at = photo_window(event)
    logo_url = ""
    if org.logo:
        logo_url = org.logo.url if org.logo.url.startswith("http") else f"{settings.SITE_URL}{org.logo.url}"
    context = {
        "brand": {
            "name": org.name,
            "primary_colour": org.primary_colour,
            "accent_colour": org.accent_colour,
            "logo_url": logo_url,
        },
        "event": {
            "name": event.name,
            "cancelled": event.status == "cancelled",
            "date": local_day(event.local(event.departure_at)),
            "departure": local_time(event.local(event.departure_at)),
            "return": local_time(event.local(event.return_at)),
            "meeting_point": event.location,
            "vessel": event.vessel.name if event.vessel else "",
            "time_zone": org.time_zone,
        },
        "what_to_bring": [
            line.strip(" -•") for line in (page.what_to_bring or settings.GUEST_PAGE_WHAT_TO_BRING).splitlines()
        ],
        # Counts only: the page's address is guessable, so no guest's name or personal link.
        "waivers": {**waivers, "request_url": page.link_request_url},
        "photos": [{"src": p.path} for p in photos],
        "upload": {
            "state": photo_window_state(event, now),
            "opens_at": local_moment(event.local(opens_at)),
            "closes_at": local_moment(event.local(closes_at)),
            "opens_iso": opens_at.isoformat(),
            "closes_iso": closes_at.isoformat(),
            "url": page.upload_url,
        },
        # The layout's styles and the guest pages' own, inlined: the page is served on its own.
        "css": mark_safe(_asset("css/charterops.css") + _asset("guests/guest.css")),  # noqa: S308 — our own files
        "page_url": public_url(event),
        "published_at": now,
    }
    # Jinja2 with the one layout (charterops/jinja2/base.html), rendered without a request.
    template = select_template(
        [f"guests/pages/{org.slug}/guest_page.html", "guests/pages/guest_page.html"], using="jinja2"
    )
    return template.render(context)
