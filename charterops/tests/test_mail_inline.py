"""message_for: a recorded email's attachments with a Content-ID go inline (charts in reports)."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from charterops.mail import message_for
from charterops.models import OutboundEmail

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


def outbound(attachments: list[dict]) -> OutboundEmail:
    return OutboundEmail.objects.create(
        key="probe:inline",
        kind="probe",
        from_email="Reports <admin@example.com>",
        to=["ceo@example.com"],
        bcc=["audit@example.com"],
        subject="Weekly",
        body_text="Text",
        body_html='<img src="cid:chart.ceo@charterops">',
        attachments=attachments,
    )


def test_an_attachment_with_a_content_id_is_an_inline_related_part(db):
    path = default_storage.save("probe/chart.png", ContentFile(PNG))
    pdf = default_storage.save("probe/terms.pdf", ContentFile(b"%PDF-1.4"))
    email = outbound(
        [
            {"name": "chart.png", "path": path, "content_type": "image/png", "content_id": "chart.ceo@charterops"},
            {"name": "terms.pdf", "path": pdf, "content_type": "application/pdf"},
        ]
    )

    message = message_for(email)
    mime = message.message()

    assert mime.get_content_type() == "multipart/related"
    assert message.bcc == ["audit@example.com"]
    parts = {part.get_content_type(): part for part in mime.walk()}
    image = parts["image/png"]
    assert image["Content-ID"] == "<chart.ceo@charterops>"
    assert image.get_content_disposition() == "inline"
    assert image.get_payload(decode=True) == PNG
    assert parts["application/pdf"].get_content_disposition() == "attachment"
    assert parts["text/html"].get_payload(decode=True).decode() == '<img src="cid:chart.ceo@charterops">'


def test_without_inline_parts_the_message_stays_mixed(db):
    pdf = default_storage.save("probe/terms.pdf", ContentFile(b"%PDF-1.4"))
    mime = message_for(outbound([{"name": "terms.pdf", "path": pdf, "content_type": "application/pdf"}])).message()
    assert mime.get_content_type() == "multipart/mixed"
