"""Test data builders for guests, waivers and signatures (through the services)."""

import io
import itertools

from PIL import Image, ImageDraw

from charterops.models import Organization
from events.models import Event
from guests import services
from guests.models import Guest, WaiverTemplate

_seq = itertools.count(1)


def signature_png(width: int = 300, height: int = 100) -> bytes:
    """A drawn signature: a dark stroke on a transparent PNG, as the signing page sends."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 70), (80, 20), (150, 80), (280, 30)], fill=(17, 17, 17, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def blank_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (300, 100), (0, 0, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def make_waiver(org: Organization, body: str = "I accept the risks of sailing.") -> WaiverTemplate:
    return services.waiver_publish(organization=org, title=f"{org.name} waiver", body=body)


def make_guest(event: Event, name: str | None = None, **fields) -> Guest:
    name = name or f"Guest Number{next(_seq)}"
    fields.setdefault("email", f"{name.split()[0].lower()}{next(_seq)}@example.com")
    return services.guest_create(event=event, name=name, **fields)


def sign(guest: Guest, template: WaiverTemplate | None = None, **overrides):
    template = template or WaiverTemplate.objects.current_for(guest.organization)
    kwargs = {
        "guest": guest,
        "template": template,
        "signed_name": guest.name,
        "signature_png": signature_png(),
        "consent": True,
        "ip_address": "203.0.113.7",
        "user_agent": "pytest",
        **overrides,
    }
    if guest.is_minor:
        kwargs.setdefault("signer", "guardian")
        kwargs.setdefault("relationship", "parent")
        if kwargs["signed_name"] == guest.name:
            kwargs["signed_name"] = guest.guardian_name or f"Parent of {guest.name}"
    return services.waiver_sign(**kwargs)[0]
