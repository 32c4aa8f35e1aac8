"""Hand-written SQL has one door (charterops.sql), and that door checks what comes through."""

import ast
from pathlib import Path
from typing import NamedTuple

import pytest
from django.core.exceptions import ImproperlyConfigured

from charterops.models import OutboundEmail
from charterops.sql import CompiledQuery, Statement, select, select_by_credential
from charterops.tests.factories import make_org

ROOT = Path(__file__).resolve().parents[2]
APPS = ("charterops", "events", "crew", "bookings", "guests", "reports")
THE_DOOR = ROOT / "charterops" / "sql.py"
# Calls that run SQL written by hand, whatever object they hang off (`execute` with a
# statement to run: a Redis pipeline's argument-less `execute()` is not SQL).
SQL_CALLS = {"cursor", "execute", "executemany", "executescript", "raw", "extra"}
NEEDS_ARGUMENTS = {"execute", "executemany", "executescript"}
SQL_NAMES = {"RawSQL"}


def application_modules() -> list[Path]:
    return [
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


def sql_calls(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS:
            if node.func.attr in NEEDS_ARGUMENTS and not node.args:
                continue
            found.append(f"{path.relative_to(root)}:{node.lineno} .{node.func.attr}(")
        elif isinstance(node, ast.Name) and node.id in SQL_NAMES:
            found.append(f"{path.relative_to(root)}:{node.lineno} {node.id}")
    return sorted(found)


def test_sql_is_written_by_hand_only_in_charterops_sql():
    modules = application_modules()
    assert THE_DOOR in modules
    assert len(modules) > 50  # the walk really walks the code
    outside = [call for path in modules if path != THE_DOOR for call in sql_calls(path)]
    assert outside == [], "SQL outside charterops/sql.py: " + ", ".join(outside)


def test_the_walk_would_notice_a_cursor(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from django.db import connection\nconnection.cursor().execute('SELECT 1')\nRawSQL\n")
    assert sql_calls(sneaky, root=tmp_path) == ["sneaky.py:2 .cursor(", "sneaky.py:2 .execute(", "sneaky.py:3 RawSQL"]


class EmailRow(NamedTuple):
    id: int
    key: str


EMAILS = Statement(
    "SELECT o.id, o.key FROM {OutboundEmail} o WHERE o.organization_id IN {organizations} ORDER BY o.key",
    EmailRow,
    why="a test statement",
)


def email(organization, key: str) -> OutboundEmail:
    return OutboundEmail.objects.create(
        organization=organization, key=key, kind="probe", from_email="ops@example.com", subject=key, body_text="."
    )


def test_a_statement_must_filter_by_brand():
    with pytest.raises(ImproperlyConfigured, match="filters by brand exactly once"):
        Statement("SELECT o.id, o.key FROM {OutboundEmail} o", EmailRow, why="unscoped")


EMAIL_BY_KEY = Statement(
    "SELECT o.id, o.key FROM {OutboundEmail} o WHERE o.key = %(key)s",
    EmailRow,
    found_by="a test look-up",
    why="a test statement",
)


def test_a_look_up_by_credential_names_no_brand_and_runs_only_through_its_own_door(org):
    with pytest.raises(ImproperlyConfigured, match="names no brand"):
        Statement(
            "SELECT o.id FROM {OutboundEmail} o WHERE o.organization_id IN {organizations}",
            EmailRow,
            found_by="x",
            why="",
        )
    email(org, "secret")
    with pytest.raises(ImproperlyConfigured, match="select_by_credential"):
        select(EMAIL_BY_KEY, organization_ids=[org.pk])
    with pytest.raises(ImproperlyConfigured, match="select with organization_ids"):
        select_by_credential(EMAILS, params={})
    assert select_by_credential(EMAIL_BY_KEY, params={"key": "secret"}).key == "secret"
    assert select_by_credential(EMAIL_BY_KEY, params={"key": "unknown"}) is None


def test_a_statement_naming_a_column_its_model_lacks_fails_before_it_runs(db):
    wrong = Statement(
        "SELECT o.id, o.kee FROM {OutboundEmail} o WHERE o.organization_id IN {organizations}", EmailRow, why="typo"
    )
    with pytest.raises(ImproperlyConfigured, match="OutboundEmail has no column 'kee'"):
        select(wrong, organization_ids=[1])


def test_a_row_that_does_not_match_the_select_list_fails_loudly(org):
    short = Statement("SELECT o.id FROM {OutboundEmail} o WHERE o.organization_id IN {organizations}", EmailRow, why="")
    email(org, "one")
    with pytest.raises(ImproperlyConfigured, match="EmailRow has 2 fields; its statement selects 1 columns"):
        select(short, organization_ids=[org.pk])


def test_rows_come_only_from_the_brands_asked_for(org, other_org):
    third = make_org("quickdumpnow")
    for organization, key in ((org, "ours"), (other_org, "theirs"), (third, "third")):
        email(organization, key)
    assert [row.key for row in select(EMAILS, organization_ids=[org.pk])] == ["ours"]
    assert [row.key for row in select(EMAILS, organization_ids=[org.pk, third.pk])] == ["ours", "third"]


def test_no_brand_means_no_rows_and_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert select(EMAILS, organization_ids=[]) == []


# --- ORM queries compiled once -------------------------------------------------------------


EMAILS_AFTER = CompiledQuery(
    lambda organization_ids, after_id: (
        OutboundEmail.objects.filter(organization_id__in=organization_ids, pk__gt=after_id)
        .order_by("key")
        .values_list("id", "key")
    ),
    EmailRow,
    values=["after_id"],
    why="a test query",
)


def test_a_compiled_query_runs_with_the_values_of_each_call(org, other_org):
    one, two, theirs = email(org, "one"), email(org, "two"), email(other_org, "theirs")
    assert [row.key for row in EMAILS_AFTER.run(organization_ids=[org.pk], after_id=0)] == ["one", "two"]
    assert [row.key for row in EMAILS_AFTER.run(organization_ids=[org.pk], after_id=one.pk)] == ["two"]
    assert [row.key for row in EMAILS_AFTER.run(organization_ids=[other_org.pk], after_id=0)] == ["theirs"]
    both = EMAILS_AFTER.run(organization_ids=[org.pk, other_org.pk], after_id=one.pk)
    assert [row.id for row in both] == [theirs.pk, two.pk]


def test_a_compiled_query_is_built_once_per_database_and_number_of_brands(org, django_assert_num_queries):
    built = []
    query = CompiledQuery(
        lambda organization_ids: built.append(1) or OutboundEmail.objects.filter(organization_id__in=organization_ids),
        EmailRow,
        why="counting builds",
    )
    for _ in range(3):
        query.run(organization_ids=[org.pk])
    assert len(built) == 1
    with django_assert_num_queries(0):
        assert query.run(organization_ids=[]) == []


def test_a_compiled_query_that_ignores_the_brands_is_refused(db):
    unscoped = CompiledQuery(lambda organization_ids: OutboundEmail.objects.values_list("id", "key"), EmailRow, why="x")
    with pytest.raises(ImproperlyConfigured, match="does not use"):
        unscoped.run(organization_ids=[1])
