"""The core of a lead-list import: rows in, companies and people out, a few thousand rows at a time.

`services.leads_import` owns the transaction and the scoring; this module turns each chunk of rows
into plain SQL: one SELECT to find the records the chunk already matches, one `executemany` INSERT
for the new ones, one UPDATE for those it fills in. No ORM object is built per row: a million-row
file would spend a minute on that alone.

Rules, per the lead-list spec:
- people are the same person by email, or (no email) by first and last name at the same company;
  companies are the same company by domain, else by name (ignoring case and spacing);
- the first row wins: a later duplicate in the file only fills the fields still empty; a record that
  existed before the import is filled in too, or overwritten with the file's non-empty values
  when `overwrite` is on (once, by the first row that matches it);
- every row read is counted exactly once as created, updated, unchanged or rejected.
"""

import csv
import os
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.db import connection
from django.utils import timezone

from touchbase.crm.models import Company, Person, Source

from . import normalize
from .files import BadFile, Table
from .mapping import Mapping

CHUNK = 5_000
_IN = 500  # values per IN (...) list; SQLite caps the parameters of one statement


@dataclass
class Report:
    """What an import did. created + updated + unchanged + rejected == rows."""

    file: str
    kind: str
    mapping: str
    format: str
    encoding: str
    columns: dict[str, str]
    ignored_columns: list[str]
    dry_run: bool = False
    overwrite: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    companies_created: int = 0
    tiers: dict[str, int] = field(default_factory=dict)
    rejected_file: str | None = None

    @property
    def adds_up(self) -> bool:
        return self.created + self.updated + self.unchanged + self.rejected == self.rows

    def as_dict(self) -> dict:
        return asdict(self)


class RejectedRows:
    """Rows the import refused, written beside the input as `<input>.rejected.csv` with the reason."""

    def __init__(self, path: Path, header: list[str]):
        self.path = Path(f"{path}.rejected.csv")
        self.partial = Path(f"{self.path}.part")
        self.header = header
        self.file = None
        self.writer = None

    def add(self, row_number: int, reason: str, row: list[str]) -> None:
        if self.writer is None:
            self.file = open(self.partial, "w", newline="", encoding="utf-8-sig")
            self.writer = csv.writer(self.file)
            self.writer.writerow(["row", "reason", *self.header])
        self.writer.writerow([row_number, reason, *row])

    def finish(self) -> str | None:
        """Keep the rejects (or remove a stale file from an earlier run); the path, or None."""
        if self.file is None:
            self.path.unlink(missing_ok=True)
            return None
        self.file.close()
        os.replace(self.partial, self.path)
        return str(self.path)

    def discard(self) -> None:
        if self.file is not None:
            self.file.close()
            self.partial.unlink(missing_ok=True)


class _Ids:
    """Primary keys handed out before the INSERT, so one executemany can write rows that point at each other."""

    def __init__(self, cursor, model):
        self.cursor, self.table = cursor, model._meta.db_table
        self.pool: list[int] = []
        if connection.vendor == "sqlite":
            # The import holds SQLite's write lock (BEGIN IMMEDIATE) from its first statement, so no one
            # else can take these ids; AUTOINCREMENT's high-water mark keeps deleted ids unused.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.table}")
            top = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
            seq = cursor.fetchone()
            self.next = max(top, seq[0] if seq else 0) + 1
        else:
            self.next = None
        self.first: int | None = None

    def take(self) -> int:
        if self.next is not None:
            value = self.next
            self.next += 1
        else:
            if not self.pool:
                self.cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, 1000)",
                                    [self.table])
                self.pool = [r[0] for r in self.cursor.fetchall()][::-1]
            value = self.pool.pop()
        if self.first is None:
            self.first = value
        return value

    def made_here(self, pk: int) -> bool:
        return self.first is not None and pk >= self.first


