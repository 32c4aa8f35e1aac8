import pytest
from django.core import mail
from django.test import override_settings

from charterops.mail import email_queue
from charterops.models import OutboundEmail
from charterops.tasks import send_outbound_email

PROBE_TEMPLATES = {
    "probe/hello_subject.txt": "Hello {{ name }}\n",
    "probe/hello.txt": "Hi {{ name }}, see {{ site_url }}.",
    "probe/hello.html": "<p>Hi {{ name }}</p>",
}
locmem_templates = override_settings(
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    ("django.template.loaders.locmem.Loader", PROBE_TEMPLATES),
                    "django.template.loaders.app_directories.Loader",
                ],
                "context_processors": [
                    "django.template.context_processors.request",
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                ],
            },
        }
    ]
)


def queue(org, key="probe:1"):
    return email_queue(
        key=key,
        kind="probe",
        to=["dana@example.com"],
        template="probe/hello",
        context={"name": "Dana"},
        organization=org,
    )


@locmem_templates
def test_email_is_recorded_and_sent_after_commit(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue(org)
        assert len(mail.outbox) == 0  # nothing leaves before the transaction commits

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert (sent.subject, sent.to) == ("Hello Dana", ["dana@example.com"])
    assert sent.from_email == "Queen of San Diego <crew@queenofsandiego.example.com>"
    assert sent.alternatives[0][0] == "<p>Hi Dana</p>"


@locmem_templates
def test_same_key_twice_records_and_sends_once(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(org)
        second = queue(org)
    assert first.pk == second.pk
    assert OutboundEmail.objects.count() == 1
    assert len(mail.outbox) == 1


@locmem_templates
def test_a_retried_task_never_sends_twice(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue(org)
    assert send_outbound_email.delay(email.pk).get() == "skipped"
    assert len(mail.outbox) == 1


@locmem_templates
def test_a_failed_send_is_recorded_with_its_error(org, settings, django_capture_on_commit_callbacks):
    from celery.exceptions import Retry

    settings.EMAIL_BACKEND = "charterops.tests.test_mail.BrokenBackend"
    email = queue(org)
    with pytest.raises(Retry):
        send_outbound_email.apply(args=[email.pk], throw=True)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == 1
    assert "SMTPServerDisconnected" in email.error


def test_an_email_without_recipients_is_refused(org):
    with pytest.raises(ValueError, match="no recipient"):
        email_queue(key="k", kind="probe", to=[""], template="probe/hello", context={}, organization=org)


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPServerDisconnected("connection lost")


@locmem_templates
def test_owner_reads_their_brands_outbox_only(client, owner, org, other_org):
    queue(org, key="mine")
    email_queue(
        key="theirs",
        kind="probe",
        to=["x@example.com"],
        template="probe/hello",
        context={"name": "Other"},
        organization=other_org,
    )
    client.force_login(owner)
    response = client.get("/admin/charterops/outboundemail/")
    assert response.status_code == 200
    assert "Hello Dana" in response.text
    assert "Hello Other" not in response.text
    theirs = OutboundEmail.objects.get(key="theirs")
    assert client.get(f"/admin/charterops/outboundemail/{theirs.pk}/change/").status_code == 404
