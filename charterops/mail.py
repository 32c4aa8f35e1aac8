"""Queue an email once, send it from a Celery task after the transaction commits.

    email_queue(key="crew_invite:<event>:<crew>", kind="crew_invite", to=[…],
                template="crew/emails/invite", context={…}, organization=org)

renders `<template>_subject.txt`, `<template>.txt` and (if present) `<template>.html`
now, records an OutboundEmail, and sends it on commit. The same key again returns the
recorded email and sends nothing: retries and double submissions never send twice.

`emails_record` records many already-rendered emails in one INSERT (the nudge sweep), and
`message_for` builds the message a recorded email becomes when charterops.tasks sends it.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.encoders import encode_base64
from email.mime.base import MIMEBase
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Organization, OutboundEmail, SuppressedAddress


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject (one line), text and HTML (empty without an .html template) of `template`."""
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}.txt", context)
    try:
        html = render_to_string(f"{template}.html", context)
    except TemplateDoesNotExist:
        html = ""
    return subject, text, html


# Emails recorded together go to the broker in groups of this many: one message per
# group, and still enough groups for several workers to share a large batch.
SEND_GROUP_SIZE = 25


def _send_on_commit(email_ids: Sequence[int]) -> None:
    from .tasks import send_outbound_email, send_outbound_emails

    def enqueue() -> None:
        if len(email_ids) == 1:
            send_outbound_email.delay(email_ids[0])
            return
        for start in range(0, len(email_ids), SEND_GROUP_SIZE):
            send_outbound_emails.delay(list(email_ids[start : start + SEND_GROUP_SIZE]))

    transaction.on_commit(enqueue)


def email_queue(
    *,
    key: str,
    kind: str,
    to: Iterable[str],
    template: str,
    context: dict[str, Any],
    organization: Organization | None = None,
    bcc: Iterable[str] = (),
    attachments: Iterable[dict[str, str]] = (),
) -> OutboundEmail:
    recipients = [address for address in to if address]
    if not recipients:
        raise ValueError(f"email {key!r} has no recipient")
    existing = OutboundEmail.objects.filter(key=key).first()
    if existing is not None:
        return existing
    context = {"organization": organization, "site_url": settings.SITE_URL, **context}
    subject, text, html = render_email(template, context)
    email, created = OutboundEmail.objects.get_or_create(
        key=key,
        defaults={
            "organization": organization,
            "kind": kind,
            "from_email": organization.from_address if organization else settings.DEFAULT_FROM_EMAIL,
            "to": recipients,
            "bcc": list(bcc),
            "subject": subject,
            "body_text": text,
            "body_html": html,
            "attachments": list(attachments),
        },
    )
    if created:
        _send_on_commit([email.pk])
    return email


@dataclass(slots=True)
class Rendered:
    """An email already rendered, ready to be recorded (see `emails_record`)."""

    key: str
    kind: str
    to: list[str]
    subject: str
    text: str
    html: str = ""
    organization: Organization | None = None
    headers: dict[str, str] = field(default_factory=dict)


def emails_record(messages: Sequence[Rendered], *, enqueue: bool = True) -> list[OutboundEmail]:
    """Record rendered emails in one INSERT and send each after the transaction commits.

    The keys must be new (the nudge sweep derives them from rows it has just claimed): a
    key already recorded is an IntegrityError, never a second send. `enqueue=False`
    leaves the sending to the caller (charterops.health sends its alert itself, since
    the workers may be what is down).
    """
    if not messages:
        return []
    rows = [
        OutboundEmail(
            key=m.key,
            kind=m.kind,
            organization=m.organization,
            from_email=m.organization.from_address if m.organization else settings.DEFAULT_FROM_EMAIL,
            to=m.to,
            subject=m.subject[:300],
            body_text=m.text,
            body_html=m.html,
            headers=m.headers,
        )
        for m in messages
    ]
    created = OutboundEmail.objects.bulk_create(rows)
    if created and created[0].pk is None:  # backends that return no ids (none we run on)
        created = list(OutboundEmail.objects.filter(key__in=[m.key for m in messages]))
    if enqueue:
        _send_on_commit([email.pk for email in created])
    return created


def message_for(email: OutboundEmail) -> EmailMultiAlternatives:
    """The message a recorded email becomes: body, HTML alternative, headers, attachments.

    An attachment with a `content_id` is an inline part (a chart the HTML shows as
    `<img src="cid:…">`): the message becomes multipart/related so that clients show it
    in place rather than as a file.
    """
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=email.from_email,
        to=email.to,
        bcc=email.bcc,
        headers=dict(email.headers or {}),
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        with default_storage.open(attachment["path"], "rb") as f:
            data = f.read()
        content_id = attachment.get("content_id")
        if not content_id:
            message.attach(attachment["name"], data, attachment["content_type"])
            continue
        part = MIMEBase(*attachment["content_type"].split("/", 1))
        part.set_payload(data)
        encode_base64(part)
        part.add_header("Content-ID", f"<{content_id}>")
        part.add_header("Content-Disposition", "inline", filename=attachment["name"])
        message.attach(part)
        message.mixed_subtype = "related"
    return message


def suppressed_addresses(addresses: Iterable[str]) -> dict[str, SuppressedAddress]:
    """The suppressions (bounce, complaint) among `addresses`, by lower-cased address, in one query."""
    wanted = {address.lower() for address in addresses if address}
    if not wanted:
        return {}
    return {row.address: row for row in SuppressedAddress.objects.filter(address__in=wanted)}


@transaction.atomic
def email_feedback_record(
    *, message_id: str, addresses: Iterable[str], reason: str, detail: str = "", at: datetime | None = None
) -> int:
    """SES reported a hard bounce or a complaint: mark the email, suppress the addresses.

    Returns how many recorded emails matched the message id (0 for mail we did not record).
    """
    at = at or timezone.now()
    status = {
        SuppressedAddress.Reason.BOUNCED: OutboundEmail.Status.BOUNCED,
        SuppressedAddress.Reason.COMPLAINED: OutboundEmail.Status.COMPLAINED,
    }[reason]
    matched = 0
    if message_id:
        matched = OutboundEmail.objects.filter(provider_message_id=message_id).update(status=status)
    for address in {parseaddr(a)[1].lower() for a in addresses} - {""}:
        SuppressedAddress.objects.update_or_create(
            address=address, defaults={"reason": reason, "detail": detail[:300], "at": at}
        )
    return matched