class _Inserter:
    """An INSERT of the given columns; every other column gets its model default, once per run."""

    def __init__(self, model, given: tuple[str, ...]):
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.now = now
        columns, constants = list(given), []
        for name, f in fields.items():
            if name in given or name == "public_id":
                continue
            columns.append(f.column)
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                constants.append(now)
            else:
                constants.append(f.get_db_prep_save(f.get_default(), connection))
        columns.append(fields["public_id"].column)
        self.constants = tuple(constants)
        marks = ", ".join(["%s"] * len(columns))
        self.sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES ({marks})"

    def rows(self, records: list[tuple]) -> list[tuple]:
        constants = self.constants
        return [r + constants + (public_id,) for r, public_id in zip(records, uuid4_hex(len(records)), strict=True)]


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def uuid4_hex(count: int) -> list[str]:
    """`count` random (version 4) UUIDs as 32 hex digits, which both databases take for a uuid column.

    uuid.uuid4() costs about 6 µs each in CPython (mostly building the UUID object); a million
    public ids would spend 6 s there. One urandom call and string slicing cost a sixth of that.
    """
    h = os.urandom(16 * count).hex()
    return [f"{h[i:i + 12]}4{h[i + 13:i + 16]}{_VARIANT[h[i + 16]]}{h[i + 17:i + 32]}" for i in range(0, 32 * count, 32)]


# Indexes the import reads while it runs (the email and name-at-company lookups); a big import on
# SQLite drops the other secondary indexes of the tables it fills and builds them once at the end.
_LOOKUP_INDEXES = (("email",), ("company_id", "last_name"))
BIG_IMPORT_ROWS = 50_000


@contextmanager
def secondary_indexes_deferred(cursor, *, rows_expected: int):
    """Build the secondary indexes of crm_person and crm_company once after a big import.

    Seven indexes on crm_person updated row by row make each insert several times dearer than a
    sorted build at the end. Only on SQLite, where the DROP and CREATE are part of the import's
    transaction (a failed import rolls them back with everything else) and readers keep their
    snapshot; and only when the file is big next to the table, so rebuilding costs less than it saves.
    """
    if connection.vendor != "sqlite" or rows_expected < BIG_IMPORT_ROWS:
        yield
        return
    cursor.execute("SELECT COUNT(*) FROM crm_person")
    if rows_expected < cursor.fetchone()[0]:
        yield
        return
    saved = []
    for table in ("crm_person", "crm_company"):
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                       "AND sql IS NOT NULL", [table])
        for name, sql in cursor.fetchall():
            cursor.execute(f'PRAGMA index_info("{name}")')
            columns = tuple(row[2] for row in cursor.fetchall())
            if table == "crm_person" and any(columns[:len(k)] == k for k in _LOOKUP_INDEXES):
                continue
            cursor.execute(f'DROP INDEX "{name}"')
            saved.append(sql)
    yield
    for sql in saved:
        cursor.execute(sql)


def _in_batches(values: list, size: int = _IN):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _merge(current: list, new: tuple, overwrite: bool) -> bool:
    """Fill current's empty values from new (or overwrite with new's non-empty ones); True if anything changed."""
    changed = False
    for i, value in enumerate(new):
        if value == "" or value is None:
            continue
        have = current[i]
        if have == "" or have is None or (overwrite and have != value):
            if have != value:
                current[i] = value
                changed = True
    return changed


class CompanyIndex:
    """Every company's domain and name key, so rows find their company without a query each.

    Memory grows with the number of companies in the database, not with the size of the file.
    """

    def __init__(self, cursor):
        self.by_domain: dict[str, int] = {}
        self.by_name: dict[str, tuple[int, bool]] = {}
        cursor.execute("SELECT id, domain, name FROM crm_company ORDER BY id")
        while batch := cursor.fetchmany(10_000):
            for pk, domain, name in batch:
                self.add(pk, domain, name)

    def add(self, pk: int, domain: str, name: str) -> None:
        if domain:
            self.by_domain.setdefault(domain, pk)
        if name:
            key = normalize.company_key(name)
            if key not in self.by_name or (domain and not self.by_name[key][1] and self.by_name[key][0] == pk):
                self.by_name[key] = (pk, bool(domain))

    def find(self, domain: str, name: str) -> int | None:
        """The company with this domain; else, by name, one that has no other domain."""
        if domain and domain in self.by_domain:
            return self.by_domain[domain]
        if name:
            found = self.by_name.get(normalize.company_key(name))
            if found and not (domain and found[1]):
                if domain:
                    self.add(found[0], domain, name)
                return found[0]
        return None


