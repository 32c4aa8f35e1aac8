"""Write helpers every app's services share."""

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model

M = TypeVar("M", bound=Model)


def model_update(*, instance: M, fields: Iterable[str], data: Mapping[str, Any]) -> M:
    """Set the given `data` on `instance`, validate the whole row, save it.

    Only names in `fields` may be changed: anything else is refused with the list of what
    cannot be changed here, before anything is set.
    """
    unknown = set(data) - set(fields)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    for name, value in data.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance
