"""Business writes for guests: the manifest, waivers, guest pages and photos.

The admin, the guest-facing views, Celery tasks and management commands all call these,
so each rule lives here once.
"""

import csv
import io
import ipaddress
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from charterops.errors import Conflict, DomainError, Forbidden
from charterops.mail import email_queue
from charterops.models import Organization, OutboundEmail
from charterops.throttling import window_hit
from events.models import Event, EventStatus

from . import pages
from .brand import Clock, public_title
from .calendar import calendar_key, guest_calendar
from .images import check_signature_png, sniff_photo_type
from .models import (
    Guest,
    GuestPage,
    Photo,
    PhotoModeration,
    SigningState,
    WaiverSignature,
    WaiverTemplate,
    photo_window,
    photo_window_state,
    sha256_hex,
    signing_state,
)
from .storage import storage_for, uses_s3

GUEST_FIELDS = ("name", "email", "phone", "date_of_birth", "is_minor", "guardian_name")
CSV_MAX_BYTES = 512 * 1024
CSV_MAX_ROWS = 500


# --- Republishing -------------------------------------------------------------------------


def guest_page_publish_on_commit(*, event_id: int) -> None:
    """Queue the event's guest page to be republished once the current transaction commits."""
    from .tasks import publish_guest_page

    transaction.on_commit(lambda: publish_guest_page.delay(event_id))


# --- The manifest -------------------------------------------------------------------------


