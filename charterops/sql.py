"""Hand-written SELECTs for the few read paths crew hit on every tap.

On this hardware the ORM spends 0.5–1 ms of Python on each query (building it, compiling
it, turning rows into model instances) while PostgreSQL answers in about 0.1 ms. The
paths that run on every request of a crew member (authentication, the event page, the
event API) read through here instead: plain SQL that runs unchanged on PostgreSQL and
SQLite, rows as tuples, prepared by psycopg after a few runs. Writes, and everything that
is not on such a path, use the ORM.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import Col
from django.utils.dateparse import parse_datetime


def fetch_rows(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows as tuples, for a read that unpacks them by position (no column names to build)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetch_first(sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
    """The first row, or None."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def aware(value: datetime | str | None) -> datetime | None:
    """A timestamp column as an aware datetime: SQLite returns naive UTC (or text for an
    expression), PostgreSQL an aware value already."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


class ModelColumns:
    """A model's columns in a hand-written SELECT, and instances built from them.

    `select` lists the columns under a table alias; `build(values)` makes the instance
    the ORM would have made (the same conversions: decimals and booleans on SQLite, JSON
    …). Fields in `exclude` are left deferred, loaded only if something reads them.
    """

    def __init__(self, model: type[Model], alias: str, exclude: Sequence[str] = ()):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if f.attname not in exclude]
        self.attnames = [f.attname for f in self.fields]
        self.select = ", ".join(f'{alias}."{f.column}"' for f in self.fields)
        self._converters: dict[str, list[tuple[int, Col, list]]] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def converters(self) -> list[tuple[int, Col, list]]:
        """(position, column, converters) of the fields whose values the database backend changes."""
        vendor = connection.vendor
        if vendor not in self._converters:
            found = []
            for i, field in enumerate(self.fields):
                col = field.get_col(self.model._meta.db_table)
                funcs = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
                if funcs:
                    found.append((i, col, funcs))
            self._converters[vendor] = found
        return self._converters[vendor]

    def build(self, values: Sequence[Any]) -> Model:
        values = list(values)
        for i, col, funcs in self.converters():
            for func in funcs:
                values[i] = func(values[i], col, connection)
        return self.model.from_db(connection.alias, self.attnames, values)


def split_row(row: Sequence[Any], *column_sets: ModelColumns) -> list[Sequence[Any]]:
    """`row` cut into each model's values in turn, then whatever columns follow them."""
    parts, start = [], 0
    for columns in column_sets:
        parts.append(row[start : start + len(columns)])
        start += len(columns)
    parts.append(row[start:])
    return parts
