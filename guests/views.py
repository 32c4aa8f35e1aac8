"""Guest-facing pages: signing a waiver, the published guest page, photo uploads.

Guests have no account: every view is reached by an unguessable token (or, for the
public guest page, the event's slug on the brand's domain). An unknown or revoked token
is a plain 404, whoever's data it might have pointed at.
"""

import json
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charterops.errors import DomainError
from charterops.http import client_ip, request_host
from events.models import Event, EventStatus

from . import services
from .brand import Clock, page_title, public_title
from .forms import PhotoAuthorizeForm, SigningLinkRequestForm, WaiverSignForm
from .models import (
    Guest,
    GuestPage,
    Photo,
    SigningState,
    WaiverSignature,
    WaiverTemplate,
    photo_window,
    photo_window_state,
    signing_state,
)
from .pages import public_url
from .services import LinkRequestThrottled
from .storage import photo_response, storage_for, uses_s3

TOKEN_MAX_LENGTH = 64


def _guest_or_404(token: str) -> Guest:
    if len(token) > TOKEN_MAX_LENGTH:
        raise Http404("No such link.")
    guest = (
        Guest.objects.select_related("event__organization", "event__vessel", "event__guest_page")
        .filter(token=token)
        .first()
    )
    if guest is None:
        raise Http404("No such link.")
    return guest


def _page_or_404(token: str) -> GuestPage:
    if len(token) > TOKEN_MAX_LENGTH:
        raise Http404("No such link.")
    page = GuestPage.objects.select_related("event__organization").filter(upload_token=token).first()
    if page is None:
        raise Http404("No such link.")
    return page


def _photo_or_404(page: GuestPage, photo_token: str) -> Photo:
    # Scoped to the page's event: another event's photo token is a 404 here.
    photo = Photo.objects.filter(event_id=page.event_id, token=photo_token[:TOKEN_MAX_LENGTH]).first()
    if photo is None:
        raise Http404("No such upload.")
    return photo


def _json_error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"error": code, "detail": detail}, status=status)


