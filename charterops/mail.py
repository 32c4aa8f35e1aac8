"""Queue an email once, send it from a Celery task after the transaction commits.

    email_queue(key="crew_invite:<event>:<crew>", kind="crew_invite", to=[…],
                template="crew/emails/invite", context={…}, organization=org)

renders `<template>_subject.txt`, `<template>.txt` and (if present) `<template>.html`
now, records an OutboundEmail, and sends it on commit. The same key again returns the
recorded email and sends nothing: retries and double submissions never send twice.
"""

from collections.abc import Iterable
from email.encoders import encode_base64
from email.mime.base import MIMEBase
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from .models import Organization, OutboundEmail


def _render(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}.txt", context)
    try:
        html = render_to_string(f"{template}.html", context)
    except TemplateDoesNotExist:
        html = ""
    return subject, text, html


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
    subject, text, html = _render(template, context)
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
        from .tasks import send_outbound_email

        transaction.on_commit(lambda: send_outbound_email.delay(email.pk))
    return email


def message_for(email: OutboundEmail) -> EmailMultiAlternatives:
    """The message a recorded email is sent as: text, the HTML alternative, attachments.

    An attachment with a `content_id` is an inline part (a chart the HTML shows as
    `<img src="cid:…">`): the message becomes multipart/related so that clients show it
    in place rather than as a file.
    """
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.body_text, from_email=email.from_email, to=email.to, bcc=email.bcc
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
