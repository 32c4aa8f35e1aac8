"""The one door for hand-written SQL: brand-scoped SELECTs on the crew's hottest paths.

On this hardware the ORM spends 0.5–1 ms of Python on each query (building it, compiling
it, turning rows into model instances) while PostgreSQL answers in about 0.1 ms. A few
reads that every crew request makes are therefore written by hand (each says why, with
its benchmark figure, next to its statement): the signed-in principal, the sign-in link,
the event with its roster, the checklist, and the event list. Everything else uses the ORM, and a test fails
when SQL is executed anywhere but here (charterops/tests/test_sql.py).

A `Statement` is checked once, when its module is imported:

- tables are named by their model (`{Event} e`) and the name comes from the model;
- every `alias.column` it mentions must be a column of that alias's model, so renaming a
  field breaks the import, not a page at night;
- it must filter by brand exactly once, with the marker `{organizations}`
  (`WHERE e.organization_id IN {organizations}`), and `select` refuses to run without the
  organization ids: tenancy has one chokepoint, here as in `OrgQuerySet.for_org`. The
  one kind of read that cannot name a brand is a look-up by a credential (a sign-in
  code's hash): the row it finds says which brand it belongs to. Such a statement
  declares it (`found_by=` with the reason), runs only through `select_by_credential`,
  and a test lists every one of them;
- its rows come back as the NamedTuple it declares, so fields are read by name; a SELECT
  list that does not match the row's fields fails loudly instead of shifting values.

Values are always parameters (`%(name)s`); the only text added at run time is the list of
organization placeholders and integer LIMIT/OFFSET bounds. The SQL runs unchanged on
PostgreSQL and SQLite (where psycopg's prepared statements and SQLite's statement cache
make each one cheap to repeat).
"""

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Generic, NamedTuple, TypeVar

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Model, QuerySet
from django.utils.dateparse import parse_datetime

Row = TypeVar("Row", bound=NamedTuple)

ORGANIZATIONS = "{organizations}"
# Where a statement pages its rows (`{page}` becomes `LIMIT n OFFSET m`); at the end if absent.
PAGE = "{page}"
_TABLE = re.compile(r"\{(\w+)\}\s+(?:AS\s+)?(\w+)")
_COLUMN = re.compile(r"\b([a-z]\w*)\.([a-z_]\w*)\b")


def _model_named(name: str) -> type[Model]:
    found = [model for model in apps.get_models() if model.__name__ == name]
    if len(found) != 1:
        raise ImproperlyConfigured(f"SQL names the model {name!r}, which is {'ambiguous' if found else 'unknown'}.")
    return found[0]


class Statement(Generic[Row]):
    """A hand-written SELECT over brand-owned rows, checked against the models."""

    def __init__(self, sql: str, row: type[Row], *, why: str, found_by: str = ""):
        self.row = row
        self.why = why  # the measured reason this read is not an ORM query
        # Set only for a look-up by a credential: the unique secret it is found by, and why
        # the brand cannot be known before the row is.
        self.found_by = found_by
        if found_by:
            if ORGANIZATIONS in sql:
                raise ImproperlyConfigured(f"{row.__name__}: a look-up by credential names no brand.")
        elif sql.count(ORGANIZATIONS) != 1:
            raise ImproperlyConfigured(f"{row.__name__}: a statement filters by brand exactly once ({ORGANIZATIONS}).")
        self._sql = sql
        STATEMENTS.append(self)

    @cached_property
    def _template(self) -> str:
        # Resolved on first use (models are loaded by then), then checked and kept.
        aliases: dict[str, type[Model]] = {}
        for model_name, alias in _TABLE.findall(self._sql):
            if f"{{{model_name}}}" not in (ORGANIZATIONS, PAGE):
                aliases[alias] = _model_named(model_name)
        for alias, column in _COLUMN.findall(self._sql):
            model = aliases.get(alias)
            if model is None:
                continue  # not a table alias (e.g. a CTE's own column)
            if column not in {field.column for field in model._meta.concrete_fields}:
                raise ImproperlyConfigured(f"{self.row.__name__}: {model.__name__} has no column {column!r}.")
        tables = {
            alias_model.__name__: connection.ops.quote_name(alias_model._meta.db_table)
            for alias_model in aliases.values()
        }
        return self._sql.replace(ORGANIZATIONS, "({organization_placeholders})").format_map(_Tables(tables))

    def text(self, organization_count: int) -> str:
        placeholders = ", ".join(f"%(organization_{n})s" for n in range(organization_count))
        return self._template.replace("{organization_placeholders}", placeholders)


