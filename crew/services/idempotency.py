"""Writes a phone may replay: applied once, answered "already done" the second time.

    outcome = run_once(
        key=request.headers["Idempotency-Key"], user=user, organization_id=org.pk,
        action="checklist_item_update", target=f"checklist_item:{item.pk}",
        write=lambda: checklist_item_update(...), result=lambda item: {"version": item.version},
    )
    outcome.replayed  # True: the write had happened before; outcome.result says what it did

The key's row is inserted before the write and in its transaction: a write that is
refused (a stale version, a closed charter) rolls the key back with it, so a later
attempt is judged afresh; a write that happened keeps its key, and the same key again —
even at the same instant, from a second connection — finds it (the unique constraint
makes the second insert wait for the first to commit, then fail) and is not applied.

Any queued tap can use it with a few lines: a boarding check-in would call
`run_once(action="guest_check_in", target=f"guest:{guest.pk}", write=..., result=...)`.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from charterops.errors import Conflict

from ..models import IdempotencyKey

T = TypeVar("T")
# What phones send: a UUID, or any 8–64 letters, digits, dashes and underscores.
KEY_FORMAT = re.compile(r"[A-Za-z0-9_-]{8,64}")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    value: T | None  # what the write returned; None when it was replayed
    result: dict[str, Any]
    replayed: bool


def idempotency_key_check(key: str) -> str:
    if not isinstance(key, str) or not KEY_FORMAT.fullmatch(key):
        raise ValidationError("The Idempotency-Key header must be 8 to 64 letters, digits, dashes or underscores.")
    return key


@transaction.atomic
def run_once(
    *,
    key: str,
    user: AbstractBaseUser,
    organization_id: int,
    action: str,
    target: str,
    write: Callable[[], T],
    result: Callable[[T], dict[str, Any]],
) -> Outcome[T]:
    """Do `write` unless this person's `key` was already used for it; either way, say what it did."""
    idempotency_key_check(key)
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                organization_id=organization_id, user=user, key=key, action=action, target=target
            )
    except IntegrityError:
        earlier = IdempotencyKey.objects.get(user=user, key=key)
        if (earlier.action, earlier.target, earlier.organization_id) != (action, target, organization_id):
            raise Conflict("This Idempotency-Key was already used for another action; send a new one.") from None
        return Outcome(value=None, result=earlier.result, replayed=True)
    value = write()
    record.result = result(value)
    record.save(update_fields=["result"])
    return Outcome(value=value, result=record.result, replayed=False)


def idempotency_keys_prune(*, older_than) -> int:
    """Forget keys older than a moment (a phone does not hold a tap for weeks)."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=older_than).delete()
    return deleted