def json_errors(view):
    """Turn a service's refusal into the project's JSON error shape (never a 500)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return _json_error(exc.status, exc.code, exc.message)
        except ValidationError as exc:
            return _json_error(400, "invalid", " ".join(exc.messages))

    return wrapper


def _guest_context(event: Event, title: str, **extra) -> dict:
    """What every guest-facing page shows of the charter: its public title, day and
    departure in the brand's zone and clock style, the brand's phone, the charter page."""
    org = event.organization
    clock = Clock.of(org)
    return {
        "brand": org,
        "event": event,
        "title": title,
        "clock": clock,
        "event_day": clock.day(event.departure_at),
        "event_departure": clock.time(event.departure_at),
        "guest_page_url": public_url(event),
        **extra,
    }


def _signing_context(guest: Guest, template: WaiverTemplate | None, **extra) -> dict:
    return _guest_context(guest.event, public_title(guest.event), guest=guest, template=template, **extra)


# --- Waivers -------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def waiver_sign(request: HttpRequest, token: str) -> HttpResponse:
    guest = _guest_or_404(token)
    template = WaiverTemplate.objects.current_for(guest.event.organization)
    if template is not None and WaiverSignature.objects.filter(guest=guest, template=template).exists():
        return redirect("guests:waiver_signed", token=guest.token)
    state = signing_state(guest.event, timezone.now())
    if state != SigningState.OPEN:
        return _signing_closed(request, guest, state.label)
    if template is None:
        return render(request, "guests/waiver_none.html", _signing_context(guest, None))
    form = WaiverSignForm(request.POST or None, guest=guest)
    if request.method == "POST" and form.is_valid():
        try:
            services.waiver_sign(
                guest=guest,
                template=template,
                signed_name=form.cleaned_data["signed_name"],
                signature_png=form.cleaned_data["signature"],
                consent=form.cleaned_data["consent"],
                signer=form.cleaned_data["signer"],
                relationship=form.cleaned_data["relationship"],
                no_offers=form.cleaned_data["no_offers"],
                ip_address=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except DomainError as exc:  # cancelled or back at the dock while the page was open
            return _signing_closed(request, guest, exc.message)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect("guests:waiver_signed", token=guest.token)
    status = 400 if form.is_bound else 200
    return render(request, "guests/waiver_sign.html", _signing_context(guest, template, form=form), status=status)


@never_cache
@require_GET
def waiver_signed(request: HttpRequest, token: str) -> HttpResponse:
    guest = _guest_or_404(token)
    template = WaiverTemplate.objects.current_for(guest.event.organization)
    signature = WaiverSignature.objects.filter(guest=guest, template=template).first() if template else None
    if signature is None:
        return redirect("guests:waiver_sign", token=guest.token)
    signed_at = Clock.of(guest.event.organization).record(signature.signed_at)
    context = _signing_context(guest, template, signature=signature, signed_at=signed_at)
    return render(request, "guests/waiver_signed.html", context)


@never_cache
@require_GET
def waiver_signed_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The guest's PDF copy of the waiver they signed (the current version), for their link only."""
    guest = _guest_or_404(token)
    template = WaiverTemplate.objects.current_for(guest.event.organization)
    signature = (
        WaiverSignature.objects.select_related("template").filter(guest=guest, template=template).first()
        if template
        else None
    )
    if signature is None:
        raise Http404("No signed waiver at this link.")
    services.waiver_pdf_ensure(signature=signature)
    response = FileResponse(
        default_storage.open(signature.pdf_path, "rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"waiver-{guest.event.slug}.pdf",
    )
    response["Referrer-Policy"] = "no-referrer"
    return response


def _signing_closed(request: HttpRequest, guest: Guest, reason: str) -> HttpResponse:
    """A clear page, not a form: nothing can be signed for this charter any more (410 Gone)."""
    return render(request, "guests/waiver_closed.html", _signing_context(guest, None, reason=reason), status=410)


# --- A lost signing link, asked for again ---------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def signing_link_request(request: HttpRequest, token: str) -> HttpResponse:
    """The guest page's "lost your link?": the link is mailed to the guest, never shown here.

    The answer is the same page whether or not the email or phone matched a guest.
    """
    page = _page_or_404(token)
    event = page.event
    context = _guest_context(event, page_title(page), cancelled=event.status == EventStatus.CANCELLED)
    form = SigningLinkRequestForm(request.POST or None)
    if request.method == "POST" and not context["cancelled"] and form.is_valid():
        try:
            services.signing_link_resend(page=page, contact=form.cleaned_data["contact"], ip=client_ip(request) or "-")
        except LinkRequestThrottled as exc:
            response = render(request, "guests/signing_link_throttled.html", context, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        return render(request, "guests/signing_link_sent.html", context)
    status = 400 if form.is_bound and not context["cancelled"] else 200
    return render(request, "guests/signing_link_request.html", {**context, "form": form}, status=status)


# --- The published guest page -----------------------------------------------------------


@require_GET
def guest_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Stream `g/<slug>.html` from the brand's storage (404 until it is published).

    The brand is the one whose guest-page domain is the request's host; on any other host
    (this site locally) the slug must be published by exactly one brand.
    """
    return _published_file(request, slug, ".html", "text/html; charset=utf-8")


@require_GET
def guest_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """The guest page's add-to-calendar file, `g/<slug>.ics`, published beside it."""
    response = _published_file(request, slug, ".ics", "text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}.ics"'
    return response


def _published_file(request: HttpRequest, slug: str, suffix: str, content_type: str) -> HttpResponse:
    published = GuestPage.objects.select_related("event__organization").filter(
        event__slug=slug, published_at__isnull=False
    )
    host = request_host(request)
    candidates = list(
        published.filter(
            Q(organization__guest_page_domain__iexact=host) | Q(organization__guest_page_domain__iexact=f"www.{host}")
        )[:2]
    ) or list(published[:2])
    if len(candidates) != 1:
        raise Http404("No such guest page.")
    page = candidates[0]
    try:
        content = storage_for(page.event.organization).open(page.published_key.removesuffix(".html") + suffix, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("No such guest page.") from None
    response = FileResponse(content, content_type=content_type)
    response["Cache-Control"] = settings.GUEST_PAGE_CACHE_CONTROL
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def guest_photo(request: HttpRequest, key: str) -> HttpResponse:
    """Serve an uploaded photo locally (in production the brand's bucket serves it directly)."""
    photo = (
        Photo.objects.select_related("organization")
        .filter(key=f"g/photos/{key}"[:300], status=Photo.Status.UPLOADED)
        .first()
    )
    if photo is None:
        raise Http404("No such photo.")
    response = photo_response(photo, cache_control="public, max-age=86400, immutable")
    response["Content-Disposition"] = "inline"
    return response


# --- Photos --------------------------------------------------------------------------------


@never_cache
@require_GET
def photo_upload_page(request: HttpRequest, token: str) -> HttpResponse:
    page = _page_or_404(token)
    event = page.event
    opens_at, closes_at = photo_window(event)
    state = photo_window_state(event, timezone.now())
    clock = Clock.of(event.organization)
    context = {
        **_guest_context(event, page_title(page)),
        "state": state,
        "cancelled": event.status == EventStatus.CANCELLED,
        "opens_at": clock.moment(opens_at),
        "closes_at": clock.moment(closes_at),
        "page": page,
        "accept": ",".join(settings.GUEST_PHOTO_TYPES),
        "max_mb": settings.GUEST_PHOTO_MAX_BYTES // (1024 * 1024),
        "max_bytes": settings.GUEST_PHOTO_MAX_BYTES,
    }
    return render(request, "guests/photo_upload.html", context, status=200 if state == "open" else 403)


@require_POST
@json_errors
def photo_authorize(request: HttpRequest, token: str) -> HttpResponse:
    page = _page_or_404(token)
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _json_error(400, "invalid", 'Send JSON: {"content_type": …, "size": …}.')
    form = PhotoAuthorizeForm(data if isinstance(data, dict) else {})
    if not form.is_valid():
        return _json_error(400, "invalid", "Send the photo's content_type and size in bytes.")
    upload = services.photo_upload_authorize(
        page=page, content_type=form.cleaned_data["content_type"], size=form.cleaned_data["size"]
    )
    return JsonResponse(
        {"url": upload.url, "fields": upload.fields, "complete_url": upload.complete_path, "key": upload.photo.key},
        status=201,
    )


@require_POST
@json_errors
def photo_upload_local(request: HttpRequest, token: str, photo_token: str) -> HttpResponse:
    """The local-storage stand-in for the bucket's presigned POST: the same rules, enforced here."""
    page = _page_or_404(token)
    photo = _photo_or_404(page, photo_token)
    if uses_s3(page.event.organization):
        raise Http404("Uploads for this brand go to its bucket.")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > settings.GUEST_PHOTO_MAX_BYTES + 64 * 1024:
        return _json_error(400, "invalid", "The photo is too large.")
    file = request.FILES.get("file")
    if file is None:
        return _json_error(400, "invalid", "Send the photo as the “file” field.")
    services.photo_upload_receive(photo=photo, file=file, content_type=request.POST.get("Content-Type", ""))
    return JsonResponse({"key": photo.key, "status": "uploaded"}, status=201)


@require_POST
@json_errors
def photo_upload_complete(request: HttpRequest, token: str, photo_token: str) -> HttpResponse:
    page = _page_or_404(token)
    photo = _photo_or_404(page, photo_token)
    if not uses_s3(page.event.organization):
        raise Http404("Local uploads complete as they arrive.")
    photo = services.photo_upload_complete(photo=photo)
    return JsonResponse({"key": photo.key, "status": photo.status})