class _Chunks:
    """Shared state of one import run: the cursor, id pools, the company index, touched companies."""

    def __init__(self, *, table: Table, mapping: Mapping, report: Report, rejected: RejectedRows,
                 owner_id: int | None, overwrite: bool, cursor):
        self.table, self.mapping, self.report, self.rejected = table, mapping, report, rejected
        self.owner_id, self.overwrite, self.cursor = owner_id, overwrite, cursor
        self.companies = CompanyIndex(cursor)
        self.company_ids = _Ids(cursor, Company)
        self.company_insert = _Inserter(Company, ("id", "name", "domain", "website", "country", "industry",
                                                  "employee_count", "notes", "owner_id", "source"))
        self.touched_companies: set[int] = set()
        # Records that existed before this run and were already matched once: later rows only fill them.
        self.seen_existing: set[int] = set()

    def take(self, count: int, rejects: list[tuple[int, str, list[str]]]) -> None:
        """Count a chunk's rows and file its rejects."""
        self.report.rows += count
        self.report.rejected += len(rejects)
        for number, reason, row in rejects:
            self.rejected.add(number, reason, row)

    def new_company(self, *, name: str, domain: str, website: str = "", country: str = "", industry: str = "",
                    employee_count: int | None = None, notes: str = "") -> tuple:
        pk = self.company_ids.take()
        self.companies.add(pk, domain, name)
        self.touched_companies.add(pk)
        return (pk, name, domain, website, country, industry, employee_count, notes, self.owner_id, Source.IMPORT)

    def insert_companies(self, records: list[tuple]) -> None:
        if records:
            self.cursor.executemany(self.company_insert.sql, self.company_insert.rows(records))


_PERSON_VALUES = "id, first_name, last_name, phone, title, company_id, owner_id"


class PeopleImport(_Chunks):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.person_ids = _Ids(self.cursor, Person)
        self.person_insert = _Inserter(Person, ("id", "email", "first_name", "last_name", "phone", "title",
                                                "company_id", "owner_id", "source"))
        self.person_update = ("UPDATE crm_person SET first_name = %s, last_name = %s, phone = %s, title = %s, "
                              "company_id = %s, owner_id = %s, updated_at = %s WHERE id = %s")

    def process(self, count: int, parsed: list, rejects: list) -> None:
        """Write one chunk: `parsed` rows as `rows.PeopleRows` cleans them, `rejects` to file."""
        report = self.report
        self.take(count, rejects)

        new_companies, keyed = [], []
        for _number, (email, first, last, phone, title, company, domain, website, country) in parsed:
            company_id = None
            if domain or company:
                company_id = self.companies.find(domain, company)
                if company_id is None:
                    record = self.new_company(name=company or domain, domain=domain, country=country,
                                              website=f"https://{website}" if website else "")
                    new_companies.append(record)
                    company_id = record[0]
            key = email or ("", first.casefold(), last.casefold(), company_id)
            keyed.append((key, (first, last, phone, title, company_id, self.owner_id), email))
        self.insert_companies(new_companies)
        report.companies_created += len(new_companies)

        existing = self._existing(keyed)
        pending: dict = {}
        for key, values, email in keyed:
            state = pending.get(key)
            overwrite = False
            if state is None:
                found = existing.get(key)
                if found is None:
                    pending[key] = [self.person_ids.take(), True, False, email, list(values)]
                    report.created += 1
                    continue
                state = pending[key] = [found[0], False, False, email, list(found[1:])]
                if not self.person_ids.made_here(found[0]) and found[0] not in self.seen_existing:
                    self.seen_existing.add(found[0])
                    overwrite = self.overwrite
            if _merge(state[4], values, overwrite):
                state[2] = True
                report.updated += 1
            else:
                report.unchanged += 1

        inserts, updates = [], []
        now = self.person_insert.now
        for pk, is_new, dirty, email, (first, last, phone, title, company_id, owner_id) in pending.values():
            if is_new:
                inserts.append((pk, email, first, last, phone, title, company_id, owner_id, Source.IMPORT))
            elif dirty:
                updates.append((first, last, phone, title, company_id, owner_id, now, pk))
            else:
                continue
            if company_id is not None:
                self.touched_companies.add(company_id)
        if inserts:
            self.cursor.executemany(self.person_insert.sql, self.person_insert.rows(inserts))
        if updates:
            self.cursor.executemany(self.person_update, updates)

    def _existing(self, keyed: list) -> dict:
        """People already in the database that rows of this chunk match, by email or by name key."""
        found: dict = {}
        emails = sorted({key for key, _values, _email in keyed if isinstance(key, str)})
        for part in _in_batches(emails):
            marks = ", ".join(["%s"] * len(part))
            self.cursor.execute(f"SELECT email, {_PERSON_VALUES} FROM crm_person WHERE email IN ({marks}) ORDER BY id",
                                part)
            for email, *values in self.cursor.fetchall():
                found.setdefault(email, values)
        # By company when there is one, by exact last name when not, so an index serves each lookup;
        # the names themselves are compared ignoring case below.
        named = [(key, values) for key, values, _email in keyed if isinstance(key, tuple)]
        wanted = {key for key, _values in named}
        lookups = [("company_id", sorted({key[3] for key, _values in named if key[3] is not None})),
                   ("last_name", sorted({values[1] for key, values in named if key[3] is None}))]
        for column, keys in lookups:
            null = " AND company_id IS NULL" if column == "last_name" else ""
            for part in _in_batches(keys):
                marks = ", ".join(["%s"] * len(part))
                self.cursor.execute(f"SELECT {_PERSON_VALUES} FROM crm_person WHERE email = ''{null} "
                                    f"AND {column} IN ({marks}) ORDER BY id", part)
                for values in self.cursor.fetchall():
                    key = ("", values[1].casefold(), values[2].casefold(), values[5])
                    if key in wanted:
                        found.setdefault(key, values)
        return found


