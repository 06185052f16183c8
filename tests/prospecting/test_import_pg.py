"""A big people import into an empty table on PostgreSQL builds the secondary indexes once, at the end."""

import random

import pytest
from django.db import connection

from touchbase.crm.models import Company, Person
from touchbase.prospecting import importer, services

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL path of the import")

HEADER = ["First Name", "Last Name", "Email", "Phone", "Title", "Company", "Website", "Country"]


def lead_list(seed=5, count=300):
    """People with repeated emails (other case), people known by name only, and one invalid row."""
    rng = random.Random(seed)
    rows = [HEADER]
    for _ in range(count):
        n = rng.randrange(200)
        email = f"P{n}@co{n % 7}.example" if n < 170 else ""
        rows.append([rng.choice(["Ana", "Bo", ""]) if email else f"Name{n}", rng.choice(["", "Lind", "Berg"]),
                     email.upper() if rng.random() < 0.3 else email, rng.choice(["", f"+4930{n:07d}"]),
                     rng.choice(["", "CEO", "CTO"]), f"Co{n % 7}", "", "DE"])
    rows.append(["", "", "not-an-email", "", "", "", "", ""])
    return rows


def indexes():
    """Every index of the people table: name -> (definition, oid); a rebuilt index has a new oid."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname, pg_get_indexdef(c.oid), c.oid FROM pg_index i "
                       "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'crm_person'::regclass")
        return {name: (sql, oid) for name, sql, oid in cursor.fetchall()}


def definitions(found):
    return {name: sql for name, (sql, _oid) in found.items()}


def people():
    fields = [f.attname for f in Person._meta.concrete_fields
              if f.attname not in ("id", "public_id", "company_id", "created_at", "updated_at")]
    return list(Person.objects.order_by("pk").values_list(*fields, "company__name"))


def test_a_big_import_into_no_people_rebuilds_the_same_indexes_and_writes_the_same_rows(write_csv, db,
                                                                                        monkeypatch):
    path = write_csv(lead_list())
    monkeypatch.setattr(importer, "BIG_IMPORT_ROWS", 10**9)
    before = indexes()
    normal = services.leads_import(path=path)
    assert indexes() == before, "a small import leaves the indexes alone"
    rows = people()
    Person.objects.all().delete()
    Company.objects.all().delete()

    monkeypatch.setattr(importer, "BIG_IMPORT_ROWS", 0)
    deferred = services.leads_import(path=path)
    after = indexes()
    assert definitions(after) == definitions(before)
    rebuilt = {name for name in after if after[name][1] != before[name][1]}
    assert rebuilt and all(" UNIQUE " not in after[name][0] for name in rebuilt)
    assert people() == rows
    assert deferred.as_dict() == normal.as_dict()


def test_an_import_into_a_table_with_people_keeps_its_indexes(write_csv, db, monkeypatch):
    monkeypatch.setattr(importer, "BIG_IMPORT_ROWS", 0)
    services.leads_import(path=write_csv(lead_list(seed=1, count=20), name="first.csv"))
    before = indexes()
    report = services.leads_import(path=write_csv(lead_list(), name="second.csv"))
    assert indexes() == before
    assert report.adds_up


def test_a_failed_import_after_the_rebuild_leaves_the_indexes_and_no_people(write_csv, db, monkeypatch):
    monkeypatch.setattr(importer, "BIG_IMPORT_ROWS", 0)

    def fails(**kwargs):
        raise RuntimeError("scoring broke")

    monkeypatch.setattr(services, "companies_rescore", fails)
    before = indexes()
    with pytest.raises(RuntimeError):
        services.leads_import(path=write_csv(lead_list()))
    assert indexes() == before
    assert not Person.objects.exists()