# Every statement declared, so that a test can list the look-ups by credential.
STATEMENTS: list[Statement] = []


class _Tables(dict):
    """Table names for `str.format_map`; the organization marker is left for `text`."""

    def __missing__(self, key: str) -> str:
        if key in ("organization_placeholders", "page"):
            return "{" + key + "}"
        raise ImproperlyConfigured(f"SQL names the model {key!r} without giving it an alias.")


def select(
    statement: Statement[Row],
    *,
    organization_ids: Iterable[int],
    params: Mapping[str, Any] | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> list[Row]:
    """The rows `statement` finds within these brands (none at all without a brand).

    `limit` and `offset` are written into the statement as integers rather than sent as
    parameters: with parameters PostgreSQL cannot cost the LIMIT and plans the query anew
    on every request (0.3 ms on the event list); with numbers it keeps one plan per page.
    """
    if statement.found_by:
        raise ImproperlyConfigured(f"{statement.row.__name__} is a look-up by credential: select_by_credential.")
    ids = [int(organization_id) for organization_id in organization_ids]
    if not ids:
        return []
    values: dict[str, Any] = {f"organization_{n}": organization_id for n, organization_id in enumerate(ids)}
    values.update(params or {})
    page = ""
    if limit is not None:
        page = f"LIMIT {int(limit):d}" + (f" OFFSET {int(offset):d}" if offset is not None else "")
    sql = statement.text(len(ids))
    sql = sql.replace(PAGE, page) if PAGE in sql else f"{sql} {page}"
    return _run(statement, sql, values)


def select_by_credential(statement: Statement[Row], *, params: Mapping[str, Any]) -> Row | None:
    """The one row a look-up by credential finds (its brand is in it), or None."""
    if not statement.found_by:
        raise ImproperlyConfigured(f"{statement.row.__name__} filters by brand: select with organization_ids.")
    rows = _run(statement, f"{statement.text(0)} LIMIT 1", dict(params))
    return rows[0] if rows else None


def _run(statement: Statement[Row], sql: str, values: dict[str, Any]) -> list[Row]:
    make = statement.row._make
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if len(cursor.description) != len(statement.row._fields):
            raise ImproperlyConfigured(
                f"{statement.row.__name__} has {len(statement.row._fields)} fields; "
                f"its statement selects {len(cursor.description)} columns."
            )
        return [make(row) for row in cursor.fetchall()]


class CompiledQuery(Generic[Row]):
    """An ORM query compiled to SQL once per process and database, then run through here.

    The rule stays the ORM's — one copy, e.g. `GuestQuerySet.with_waiver_status` — and only
    the Python cost of building and compiling the query (2–3 ms for the manifest's nested
    subqueries on this machine, against 0.3 ms to run it) is paid once. `build` makes the
    queryset from organization ids and values that are ids (a lookup on a small-integer
    field would refuse the stand-ins as out of its range); it is called once with
    stand-in numbers, the compiled SQL remembers where each stands, and every run puts the
    real ones there. `build` must scope by the organization ids (`for_orgs`): a compiled
    query in which they do not appear is refused, as an unscoped `Statement` is.
    """

    _FIRST_STAND_IN = -7_331_000_000  # numbers no id ever is

    def __init__(self, build: Callable[..., QuerySet], row: type[Row], *, values: Sequence[str] = (), why: str):
        self.build = build
        self.row = row
        self.values = tuple(values)
        self.why = why
        self._compiled: dict[tuple[str, int], tuple[str, list[tuple[str, Any]]]] = {}

    def _compile(self, organization_count: int) -> tuple[str, list[tuple[str, Any]]]:
        key = (connection.vendor, organization_count)
        if key not in self._compiled:
            stand_ins: dict[int, tuple[str, Any]] = {}
            numbers = iter(range(self._FIRST_STAND_IN, self._FIRST_STAND_IN - 1000, -1))
            organizations = [next(numbers) for _ in range(organization_count)]
            stand_ins.update({number: ("organization", n) for n, number in enumerate(organizations)})
            values = {name: next(numbers) for name in self.values}
            stand_ins.update({number: ("value", name) for name, number in values.items()})
            queryset = self.build(organization_ids=organizations, **values)
            sql, params = queryset.query.get_compiler(connection.alias).as_sql()
            slots = [stand_ins.get(param, ("constant", param)) for param in params]
            missing = set(stand_ins.values()) - set(slots)
            if missing:
                raise ImproperlyConfigured(f"{self.row.__name__}: the compiled query does not use {sorted(missing)}.")
            self._compiled[key] = (sql, slots)
        return self._compiled[key]

    def run(self, *, organization_ids: Iterable[int], **values: int) -> list[Row]:
        """The rows within these brands (none at all without a brand)."""
        ids = [int(organization_id) for organization_id in organization_ids]
        if not ids:
            return []
        sql, slots = self._compile(len(ids))
        given = {name: int(values[name]) for name in self.values}
        params = [
            ids[what] if kind == "organization" else given[what] if kind == "value" else what for kind, what in slots
        ]
        make = self.row._make
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [make(row) for row in cursor.fetchall()]


def select_first(statement: Statement[Row], **kwargs: Any) -> Row | None:
    """The first row `select` finds, or None."""
    rows = select(statement, **kwargs)
    return rows[0] if rows else None


def refresh_planner_statistics() -> None:
    """ANALYZE on PostgreSQL (after a bulk load, as autovacuum would later); nothing on SQLite.

    Not a read of brand data, so not a `Statement`: the one other SQL this module runs.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def aware(value: datetime | str | None) -> datetime | None:
    """A timestamp column as an aware datetime: SQLite returns naive UTC (or text for an
    expression), PostgreSQL an aware value already.

    Statements select timestamps as text (`CAST(x AS TEXT)`) where they read many: under
    Django psycopg parses a timestamptz in Python, a few microseconds each, while
    `fromisoformat` parses the text in C.
    """
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def db_value(model: type[Model], field: str, value: Any) -> Any:
    """`value` as the database takes it for `model.field` (a UUID on SQLite is hex text)."""
    return model._meta.get_field(field).get_db_prep_value(value, connection)


class ModelColumns:
    """A model's columns in a hand-written SELECT, and instances built from them.

    `select(alias)` lists the columns under a table alias; `build(values)` makes the
    instance the ORM would have made (the same conversions: decimals and booleans on
    SQLite, JSON …). Fields in `exclude` are left deferred, loaded only if something reads
    them.
    """

    def __init__(self, model: type[Model], alias: str, exclude: Sequence[str] = ()):
        self.model = model
        self.alias = alias
        self.fields = [f for f in model._meta.concrete_fields if f.attname not in exclude]
        self.attnames = [f.attname for f in self.fields]
        self._converters: dict[str, list[tuple[int, Any, list]]] = {}

    @property
    def select(self) -> str:
        return ", ".join(f"{self.alias}.{f.column}" for f in self.fields)

    @property
    def names(self) -> list[str]:
        """Field names for a NamedTuple row: `<alias>_<column>`."""
        return [f"{self.alias}_{f.column}" for f in self.fields]

    def __len__(self) -> int:
        return len(self.fields)

    def _converters_for_backend(self) -> list[tuple[int, Any, list]]:
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

    def take(self, row: NamedTuple) -> list[Any]:
        """This model's values in `row`, read by their field names."""
        return [getattr(row, name) for name in self.names]

    def build(self, values: Sequence[Any]) -> Model:
        values = list(values)
        for i, col, funcs in self._converters_for_backend():
            for func in funcs:
                values[i] = func(values[i], col, connection)
        return self.model.from_db(connection.alias, self.attnames, values)