_COMPANY_VALUES = ("c.id, c.name, c.domain, c.website, c.industry, c.employee_count, c.country, c.notes, "
                   "c.owner_id, COALESCE(q.willing_to_be_measured, '')")


class CompanyImport(_Chunks):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.company_update = ("UPDATE crm_company SET name = %s, domain = %s, website = %s, industry = %s, "
                               "employee_count = %s, country = %s, notes = %s, owner_id = %s, updated_at = %s "
                               "WHERE id = %s")
        self.qualifier_upsert = (
            "INSERT INTO prospecting_qualifier (company_id, willing_to_be_measured) VALUES (%s, %s) "
            "ON CONFLICT (company_id) DO UPDATE SET willing_to_be_measured = excluded.willing_to_be_measured")

    def process(self, count: int, parsed: list, rejects: list) -> None:
        """Write one chunk: `parsed` rows as `rows.CompanyRows` cleans them, `rejects` to file."""
        report = self.report
        self.take(count, rejects)
        new_ids, matched = set(), []
        new_records = {}
        for _number, values in parsed:
            name, domain = values[0], values[1]
            pk = self.companies.find(domain, name)
            if pk is None:
                record = self.new_company(name=name, domain=domain, website=values[2], industry=values[3],
                                          employee_count=values[4], country=values[5], notes=values[6])
                pk = record[0]
                new_ids.add(pk)
                new_records[pk] = [*values]
                report.created += 1
                continue
            matched.append((pk, values))

        current = self._current({pk for pk, _values in matched if pk not in new_ids})
        dirty = set()
        for pk, values in matched:
            if pk in new_records:
                state = new_records[pk]
                overwrite = False
            else:
                state = current[pk]
                overwrite = False
                if not self.company_ids.made_here(pk) and pk not in self.seen_existing:
                    self.seen_existing.add(pk)
                    overwrite = self.overwrite
            if _merge(state, values, overwrite):
                report.updated += 1
                if pk not in new_records:
                    dirty.add(pk)
            else:
                report.unchanged += 1

        records, qualifiers = [], []
        for pk, v in new_records.items():
            records.append((pk, v[0], v[1], v[2], v[5], v[3], v[4], v[6], v[7], Source.IMPORT))
            if v[8]:
                qualifiers.append((pk, v[8]))
        self.insert_companies(records)
        now = self.company_insert.now
        updates = []
        for pk in dirty:
            v = current[pk]
            updates.append((*v[:8], now, pk))
            if v[8]:
                qualifiers.append((pk, v[8]))
            self.touched_companies.add(pk)
        if updates:
            self.cursor.executemany(self.company_update, updates)
        if qualifiers:
            self.cursor.executemany(self.qualifier_upsert, qualifiers)

    def _current(self, ids: set[int]) -> dict[int, list]:
        found = {}
        for part in _in_batches(sorted(ids)):
            marks = ", ".join(["%s"] * len(part))
            self.cursor.execute(f"SELECT {_COMPANY_VALUES} FROM crm_company c LEFT JOIN prospecting_qualifier q "
                                f"ON q.company_id = c.id WHERE c.id IN ({marks})", part)
            for pk, *values in self.cursor.fetchall():
                found[pk] = values
        return found


def importer_for(mapping: Mapping):
    return PeopleImport if mapping.kind == "people" else CompanyImport


__all__ = ["BadFile", "CompanyImport", "PeopleImport", "RejectedRows", "Report", "importer_for"]
