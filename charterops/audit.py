"""The audit log's plumbing (django-simple-history): every save of an audited model keeps
a copy of the row with who, when and how it changed; the back office compares copies to
show what changed, before and after (backoffice.audit).

Two things a model signal never sees are recorded here by hand: a queryset `update()`
(a conditional claim of a role slot) and `bulk_create()` (a new event's seats).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from simple_history.models import HistoricalRecords

from . import display


def history_user(instance: models.Model | None = None, request: Any = None, **kwargs: Any):
    """Who is changing things in this request: the back office's user, the crew member
    signed in on the crew pages (their JWT's user) or in the API; None for tasks,
    commands and booking platforms (their key is no person)."""
    request = getattr(HistoricalRecords.context, "request", None)
    if request is None:
        return None
    principal = getattr(request, "principal", None)
    user = principal.user if principal is not None else getattr(request, "user", None)
    # A booking platform's key authenticates as a stand-in that is no user account.
    return user if isinstance(user, get_user_model()) and user.is_authenticated else None


def audited(**options: Any) -> HistoricalRecords:
    """The audit log of a model: `audit_log = audited(excluded_fields=[…secrets…])`."""
    return HistoricalRecords(get_user=history_user, **options)


def record_changes(instances: Iterable[models.Model], *, created: bool = False, by: Any = None) -> None:
    """Record rows a queryset `update()` or `bulk_create()` wrote (as they are now)."""
    rows = list(instances)
    if not rows:
        return
    manager = type(rows[0]).audit_log
    manager.bulk_history_create(rows, update=not created, default_user=by or history_user())


# --- Reading the log: what changed, before and after ---------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    who: str
    what: str
    action: str
    changes: list[Change]
    reason: str


@dataclass(frozen=True)
class AuditSource:
    """The log of one kind of row shown on a page: `history` is a queryset of its
    historical rows (already limited to the object's own rows), `describe` names a row
    from its historical copy without a query, `money` lists the amounts among its fields."""

    history: models.QuerySet
    describe: Callable[[Any], str]
    money: tuple[str, ...] = ()


ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
NOBODY = "CharterOps (a task, a booking platform or a command)"


def audit_entries(sources: Iterable[AuditSource]) -> list[AuditEntry]:
    """The changes recorded in `sources`, newest first: one query per source, and one per
    kind of related row named in them (vessels, crew …), whatever the number of changes."""
    entries: list[AuditEntry] = []
    for source in sources:
        entries.extend(_entries_of(source))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


def _entries_of(source: AuditSource) -> list[AuditEntry]:
    records = list(source.history.select_related("history_user").order_by("history_date", "history_id"))
    if not records:
        return []
    historical = source.history.model
    pk_name = historical.instance_type._meta.pk.attname
    fields = [f for f in historical.tracked_fields if f.attname != pk_name]
    names = _related_names(fields, records)
    previous: dict[Any, Any] = {}
    entries = []
    for record in records:
        key = getattr(record, pk_name)
        before = previous.get(key)
        previous[key] = record
        changes = []
        if record.history_type != "-":
            for field in fields:
                old = _shown(field, getattr(before, field.attname), names, source) if before is not None else "—"
                new = _shown(field, getattr(record, field.attname), names, source)
                if before is None and new == "—":
                    continue
                if old != new:
                    changes.append(Change(field=str(field.verbose_name).capitalize(), before=old, after=new))
        action = "Changed" if record.history_type == "+" and before is not None else ACTIONS[record.history_type]
        entries.append(
            AuditEntry(
                at=record.history_date,
                who=_who(record.history_user),
                what=source.describe(record),
                action=action,
                changes=changes,
                reason=record.history_change_reason or "",
            )
        )
    return entries


def _related_names(fields: list, records: list) -> dict[tuple[type, Any], str]:
    """Names of the rows that foreign keys point at, one query per related model."""
    names: dict[tuple[type, Any], str] = {}
    for field in fields:
        if not field.is_relation or field.related_model is None:
            continue
        ids = {getattr(record, field.attname) for record in records} - {None}
        if ids:
            model = field.related_model
            # A row's name may read its own foreign keys (a crew member's user): joined here.
            joined = [f.name for f in model._meta.concrete_fields if f.many_to_one]
            related = model._base_manager.filter(pk__in=ids).select_related(*joined)
            names.update({(field.related_model, row.pk): str(row) for row in related})
    return names


def _shown(field, value: Any, names: dict, source: AuditSource) -> str:
    if value is None or value == "":
        return "—"
    if field.is_relation and field.related_model is not None:
        return names.get((field.related_model, value), f"#{value} (deleted)")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return display.moment(value)
    if field.attname in source.money:
        return display.money(value)
    return str(value)


def _who(user: Any) -> str:
    if user is None:
        return NOBODY
    return user.get_full_name() or user.get_username()
