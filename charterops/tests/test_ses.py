"""SES bounces and complaints, as SNS posts them to django-ses's webhook at /ses/events."""

import json

import pytest

from charterops.models import OutboundEmail, SuppressedAddress
from charterops.tests.test_mail import locmem_templates, queue


def sns(message: dict) -> str:
    return json.dumps({"Type": "Notification", "MessageId": "sns-1", "Message": json.dumps(message)})


def bounce(message_id: str, address: str, bounce_type: str = "Permanent") -> dict:
    return {
        "eventType": "Bounce",
        "mail": {"messageId": message_id, "destination": [address]},
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": address, "diagnosticCode": "smtp; 550 5.1.1 user unknown"}],
        },
    }


@pytest.fixture
def unverified(settings):
    # SNS signatures are checked in production; these posts are built here, unsigned.
    settings.AWS_SES_VERIFY_EVENT_SIGNATURES = False


@pytest.fixture
def sent_email(org):
    with locmem_templates:
        email = queue(org)
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.SENT, provider_message_id="ses-msg-1")
    return email


def test_a_hard_bounce_marks_the_email_and_suppresses_the_address(client, unverified, sent_email):
    response = client.post("/ses/events", sns(bounce("ses-msg-1", "Dana@Example.com")), content_type="application/json")
    assert response.status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.status == OutboundEmail.Status.BOUNCED
    suppressed = SuppressedAddress.objects.get()
    assert (suppressed.address, suppressed.reason) == ("dana@example.com", "bounced")
    assert "user unknown" in suppressed.detail


def test_a_soft_bounce_suppresses_nothing(client, unverified, sent_email):
    soft = bounce("ses-msg-1", "dana@example.com", "Transient")
    client.post("/ses/events", sns(soft), content_type="application/json")
    sent_email.refresh_from_db()
    assert sent_email.status == OutboundEmail.Status.SENT
    assert not SuppressedAddress.objects.exists()


def test_a_complaint_marks_the_email_complained(client, unverified, sent_email):
    complaint = {
        "eventType": "Complaint",
        "mail": {"messageId": "ses-msg-1"},
        "complaint": {"complainedRecipients": [{"emailAddress": "dana@example.com"}], "complaintFeedbackType": "abuse"},
    }
    client.post("/ses/events", sns(complaint), content_type="application/json")
    sent_email.refresh_from_db()
    assert sent_email.status == OutboundEmail.Status.COMPLAINED
    assert SuppressedAddress.objects.get().reason == "complained"


def test_an_unsigned_post_changes_nothing_while_signatures_are_checked(client, sent_email):
    response = client.post("/ses/events", sns(bounce("ses-msg-1", "dana@example.com")), content_type="application/json")
    assert response.status_code == 400
    sent_email.refresh_from_db()
    assert sent_email.status == OutboundEmail.Status.SENT
    assert not SuppressedAddress.objects.exists()
