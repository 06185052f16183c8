"""People imports go through a staging table and set-based merges: the rules hold on that path too."""

import random
import time
import uuid

import pytest
from django.db import connection

from touchbase.crm.models import Person
from touchbase.prospecting import importer, services

HEADER = ["First Name", "Last Name", "Email", "Phone", "Title", "Company", "Website", "Country"]


def people():
    return {(p.email, p.first_name.casefold() if not p.email else "", p.last_name.casefold() if not p.email else ""):
            (p.first_name, p.last_name, p.phone, p.title, p.company.name if p.company else None)
            for p in Person.objects.select_related("company")}


def expected(rows, existing, *, overwrite=False):
    """The import's rules, one row at a time, as the spec states them: (people, created, updated, unchanged)."""
    state = {key: list(values) for key, values in existing.items()}
    made, counts = set(), [0, 0, 0]
    for first, last, email, phone, title, company in rows:
        email = email.lower()
        key = (email, "", "") if email else ("", first.casefold(), last.casefold())
        values = [first, last, phone, title, company or (email.partition("@")[2] or None)]
        if key not in state:
            state[key] = values
            made.add(key)
            counts[0] += 1
            continue
        overwrite_now = overwrite and key not in made
        made.add(key)
        changed = False
        for i, value in enumerate(values):
            if value in ("", None):
                continue
            if state[key][i] in ("", None) or (overwrite_now and state[key][i] != value):
                changed = changed or state[key][i] != value
                state[key][i] = value
        counts[1 if changed else 2] += 1
    return {key: tuple(v) for key, v in state.items()}, *counts


def random_rows(rng, count):
    rows = []
    for _ in range(count):
        n = rng.randrange(40)
        email = f"P{n}@co{n % 5}.example" if n < 30 else ""
        rows.append([rng.choice(["Ana", "Bo", ""]) if email else f"Name{n}", rng.choice(["", "Lind", "Berg"]),
                     email.upper() if rng.random() < 0.3 else email, rng.choice(["", f"+4930{n:07d}"]),
                     rng.choice(["", "CEO", "CTO"]), f"Co{n % 5}" if not email else ""])
    return rows


def as_file(rows):
    return [HEADER, *([first, last, email, phone, title, company, "", ""]
                      for first, last, email, phone, title, company in rows)]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("overwrite", [False, True])
@pytest.mark.parametrize("bloom_bytes", [importer.BLOOM_BYTES, 1])
@pytest.mark.parametrize("fork", [False, True])
def test_duplicates_and_existing_people_follow_the_rules_row_by_row(write_csv, db, monkeypatch, seed, overwrite,
                                                                    bloom_bytes, fork):
    # On SQLite the first import inserts surely-new rows by chunk; one byte of filter makes it doubt
    # nearly every row, so both of its paths meet the same rules. With fork, the second process
    # links the rows to companies and sorts them (on SQLite), the first one writes.
    monkeypatch.setattr(importer, "BLOOM_BYTES", bloom_bytes)
    monkeypatch.setattr(services, "IMPORT_CHUNK", 5)
    rng = random.Random(seed)
    first = random_rows(rng, 60)
    report = services.leads_import(path=write_csv(as_file(first), name="first.csv"), overwrite=overwrite, fork=fork)
    state, *counts = expected(first, {})
    assert people() == state, "--overwrite never lets a later row overwrite an earlier one of the same file"
    assert [report.created, report.updated, report.unchanged] == counts
    second = random_rows(rng, 120)
    monkeypatch.setattr(importer, "KEYS_PER_BATCH", 3)

    report = services.leads_import(path=write_csv(as_file(second), name="second.csv"), overwrite=overwrite,
                                   fork=fork)

    state, created, updated, unchanged = expected(second, state, overwrite=overwrite)
    assert people() == state
    assert (report.created, report.updated, report.unchanged) == (created, updated, unchanged)
    assert report.adds_up


