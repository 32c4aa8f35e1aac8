"""Rendering the static guest page of an event (what `guest_page_publish` writes to storage).

The page is self-contained: its CSS and script are inlined, its links are absolute
(SITE_URL for the upload and lost-link pages) or root-relative (photos and the .ics,
which live in the same bucket as the page). So it works unchanged from the brand's bucket behind
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

from events.models import Event, EventStatus
from events.timing import event_sun_times

from .brand import Clock, map_url, page_title
from .calendar import calendar_key
from .models import Guest, GuestPage, Photo, photo_window, photo_window_state

GALLERY_SIZE = 60


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
    clock = Clock.of(org)
    waivers = waiver_counts(event)
    photos = list(Photo.objects.filter(event=event, status=Photo.Status.UPLOADED)[:GALLERY_SIZE])
    opens_at, closes_at = photo_window(event)
    sun = event_sun_times(event)
    cancelled = event.status == EventStatus.CANCELLED
    logo_url = ""
    if org.logo:
        logo_url = org.logo.url if org.logo.url.startswith("http") else f"{settings.SITE_URL}{org.logo.url}"
    context = {
        "brand": {
            "name": org.name,
            "primary_colour": org.primary_colour,
            "accent_colour": org.accent_colour,
            "logo_url": logo_url,
            "phone": org.contact_phone,
            "phone_href": org.contact_phone_href,
        },
        "event": {
            "title": page_title(page),
            "cancelled": cancelled,
            "date": clock.day(event.departure_at),
            "departure": clock.time(event.departure_at),
            "return": clock.time(event.return_at),
            "sunset": clock.time(sun.sunset) if sun.sunset else "",
            "zone": clock.zone(event.departure_at),
            "meeting_point": event.location,
            "map_url": map_url(event.location),
            "vessel": event.vessel.name if event.vessel else "",
            # Root-relative, like the photos: the file sits beside the page in the brand's storage.
            "calendar_path": f"/{calendar_key(event)}",
        },
        "what_to_bring": [
            line.strip(" -•") for line in (page.what_to_bring or settings.GUEST_PAGE_WHAT_TO_BRING).splitlines()
        ],
        # Counts only: the page's address is guessable, so no guest's name or personal link.
        "waivers": {**waivers, "request_url": page.link_request_url},
        "photos": [{"src": p.path} for p in photos],
        "upload": {
            "state": photo_window_state(event, now),
            "opens_at": clock.moment(opens_at),
            "closes_at": clock.moment(closes_at),
            "opens_iso": opens_at.isoformat(),
            "closes_iso": closes_at.isoformat(),
            "url": page.upload_url,
        },
        # The layout's styles and the guest pages' own, inlined: the page is served on its own.
        "css": mark_safe(_asset("css/charterops.css") + _asset("guests/guest.css")),  # noqa: S308 — our own files
        "page_url": public_url(event),
    }
    # Jinja2 with the one layout (charterops/jinja2/base.html), rendered without a request.
    template = select_template(
        [f"guests/pages/{org.slug}/guest_page.html", "guests/pages/guest_page.html"], using="jinja2"
    )
    return template.render(context)