def _is_minor_on(date_of_birth: date, day: date) -> bool:
    had_birthday = (day.month, day.day) >= (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - (0 if had_birthday else 1) < 18


def _prepare(guest: Guest) -> None:
    if guest.date_of_birth and _is_minor_on(guest.date_of_birth, guest.event.local(guest.event.departure_at).date()):
        guest.is_minor = True
    guest.full_clean()


def _signing_email_context(guest: Guest) -> dict[str, Any]:
    """What every email carrying a guest's signing link says about the charter."""
    event = guest.event
    clock = Clock.of(event.organization)
    return {
        "guest": guest,
        "event": event,
        "title": public_title(event),
        "departure_local": f"{clock.moment(event.departure_at)} {clock.zone(event.departure_at)}",
        "signing_url": guest.signing_url,
        "guest_page_url": pages.public_url(event),
    }


def guests_cancellation_send(*, event: Event) -> list[OutboundEmail]:
    """Each guest with an email hears once that the charter is cancelled, under its public
    title and in the brand's clock (never why: the reason is for the crew and the office)."""
    clock = Clock.of(event.organization)
    context = {
        "event": event,
        "title": public_title(event),
        "departure_local": f"{clock.moment(event.departure_at)} {clock.zone(event.departure_at)}",
    }
    return [
        email_queue(
            key=f"event_cancelled:{event.pk}:guest:{guest.pk}",
            kind="guest_event_cancelled",
            to=[guest.email],
            template="guests/emails/event_cancelled",
            context={**context, "guest": guest},
            organization=event.organization,
        )
        for guest in Guest.objects.filter(event=event).exclude(email="").order_by("pk")
    ]


def waiver_request_send(*, guest: Guest, template: WaiverTemplate) -> OutboundEmail | None:
    """Mail the guest their signing link for `template` (once per guest and version)."""
    if not guest.email:
        return None
    return email_queue(
        key=f"waiver_request:{guest.pk}:v{template.version}",
        kind="waiver_request",
        to=[guest.email],
        template="guests/emails/waiver_request",
        context=_signing_email_context(guest),
        organization=guest.event.organization,
    )


@transaction.atomic
def guest_create(*, event: Event, name: str, by: AbstractBaseUser | None = None, **fields: Any) -> Guest:
    """Add a guest to an event's manifest and mail them their signing link."""
    unknown = set(fields) - set(GUEST_FIELDS)
    if unknown:
        raise TypeError(f"guest_create got unexpected fields: {sorted(unknown)}")
    guest = Guest(event=event, organization_id=event.organization_id, name=name, **fields)
    _prepare(guest)
    guest.save()
    template = WaiverTemplate.objects.current_for(event.organization)
    if template is not None:
        waiver_request_send(guest=guest, template=template)
    guest_page_publish_on_commit(event_id=event.pk)
    return guest


@transaction.atomic
def guest_update(*, guest: Guest, **changes: Any) -> Guest:
    unknown = set(changes) - set(GUEST_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    for name, value in changes.items():
        setattr(guest, name, value)
    _prepare(guest)
    guest.save()
    guest_page_publish_on_commit(event_id=guest.event_id)
    return guest


@transaction.atomic
def guest_remove(*, guest: Guest) -> None:
    """Take a guest off the manifest; a guest who signed stays, with their signature."""
    if guest.signatures.exists():
        raise Conflict(f"{guest.name} has signed a waiver; the guest and the signature are kept as a record.")
    event_id = guest.event_id
    guest.delete()
    guest_page_publish_on_commit(event_id=event_id)


@transaction.atomic
def guest_link_revoke(*, guest: Guest) -> Guest:
    """Replace the guest's signing link: the old one answers 404 from now on."""
    guest.token = Guest._meta.get_field("token").default()
    guest.save(update_fields=["token"])
    guest_page_publish_on_commit(event_id=guest.event_id)
    return guest


@transaction.atomic
def guests_import_csv(*, event: Event, data: bytes, by: AbstractBaseUser | None = None) -> list[Guest]:
    """Add the guests of a CSV file (header: name, email, phone, date_of_birth, is_minor, guardian_name).

    All or nothing: any bad row refuses the whole file, with every problem listed by row.
    """
    from .forms import GuestCsvRowForm

    if len(data) > CSV_MAX_BYTES:
        raise ValidationError(f"The file is too large (at most {CSV_MAX_BYTES // 1024} KB).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.") from None
    reader = csv.DictReader(io.StringIO(text), strict=True)
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    if "name" not in header:
        raise ValidationError("The first line must be a header with at least a “name” column.")
    unknown = sorted(set(header) - set(GUEST_FIELDS))
    if unknown:
        raise ValidationError(f"Unknown columns: {', '.join(unknown)}. Use: {', '.join(GUEST_FIELDS)}.")
    reader.fieldnames = header
    rows, problems = [], []
    try:
        for number, row in enumerate(reader, start=2):
            if number - 1 > CSV_MAX_ROWS:
                raise ValidationError(f"At most {CSV_MAX_ROWS} guests per file.")
            if None in row:
                problems.append(f"Row {number}: more values than columns.")
                continue
            values = {k: (v or "").strip() for k, v in row.items()}
            if not any(values.values()):
                continue
            form = GuestCsvRowForm(values)
            if form.is_valid():
                rows.append(form.cleaned_data)
            else:
                for name, errors in form.errors.items():
                    problems.append(f"Row {number}, {name}: {' '.join(errors)}")
    except csv.Error as exc:
        raise ValidationError(f"The file is not valid CSV: {exc}.") from None
    if problems:
        raise ValidationError(problems)
    if not rows:
        raise ValidationError("The file has no guests.")
    return [guest_create(event=event, by=by, **row) for row in rows]


# --- A signing link asked for again ---------------------------------------------------------


class LinkRequestThrottled(DomainError):
    status = 429
    code = "throttled"

    def __init__(self, retry_after: int):
        super().__init__("Too many requests from this connection. Wait a few minutes, then try again.")
        self.retry_after = retry_after


def _phone_digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def _same_phone(asked: str, on_file: str) -> bool:
    """Digits only; with a country code on one side and not the other, the last ten decide."""
    if len(asked) >= 10 and len(on_file) >= 10:
        return asked[-10:] == on_file[-10:]
    return asked == on_file


def _guests_matching(event: Event, contact: str) -> list[Guest]:
    """The event's guests whose email (or, for digits, phone) is `contact`."""
    guests = Guest.objects.filter(event=event).select_related("event__organization")
    if "@" in contact:
        return list(guests.filter(email__iexact=contact.strip()))
    digits = _phone_digits(contact)
    if len(digits) < 7:
        return []
    # A charter has a handful of guests: compare in Python, whatever punctuation was stored.
    return [g for g in guests.exclude(phone="") if _same_phone(digits, _phone_digits(g.phone))]


def signing_link_resend(*, page: GuestPage, contact: str, ip: str) -> int:
    """Mail each guest of the page's event whose email or phone is `contact` their own
    signing link — always to the guest's email address on file, never to what was typed.

    A phone number finds the guest and the link goes to that guest's email (there is no
    SMS); a guest with no email on file gets nothing. The caller answers the same whether
    or not anything matched. Raises LinkRequestThrottled when this client asks too often;
    past the limit for one email or phone, nothing more is sent. Returns how many links
    were mailed, for tests and logs.
    """
    window = settings.GUEST_LINK_REQUEST_WINDOW_SECONDS
    now = int(time.time())
    if window_hit(f"guest-link:ip:{ip}", window, now) > settings.GUEST_LINK_REQUESTS_PER_IP:
        raise LinkRequestThrottled(retry_after=window - now % window)
    asked = contact.strip().lower() if "@" in contact else _phone_digits(contact)
    if window_hit(f"guest-link:contact:{sha256_hex(asked)}", window, now) > settings.GUEST_LINK_REQUESTS_PER_CONTACT:
        return 0
    event = page.event
    if event.status == EventStatus.CANCELLED:
        return 0
    sent = 0
    for guest in _guests_matching(event, contact):
        if not guest.email:
            continue
        # One email per guest, link and window, however often the form is sent.
        email_queue(
            key=f"waiver_link_again:{guest.pk}:{sha256_hex(guest.token)[:16]}:{now // window}",
            kind="waiver_link_again",
            to=[guest.email],
            template="guests/emails/signing_link",
            context=_signing_email_context(guest),
            organization=event.organization,
        )
        sent += 1
    return sent


# --- Waivers ------------------------------------------------------------------------------


@transaction.atomic
def waiver_publish(*, organization: Organization, title: str, body: str) -> WaiverTemplate:
    """Publish a new version of the brand's waiver. Guests of upcoming charters must sign it."""
    Organization.objects.select_for_update().get(pk=organization.pk)  # one version number at a time
    template = WaiverTemplate(organization=organization, title=title.strip(), body=body.strip())
    template.full_clean(exclude=["version"])
    template.save()
    upcoming = Event.objects.for_org(organization).upcoming()
    for guest in Guest.objects.for_org(organization).filter(event__in=upcoming).select_related("event"):
        waiver_request_send(guest=guest, template=template)
    for event_id in upcoming.values_list("pk", flat=True):
        guest_page_publish_on_commit(event_id=event_id)
    return template


def _same_person(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@transaction.atomic
def waiver_sign(
    *,
    guest: Guest,
    template: WaiverTemplate,
    signed_name: str,
    signature_png: bytes,
    consent: bool,
    signer: str = WaiverSignature.Signer.GUEST,
    relationship: str = "",
    no_offers: bool = False,
    ip_address: str | None = None,
    user_agent: str = "",
    now: datetime | None = None,
) -> tuple[WaiverSignature, bool]:
    """Record a signature of `template` by `guest`, or by someone on their behalf (a minor's
    parent or guardian, an adult's legal representative), with the SHA-256 of the text, the
    drawing and the PDF copy, which is stored now. Signing again returns the first one.

    Refused (Conflict) once the charter is cancelled or back at the dock. Returns
    (signature, created). `no_offers` records that the guest wants no news or offers; an
    unticked box never undoes an earlier "no".
    """
    now = now or timezone.now()
    locked = (
        Guest.objects.select_for_update(of=("self",))
        .select_related("event__organization", "event__vessel")
        .get(pk=guest.pk)
    )
    existing = WaiverSignature.objects.filter(guest=locked, template=template).first()
    if existing is not None:
        return existing, False
    if template.organization_id != locked.organization_id:
        raise Conflict("That waiver belongs to another brand.")
    state = signing_state(locked.event, now)
    if state != SigningState.OPEN:
        raise Conflict(state.label)
    signed_name = " ".join(signed_name.split())
    errors = _signing_errors(locked, signed_name, signature_png, consent, signer, relationship)
    if errors:
        raise ValidationError(errors)
    signature = WaiverSignature(
        organization_id=locked.organization_id,
        guest=locked,
        template=template,
        signer=signer,
        relationship=relationship if signer == WaiverSignature.Signer.GUARDIAN else "",
        signed_name=signed_name[:200],
        signature_png=signature_png,
        consent=True,
        signed_at=now,
        ip_address=_normalized_ip(ip_address),
        user_agent=user_agent[:500],
        text_sha256=template.text_sha256,
        image_sha256=sha256_hex(signature_png),
    )
    from .pdf import waiver_pdf

    # The copy is made from the record itself and its hash kept in it: the PDF the guest
    # gets, and the one stored, are provably the one made at signing.
    pdf = waiver_pdf(signature)
    signature.pdf_sha256 = sha256_hex(pdf)
    try:
        with transaction.atomic():
            signature.save()
    except IntegrityError:
        # Another request for the same guest and version won the race.
        return WaiverSignature.objects.get(guest=locked, template=template), False
    if no_offers and not locked.marketing_opt_out:
        Guest.objects.filter(pk=locked.pk).update(marketing_opt_out=True)
    default_storage.save(signature.pdf_path, ContentFile(pdf))
    from .tasks import send_waiver_copy
    from .webhooks import waiver_signed_emit

    waiver_signed_emit(signature=signature)
    transaction.on_commit(lambda: send_waiver_copy.delay(signature.pk))
    guest_page_publish_on_commit(event_id=locked.event_id)
    return signature, True


def _signing_errors(
    guest: Guest, signed_name: str, signature_png: bytes, consent: bool, signer: str, relationship: str
) -> dict[str, str]:
    """What is wrong with a signature, by field (empty when nothing is)."""
    errors: dict[str, str] = {}
    if not consent:
        errors["consent"] = "Tick the box to agree to sign electronically."
    if not signed_name:
        errors["signed_name"] = "Type your full name."
    try:
        check_signature_png(signature_png)
    except ValidationError as exc:
        errors["signature"] = exc.messages[0]
    if signer not in WaiverSignature.Signer.values:
        errors["signer"] = "Choose who is signing."
    elif guest.is_minor and signer != WaiverSignature.Signer.GUARDIAN:
        errors["signer"] = f"{guest.name} is under 18: a parent or guardian signs on their behalf."
    elif signer == WaiverSignature.Signer.GUARDIAN:
        if relationship not in WaiverSignature.Relationship.values:
            errors["relationship"] = f"Say how you are related to {guest.name}."
        elif guest.is_minor and relationship == WaiverSignature.Relationship.REPRESENTATIVE:
            errors["relationship"] = f"For {guest.name}, under 18, a parent or legal guardian signs."
        if signed_name and _same_person(signed_name, guest.name):
            errors["signed_name"] = (
                f"Type your own full name: you sign on behalf of {guest.name}, so your name is not theirs."
            )
    return errors


def _normalized_ip(value: str | None) -> str | None:
    # As the database will give it back (so a PDF made again from the record is the same).
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


def waiver_pdf_ensure(*, signature: WaiverSignature) -> None:
    """The PDF copy is stored at signing; one signed before copies were kept is made now."""
    from .pdf import waiver_pdf

    if not default_storage.exists(signature.pdf_path):
        default_storage.save(signature.pdf_path, ContentFile(waiver_pdf(signature)))


def waiver_copy_send(*, signature: WaiverSignature) -> OutboundEmail | None:
    """Mail the guest their signed copy, the PDF attached (once)."""
    waiver_pdf_ensure(signature=signature)
    guest = signature.guest
    if not guest.email:
        return None
    event = guest.event
    return email_queue(
        key=f"waiver_copy:{signature.public_id}",
        kind="waiver_copy",
        to=[guest.email],
        template="guests/emails/waiver_copy",
        context={
            "guest": guest,
            "event": event,
            "title": public_title(event),
            "signature": signature,
            "signed_at": Clock.of(event.organization).record(signature.signed_at),
            "guest_page_url": pages.public_url(event),
        },
        organization=event.organization,
        attachments=[
            {"name": f"waiver-{event.slug}.pdf", "path": signature.pdf_path, "content_type": "application/pdf"}
        ],
    )


def waiver_signatures_verify(*, organization: Organization | None = None) -> tuple[int, list[tuple[Any, list]]]:
    """Recompute every stored hash. Returns (how many checked, [(signature, mismatches)])."""
    signatures = WaiverSignature.objects.select_related("template", "guest").order_by("pk")
    if organization is not None:
        signatures = signatures.for_org(organization)
    checked, bad = 0, []
    for signature in signatures.iterator(chunk_size=200):
        checked += 1
        problems = signature.mismatches()
        if problems:
            bad.append((signature, problems))
    return checked, bad


# --- Guest pages --------------------------------------------------------------------------


@transaction.atomic
def guest_page_publish(*, event: Event, now: datetime | None = None) -> GuestPage:
    """Render the event's guest page and its add-to-calendar file and write them to
    `g/<slug>.html` and `g/<slug>.ics` in the brand's storage.

    Safe to run twice: an unchanged page is not written again.
    """
    event = Event.objects.select_related("organization", "vessel").get(pk=event.pk)
    page, _ = GuestPage.objects.get_or_create(event=event, defaults={"organization_id": event.organization_id})
    page.event = event
    html = pages.render_guest_page(event=event, page=page, now=now or timezone.now())
    ics = guest_calendar(event=event, page=page, page_url=pages.public_url(event))
    key, ics_key = pages.page_key(event), calendar_key(event)
    digest = sha256_hex(html.encode("utf-8") + ics)
    storage = storage_for(event.organization)
    if page.published_key == key and page.published_sha256 == digest and storage.exists(key):
        return page
    _store(storage, ics_key, ics, "text/calendar; charset=utf-8")
    _store(storage, key, html.encode("utf-8"), "text/html; charset=utf-8")
    if page.published_key and page.published_key != key:
        # The slug changed: the old addresses go away.
        storage.delete(page.published_key)
        storage.delete(page.published_key.removesuffix(".html") + ".ics")
    page.published_key, page.published_sha256, page.published_at = key, digest, timezone.now()
    page.save(update_fields=["published_key", "published_sha256", "published_at"])
    return page


def _store(storage, key: str, data: bytes, content_type: str) -> None:
    content = ContentFile(data)
    content.content_type = content_type
    storage.save(key, content)


@transaction.atomic
def guest_page_update(*, page: GuestPage, what_to_bring: str, public_title: str | None = None) -> GuestPage:
    """What the owner writes for guests: what to bring and (unless None) the charter's public title."""
    page.what_to_bring = what_to_bring.strip()
    if public_title is not None:
        page.public_title = " ".join(public_title.split())
    page.full_clean(exclude=["event", "organization"])
    page.save(update_fields=["what_to_bring", "public_title"])
    guest_page_publish_on_commit(event_id=page.event_id)
    return page


# --- Photos -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoUpload:
    """Where and how the browser sends one photo: a POST of `fields` plus the file to `url`."""

    photo: Photo
    url: str
    fields: dict[str, str] = field(default_factory=dict)
    complete_path: str | None = None


def _window_guard(event: Event, now: datetime) -> None:
    state = photo_window_state(event, now)
    if state == "open":
        return
    opens_at, _ = photo_window(event)
    if state == "not_yet":
        raise Forbidden(f"Photo uploads open {Clock.of(event.organization).moment(opens_at)}.")
    raise Forbidden("Photo uploads for this charter are closed.")


def _type_and_size_guard(content_type: str, size: int) -> None:
    if content_type not in settings.GUEST_PHOTO_TYPES:
        allowed = ", ".join(t.split("/")[1].upper() for t in settings.GUEST_PHOTO_TYPES)
        raise ValidationError(f"Only photos can be uploaded ({allowed}).")
    if size <= 0:
        raise ValidationError("The photo is empty.")
    if size > settings.GUEST_PHOTO_MAX_BYTES:
        raise ValidationError(f"The photo is too large (at most {settings.GUEST_PHOTO_MAX_BYTES // (1024 * 1024)} MB).")


@transaction.atomic
def photo_upload_authorize(
    *, page: GuestPage, content_type: str, size: int, now: datetime | None = None
) -> PhotoUpload:
    """Allow one photo upload: the server chooses the key; the type and size are fixed up front."""
    event = page.event
    _window_guard(event, now or timezone.now())
    _type_and_size_guard(content_type, size)
    if Photo.objects.filter(event=event).count() >= settings.GUEST_PHOTO_MAX_PER_EVENT:
        raise Conflict("This charter's gallery is full.")
    extension = settings.GUEST_PHOTO_TYPES[content_type]
    key = f"g/photos/{event.organization.slug}/{event.public_id}/{uuid.uuid4().hex}.{extension}"
    photo = Photo.objects.create(event=event, organization_id=event.organization_id, key=key, content_type=content_type)
    if not uses_s3(event.organization):
        return PhotoUpload(photo=photo, url=f"/u/{page.upload_token}/photos/{photo.token}", fields={})
    storage = storage_for(event.organization)
    post = storage.connection.meta.client.generate_presigned_post(
        Bucket=storage.bucket_name,
        Key=storage._normalize_name(key),
        Fields={"Content-Type": content_type},
        Conditions=[
            {"Content-Type": content_type},
            ["content-length-range", 1, settings.GUEST_PHOTO_MAX_BYTES],
        ],
        ExpiresIn=settings.GUEST_PHOTO_UPLOAD_EXPIRES_SECONDS,
    )
    return PhotoUpload(
        photo=photo,
        url=post["url"],
        fields=post["fields"],
        complete_path=f"/u/{page.upload_token}/photos/{photo.token}/complete",
    )


def _mark_uploaded(photo: Photo, size: int) -> Photo:
    photo.status, photo.size, photo.uploaded_at = Photo.Status.UPLOADED, size, timezone.now()
    photo.save(update_fields=["status", "size", "uploaded_at"])
    guest_page_publish_on_commit(event_id=photo.event_id)
    return photo


def _pending_guard(photo: Photo) -> None:
    if photo.status == Photo.Status.DELETED:
        raise Conflict("This upload was removed by the organizer.")
    if photo.status != Photo.Status.PENDING:
        raise Conflict("This photo was already uploaded.")


@transaction.atomic
def photo_upload_receive(*, photo: Photo, file: UploadedFile, content_type: str, now: datetime | None = None) -> Photo:
    """Local storage: take the file through Django, under the same rules as the presigned POST."""
    photo = Photo.objects.select_for_update().select_related("event__organization").get(pk=photo.pk)
    _pending_guard(photo)
    _window_guard(photo.event, now or timezone.now())
    if content_type != photo.content_type:
        raise ValidationError("The photo's type is not the one the upload was authorized for.")
    _type_and_size_guard(content_type, file.size or 0)
    file.seek(0)
    if sniff_photo_type(file.read(32)) != content_type:
        raise ValidationError("The file is not a photo of the type it claims to be.")
    file.seek(0)
    storage_for(photo.event.organization).save(photo.key, file)
    return _mark_uploaded(photo, file.size)


@transaction.atomic
def photo_upload_complete(*, photo: Photo, now: datetime | None = None) -> Photo:
    """S3: check what actually arrived at the key; anything off the rules is deleted and refused."""
    photo = Photo.objects.select_for_update().select_related("event__organization").get(pk=photo.pk)
    if photo.status in (Photo.Status.UPLOADED, Photo.Status.HIDDEN):
        return photo
    storage = storage_for(photo.event.organization)
    client, bucket, key = storage.connection.meta.client, storage.bucket_name, storage._normalize_name(photo.key)
    if photo.status == Photo.Status.DELETED:
        client.delete_object(Bucket=bucket, Key=key)  # it arrived after the owner deleted it
        raise Conflict("This upload was removed by the organizer.")
    from botocore.exceptions import ClientError

    try:
        head = client.head_object(Bucket=bucket, Key=key)
        first = client.get_object(Bucket=bucket, Key=key, Range="bytes=0-31")["Body"].read()
    except ClientError:
        raise ValidationError("The photo has not arrived; upload it again.") from None
    size, content_type = head["ContentLength"], head.get("ContentType", "")
    try:
        if content_type != photo.content_type:
            raise ValidationError("The photo's type is not the one the upload was authorized for.")
        _type_and_size_guard(content_type, size)
        if sniff_photo_type(first) != content_type:
            raise ValidationError("The file is not a photo of the type it claims to be.")
    except ValidationError:
        client.delete_object(Bucket=bucket, Key=key)
        raise
    return _mark_uploaded(photo, size)


# --- Photo moderation (the back office) -----------------------------------------------------

# What each moderation does: the statuses it applies to, and the status it leaves.
MODERATION = {
    PhotoModeration.Action.HIDE: ({Photo.Status.UPLOADED}, Photo.Status.HIDDEN),
    PhotoModeration.Action.SHOW: ({Photo.Status.HIDDEN}, Photo.Status.UPLOADED),
    PhotoModeration.Action.DELETE: (
        {Photo.Status.PENDING, Photo.Status.UPLOADED, Photo.Status.HIDDEN},
        Photo.Status.DELETED,
    ),
}


@transaction.atomic
def photo_moderate(*, photo: Photo, action: str, by: AbstractBaseUser | None) -> Photo:
    """Hide a photo from the guest page, show it again, or delete it (the file goes; the
    row stays, with who did what and when). The page is republished without it."""
    photo = Photo.objects.select_for_update().select_related("event__organization").get(pk=photo.pk)
    if action not in PhotoModeration.Action.values:
        raise ValidationError(f"Unknown moderation {action!r}.")
    allowed_from, to_status = MODERATION[action]
    if photo.status not in allowed_from:
        done = PhotoModeration.Action(action).label.lower()
        raise Conflict(f"This photo is {photo.get_status_display().lower()}: it cannot be {done}.")
    if to_status == Photo.Status.DELETED:
        storage = storage_for(photo.event.organization)
        if storage.exists(photo.key):
            storage.delete(photo.key)
    photo.status = to_status
    photo.save(update_fields=["status"])
    PhotoModeration.objects.create(
        organization_id=photo.organization_id, photo=photo, action=action, by=by, at=timezone.now()
    )
    guest_page_publish_on_commit(event_id=photo.event_id)
    return photo