@pytest.mark.parametrize("bloom_bytes", [importer.BLOOM_BYTES, 1])
def test_a_big_import_without_indexes_counts_and_links_the_same(write_csv, db, monkeypatch, bloom_bytes):
    rows = random_rows(random.Random(7), 200)
    path = write_csv(as_file(rows))
    monkeypatch.setattr(importer, "BIG_IMPORT_ROWS", 0)
    monkeypatch.setattr(importer, "BLOOM_BYTES", bloom_bytes)
    monkeypatch.setattr(services, "IMPORT_CHUNK", 9)
    report = services.leads_import(path=path)
    state, created, updated, unchanged = expected(rows, {})
    assert people() == state
    assert (report.created, report.updated, report.unchanged) == (created, updated, unchanged)


def test_new_people_are_numbered_in_file_order_with_time_ordered_public_ids(write_csv, db):
    rows = [["Ana", "", "a@one.example", "", "", ""], ["Bo", "", "b@one.example", "", "", ""],
            ["Ana", "Lind", "A@one.example", "", "", ""], ["Cy", "", "c@one.example", "", "", ""]]
    services.leads_import(path=write_csv(as_file(rows)))
    assert list(Person.objects.order_by("pk").values_list("email", flat=True)) == [
        "a@one.example", "b@one.example", "c@one.example"]
    ids = [p.public_id for p in Person.objects.order_by("pk")]
    assert len(set(ids)) == 3
    assert all(isinstance(i, uuid.UUID) and i.version == 7 and i.variant == uuid.RFC_4122 for i in ids), ids
    # Sorted as the people were numbered (the unique index grows at its end), made within the last minute.
    assert sorted(ids) == ids
    assert abs((ids[0].int >> 80) - time.time_ns() // 1_000_000) < 60_000
    # Into a table that has people: the staged path makes them the same way.
    services.leads_import(path=write_csv(as_file([["Di", "", "d@one.example", "", "", ""],
                                                  ["Ed", "", "e@one.example", "", "", ""]])))
    ids = [p.public_id for p in Person.objects.order_by("pk")]
    assert len(set(ids)) == 5 and sorted(ids) == ids and all(i.version == 7 for i in ids)


def _staging_tables():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_temp_master WHERE type = 'table'")
        else:
            cursor.execute("SELECT relname FROM pg_class WHERE relpersistence = 't' AND relkind = 'r'")
        return [row[0] for row in cursor.fetchall()]


def test_the_staging_tables_go_with_the_import(write_csv, db):
    services.leads_import(path=write_csv(as_file(random_rows(random.Random(3), 20))))
    assert _staging_tables() == []


def test_the_report_tiers_only_the_companies_the_import_touched(write_csv, db):
    from touchbase.crm.models import Company
    from touchbase.prospecting.models import CompanyFit

    rows = [["Ana", "", "a@one.example", "", "CEO", ""], ["Bo", "", "b@two.example", "", "", ""]]
    first = services.leads_import(path=write_csv(as_file(rows), name="first.csv"))
    assert sum(first.tiers.values()) == 2 == CompanyFit.objects.count()
    Company.objects.create(name="Elsewhere", domain="elsewhere.example")

    second = services.leads_import(path=write_csv(as_file([["Cy", "", "c@three.example", "", "", ""]]),
                                                  name="second.csv"))

    assert sum(second.tiers.values()) == 1, "only three.example was touched"
    assert not CompanyFit.objects.filter(company__name="Elsewhere").exists()


def test_public_ids_made_in_sql_are_laid_out_as_those_made_in_python(db):
    """Both ways put the time, the version, the counter and the variant in the same places."""
    ids = importer.PublicIds()
    counters = [1, 4095, 4096, 16_383, 16_384, 5_000_000, 67_108_863]
    made = ids.hex(counters)
    with connection.cursor() as cursor:
        for counter, expected in zip(counters, made, strict=True):
            cursor.execute(f"SELECT {ids.sql('c', postgres=connection.vendor == 'postgresql')} "
                           "FROM (SELECT %s AS c) counters", [counter])
            value = cursor.fetchone()[0]
            value = value.hex if isinstance(value, uuid.UUID) else value
            assert value[:20] == expected[:20], counter
            assert uuid.UUID(hex=value).version == 7 and uuid.UUID(hex=value).variant == uuid.RFC_4122
