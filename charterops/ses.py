"""SES's events (via SNS, django-ses's webhook at /ses/events): bounces and complaints.

A hard bounce or a complaint marks the email and suppresses the address, so nudges stop
going to it; the back office shows it on the email and on the crew member. A soft
(transient) bounce is only logged: the mailbox may be full today and fine tomorrow.
"""

import logging

from django.dispatch import receiver
from django_ses.signals import bounce_received, complaint_received

from .mail import email_feedback_record
from .models import SuppressedAddress

logger = logging.getLogger(__name__)


@receiver(bounce_received, dispatch_uid="charterops.ses.bounce")
def on_bounce(sender, mail_obj: dict, bounce_obj: dict, **kwargs) -> None:
    mail_obj, bounce_obj = mail_obj or {}, bounce_obj or {}
    addresses = [r.get("emailAddress", "") for r in bounce_obj.get("bouncedRecipients", [])]
    kind = f"{bounce_obj.get('bounceType', '')} {bounce_obj.get('bounceSubType', '')}".strip()
    if bounce_obj.get("bounceType") != "Permanent":
        logger.info("transient bounce (%s) for %s: not suppressed", kind, addresses)
        return
    details = "; ".join(r.get("diagnosticCode", "") for r in bounce_obj.get("bouncedRecipients", []))
    email_feedback_record(
        message_id=mail_obj.get("messageId", ""),
        addresses=addresses,
        reason=SuppressedAddress.Reason.BOUNCED,
        detail=f"{kind}: {details}".strip(": "),
    )


@receiver(complaint_received, dispatch_uid="charterops.ses.complaint")
def on_complaint(sender, mail_obj: dict, complaint_obj: dict, **kwargs) -> None:
    mail_obj, complaint_obj = mail_obj or {}, complaint_obj or {}
    addresses = [r.get("emailAddress", "") for r in complaint_obj.get("complainedRecipients", [])]
    email_feedback_record(
        message_id=mail_obj.get("messageId", ""),
        addresses=addresses,
        reason=SuppressedAddress.Reason.COMPLAINED,
        detail=complaint_obj.get("complaintFeedbackType", "") or "complaint",
    )
