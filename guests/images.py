"""Checks of what guests send: drawn signatures (PNG) and photos (by their first bytes)."""

import base64
import binascii
import io

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DATA_URL_PREFIX = "data:image/png;base64,"
MAX_SIGNATURE_PIXELS = 4000 * 2000
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def decode_signature_data_url(value: str) -> bytes:
    """The PNG bytes of a `data:image/png;base64,…` URL, or a ValidationError that says what is wrong."""
    value = (value or "").strip()
    if not value:
        raise ValidationError("Draw your signature in the box.")
    if not value.startswith(DATA_URL_PREFIX):
        raise ValidationError("The signature could not be read. Clear the box and draw it again.")
    encoded = value[len(DATA_URL_PREFIX) :]
    # base64 grows data by a third: refuse before decoding anything oversized.
    if len(encoded) > settings.GUEST_SIGNATURE_MAX_BYTES * 4 // 3 + 4:
        raise ValidationError(_too_large())
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("The signature could not be read. Clear the box and draw it again.") from None


def _too_large() -> str:
    return f"The signature image is too large (at most {settings.GUEST_SIGNATURE_MAX_BYTES // 1000} KB)."


def check_signature_png(data: bytes) -> None:
    """A signature is a real, reasonably sized PNG with something drawn on it."""
    if len(data) > settings.GUEST_SIGNATURE_MAX_BYTES:
        raise ValidationError(_too_large())
    if not data.startswith(PNG_MAGIC):
        raise ValidationError("The signature could not be read. Clear the box and draw it again.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_SIGNATURE_PIXELS:
                raise ValidationError(_too_large())
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            drawn = image.convert("RGBA").getchannel("A").getbbox()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError("The signature could not be read. Clear the box and draw it again.") from None
    if drawn is None:
        raise ValidationError("Draw your signature in the box.")


def sniff_photo_type(head: bytes) -> str | None:
    """The photo type that the first bytes of a file really are (None for anything else)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(PNG_MAGIC):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "image/heic"
    return None
