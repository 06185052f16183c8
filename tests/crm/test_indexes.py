"""The indexes on people and companies, pinned: each one costs the lead-list import work on every row.

A foreign key gets an index of its own unless told otherwise (db_index=False); on these two tables
each is covered by a composite index that starts with it, so a new field or Meta index shows up
here and is added on purpose, with its cost to the import in mind.
"""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

PERSON_INDEXES = {
    (("public_id",), True),
    (("email",), False),
    (("last_name", "first_name"), False),
    (("company_id", "last_name"), False),
    (("company_id", "created_at"), False),
    (("touch_count", "last_touch_at"), False),
    (("owner_id", "last_touch_at"), False),
}
COMPANY_INDEXES = {
    (("public_id",), True),
    (("domain",), False),
    (("name",), False),
    (("owner_id", "name"), False),
}


def indexes(table: str) -> set[tuple[tuple[str, ...], bool]]:
    """(columns, unique) of every index and unique constraint on `table` but the primary key
    (PostgreSQL's `_like` pattern-ops twin of a text index counts once)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {(tuple(c["columns"]), c["unique"]) for c in constraints.values()
            if (c["index"] or c["unique"]) and not c["primary_key"]}


def test_people_keep_only_the_indexes_their_reads_need():
    assert indexes("crm_person") == PERSON_INDEXES


def test_companies_keep_only_the_indexes_their_reads_need():
    assert indexes("crm_company") == COMPANY_INDEXES


def test_no_owner_or_company_has_an_index_of_its_own_beside_the_composite_that_starts_with_it():
    singles = {columns for columns, _unique in indexes("crm_person") | indexes("crm_company") if len(columns) == 1}
    assert not singles & {("owner_id",), ("company_id",)}
