"""The PDF copy of a signed waiver, with both hashes printed on it."""

import io
import textwrap

from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from .brand import Clock, public_title
from .models import WaiverSignature

MARGIN = 0.8 * inch
LINE = 14


def waiver_pdf(signature: WaiverSignature) -> bytes:
    """Render the waiver text exactly as signed, who signed it, when, from where, and the hashes."""
    guest, template = signature.guest, signature.template
    event, org = guest.event, signature.guest.event.organization
    clock = Clock.of(org)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=True)
    canvas.setTitle(f"{template.title} — {guest.name}")
    canvas.setAuthor(org.name)
    _, height = letter
    y = height - MARGIN

    def line(text: str, *, font: str = "Helvetica", size: int = 10) -> None:
        nonlocal y
        if y < MARGIN + LINE:
            canvas.showPage()
            y = height - MARGIN
        canvas.setFont(font, size)
        canvas.drawString(MARGIN, y, text)
        y -= LINE if size <= 11 else size + 6

    line(org.name, font="Helvetica-Bold", size=16)
    line(f"{template.title} (version {template.version})", font="Helvetica-Bold", size=12)
    departs = f"{clock.moment(event.departure_at)} {clock.zone(event.departure_at)} ({org.time_zone})"
    line(f"{public_title(event)} — {departs}")
    y -= LINE / 2
    for paragraph in template.body.splitlines() or [""]:
        for text in textwrap.wrap(paragraph, 95) or [""]:
            line(text)
    y -= LINE / 2
    line(f"Guest: {guest.name}{' (under 18)' if guest.is_minor else ''}", font="Helvetica-Bold")
    if signature.signer == WaiverSignature.Signer.GUEST:
        line(f"Signed by: {signature.signed_name}, the guest, for themselves")
    else:
        # Signatures from before the relationship was asked were a minor's parent or guardian.
        relationship = signature.get_relationship_display().lower() or "parent or guardian"
        line(f"Signed by: {signature.signed_name}, on behalf of {guest.name}, as their {relationship}")
    line("Consent to sign electronically: given")
    line(f"Signed at: {clock.record(signature.signed_at)}")
    line(f"IP address: {signature.ip_address or 'unknown'}")
    for i, chunk in enumerate(textwrap.wrap(signature.user_agent or "unknown", 95)):
        line(("User agent: " if i == 0 else "  ") + chunk)
    if y < MARGIN + 1.4 * inch:
        canvas.showPage()
        y = height - MARGIN
    image = ImageReader(io.BytesIO(bytes(signature.signature_png)))
    canvas.drawImage(
        image, MARGIN, y - 1.1 * inch, width=3 * inch, height=1 * inch, mask="auto", preserveAspectRatio=True
    )
    y -= 1.3 * inch
    line(f"SHA-256 of the waiver text: {signature.text_sha256}", font="Courier", size=8)
    line(f"SHA-256 of the signature image: {signature.image_sha256}", font="Courier", size=8)
    line(f"Signature record: {signature.public_id}", font="Courier", size=8)
    canvas.save()
    return buffer.getvalue()
