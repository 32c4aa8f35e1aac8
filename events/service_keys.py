"""Service keys for booking platforms: made once, stored hashed, revocable."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from charterops.models import Organization

from .models import ServiceKey, Source

KEY_PREFIX = "cosk"
# Recording every single use would write on every request; a minute's precision is plenty.
LAST_USED_PRECISION = timedelta(minutes=1)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def service_key_create(*, organization: Organization, name: str, source: str = Source.OTHER) -> tuple[ServiceKey, str]:
    """Make a key for a platform (`source`); the returned plain key is shown once and never stored."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    plain = f"{KEY_PREFIX}_{prefix}_{secret}"
    key = ServiceKey(organization=organization, name=name, source=source, prefix=prefix, key_hash=_hash(plain))
    key.full_clean()
    key.save()
    return key, plain


def service_key_revoke(*, key: ServiceKey) -> ServiceKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def service_key_check(plain: str) -> ServiceKey | None:
    """The active key matching `plain`, or None. Records when it was last used."""
    parts = plain.split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = ServiceKey.objects.active().select_related("organization").filter(prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.key_hash, _hash(plain)):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
        ServiceKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
