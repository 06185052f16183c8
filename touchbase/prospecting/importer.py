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
import json
import os
import time
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from django.db import connection
from django.utils import timezone

from touchbase.crm.models import Company, Person, Source

from . import normalize
from .files import BadFile, Table
from .framework import MAX_CUSTOM_FIELDS, MAX_TAGS
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
        # Two imports of one file at once (the web app and the CLI) must not write into the same partial file.
        self.partial = Path(f"{self.path}.{os.getpid()}.part")
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
                # A thousand first, then ten thousand at a time: a round trip cost 6-8 ms, a hundred of them per
                # 100,000 companies. Ids left in the pool at the end are gaps, as a rolled-back insert leaves.
                size = 1_000 if self.first is None else 10_000
                self.cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                                    [self.table, size])
                self.pool = [r[0] for r in self.cursor.fetchall()][::-1]
            value = self.pool.pop()
        if self.first is None:
            self.first = value
        return value

    def made_here(self, pk: int) -> bool:
        return self.first is not None and pk >= self.first


class _Inserter:
    """An INSERT of the given columns; every other column gets its model default, once per run.

    `rows` makes the values of `columns` from the given ones, for `rows_in`; an INSERT ... SELECT appends
    `constant_marks` (the constants, then `public_id_sql`) to the selected values.
    """

    def __init__(self, model, given: tuple[str, ...], public_id_sql: str = "%s"):
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.now = now
        columns, constants = [fields[name].column for name in given], []
        for name, f in fields.items():
            if name in given or name in ("public_id", "id"):
                continue
            columns.append(f.column)
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                constants.append(now)
            else:
                constants.append(f.get_db_prep_save(f.get_default(), connection))
        columns.append(fields["public_id"].column)
        self.columns, self.constants = columns, tuple(constants)
        self.constant_marks = ", ".join(["%s"] * len(constants) + [public_id_sql])

    def rows(self, records: list[tuple], public_ids: "PublicIds") -> list[tuple]:
        """Each record (its id first) with the constants and a public id appended."""
        constants = self.constants
        made = public_ids.hex([r[0] for r in records])
        return [r + constants + (public_id,) for r, public_id in zip(records, made, strict=True)]


class PublicIds:
    """Version 7 UUIDs (RFC 9562) for the records of one import: its start in milliseconds, a counter, 48 random bits.

    Random (version 4) ids land all over the unique index on public_id: into an empty SQLite table
    940,000 people cost 3.7 s more with them than with ids that grow row by row. The counter is the
    record's id or row number, so the ids follow the file and each insert goes to the index's right
    edge. As 32 hex digits, which both databases take for a uuid column. They tell when the import
    ran, which the record's created_at shows anyway; the random part keeps them unguessable.
    """

    def __init__(self):
        self.prefix = f"{time.time_ns() // 1_000_000 & (1 << 48) - 1:012x}7"
        self.secret = os.urandom(16).hex()

    def hex(self, counters: list[int]) -> list[str]:
        prefix, h = self.prefix, os.urandom(6 * len(counters)).hex()
        return [f"{prefix}{(c >> 14) & 4095:03x}{8 | ((c >> 12) & 3):x}{c & 4095:03x}{h[i * 12:i * 12 + 12]}"
                for i, c in enumerate(counters)]

    def sql(self, counter: str, *, postgres: bool) -> str:
        """The same in SQL, from the integer expression `counter` of each row.

        Parenthesised throughout: in SQL, unlike Python, the bit operators share one precedence.
        """
        # The 7 hex digits after the version, as one number: 12 bits of counter, the variant, 12 more bits.
        middle = (f"((((({counter}) >> 14) & 4095) << 16) | ((8 | ((({counter}) >> 12) & 3)) << 12) "
                  f"| (({counter}) & 4095))")
        if postgres:
            # A leading 1 bit makes to_hex write all 7 digits; substr drops it. The random part hashes the
            # counter with a secret of this import's: as unguessable as gen_random_uuid(), which costs
            # 1.4 us a call (1.3 s a million rows) where md5 costs a third of that.
            return (f"('{self.prefix}' || substr(to_hex({middle} | 268435456), 2) || "
                    f"substr(md5('{self.secret}' || ({counter})), 1, 12))::uuid")
        return f"printf('{self.prefix}%%07x', {middle}) || lower(hex(randomblob(6)))"


BIG_IMPORT_ROWS = 50_000


@contextmanager
def secondary_indexes_deferred(cursor, *, rows_expected: int, tables: tuple[str, ...],
                               keep: tuple[tuple[str, ...], ...] = ()):
    """Build the secondary indexes of `tables` once after a big import, but those `keep` starts with.

    Six indexes on crm_person updated row by row make each insert several times dearer than a
    sorted build at the end. Only on SQLite, where the DROP and CREATE are part of the import's
    transaction (a failed import rolls them back with everything else) and readers keep their
    snapshot; and only when the rows are many next to the first table's, so rebuilding costs less
    than it saves.
    """
    if connection.vendor != "sqlite" or rows_expected < BIG_IMPORT_ROWS:
        yield
        return
    cursor.execute(f"SELECT COUNT(*) FROM {tables[0]}")
    if rows_expected < cursor.fetchone()[0]:
        yield
        return
    saved = []
    for table in tables:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                       "AND sql IS NOT NULL", [table])
        for name, sql in cursor.fetchall():
            cursor.execute(f'PRAGMA index_info("{name}")')
            columns = tuple(row[2] for row in cursor.fetchall())
            if any(columns[:len(k)] == k for k in keep):
                continue
            cursor.execute(f'DROP INDEX "{name}"')
            saved.append(sql)
    yield
    for sql in saved:
        cursor.execute(sql)


@contextmanager
def pg_indexes_deferred(cursor, *, rows_expected: int, table: str):
    """On PostgreSQL, build the non-unique indexes of `table` once after a big import into it, if it is empty.

    Updated row by row they made the merge of 940,000 new people cost 18 s where the insert alone
    costs 6 s and the builds 4.5 s. The DROP and CREATE are part of the import's transaction, so a
    failed import rolls them back with everything else. A DROP INDEX locks the table against readers
    until the commit, so only into an empty table, where readers would find nothing anyway. Unique
    indexes stay: they are constraints, checked as the rows go in.
    """
    if rows_expected < BIG_IMPORT_ROWS:
        yield
        return
    cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")
    if cursor.fetchone():
        yield
        return
    # Looked at again once locked: someone may have written the first rows in between.
    cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")
    if cursor.fetchone():
        yield
        return
    cursor.execute("SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), pg_get_indexdef(i.indexrelid) "
                   "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = "
                   "c.relnamespace WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary "
                   "AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = i.indexrelid) ORDER BY c.relname",
                   [table])
    saved = cursor.fetchall()
    for name, _sql in saved:
        cursor.execute(f"DROP INDEX {name}")
    yield
    if not saved:
        return
    # CREATE INDEX refuses a table with checks still queued: the foreign keys Django makes deferred,
    # from and to the table, check the new rows now, as they would at the commit, and stay deferred.
    cursor.execute("SELECT DISTINCT quote_ident(conname) FROM pg_constraint WHERE (conrelid = %s::regclass "
                   "OR confrelid = %s::regclass) AND condeferrable AND condeferred ORDER BY 1", [table, table])
    deferred = ", ".join(row[0] for row in cursor.fetchall())
    if deferred:
        cursor.execute(f"SET CONSTRAINTS {deferred} IMMEDIATE")
        cursor.execute(f"SET CONSTRAINTS {deferred} DEFERRED")
    for _name, sql in saved:
        cursor.execute(sql)


def _in_batches(values: list, size: int = _IN):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _merge(current: list, new: tuple, overwrite: bool, *, owner: int) -> bool:
    """Fill current's empty values from new (or overwrite with new's non-empty ones); True if anything changed.

    The value at index `owner` is only ever filled in: it is the import's owner, not the file's, and
    overwriting it would let a seller take other sellers' records by importing a list that has them.
    """
    changed = False
    for i, value in enumerate(new):
        if value == "" or value is None:
            continue
        have = current[i]
        if have == "" or have is None or (overwrite and i != owner and have != value):
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
        self.public_ids = PublicIds()
        # Records that existed before this run and were already matched once: later rows only fill them.
        self.seen_existing: set[int] = set()

    reader_prepare = None  # a database-free first half of `process` the forked reader may run

    def loading(self, *, rows_expected: int):
        """A context around the chunks (`process`), before `finish`."""
        return nullcontext()

    def finish(self, *, defer_indexes: bool = True) -> None:
        """Whatever is left once every chunk went through `process`."""

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
        if not records:
            return
        rows_in(self.cursor, "crm_company", self.company_insert.columns, self.company_insert.rows(records, self.public_ids))


def rows_in(cursor, table: str, columns: list[str] | tuple[str, ...], rows: list[tuple]) -> None:
    """Append rows to a table: COPY on PostgreSQL, where executemany sends one INSERT per row (about
    40 us each, a tenth of that by COPY); executemany on SQLite, which runs in the process."""
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


_PERSON_VALUES = "id, first_name, last_name, phone, title, company_id, owner_id"
_STAGED = ("n", "k", "email", "first_name", "last_name", "phone", "title", "company_id")
_FRESH = ("n", "email", "first_name", "last_name", "phone", "title", "company_id")
KEYS_PER_BATCH = 2_000
_TEMP_TABLES = ("import_people", "import_again", "import_fresh")  # PeopleImport's staging
# 8 MB, two bits a key: about 900 false "seen" in a million rows (each costs only the careful path).
BLOOM_BYTES = 8 * 1024 * 1024


def name_key(first: str, last: str, company_id: int | None) -> str:
    """How a person without an email is told apart: first and last name ignoring case, at a company.

    It starts with a space, which no valid email holds, so one text column keys everyone; names hold
    no \\x1f (normalize.name splits on it) and the company id has no space, so no two keys collide.
    """
    return f" {first.casefold()}\x1f{last.casefold()} {company_id or ''}"


class PeopleImport(_Chunks):
    """People are staged, then merged by set-based statements.

    Each chunk links its rows to companies (creating the new ones) and appends them to a temporary
    table: an `executemany` on SQLite, COPY on PostgreSQL. `finish` then sorts out the few keys that
    need thought (seen twice in the file, or already in the database) in Python, by the rules above,
    and inserts every other row with one INSERT ... SELECT. Python never holds more than a batch of
    keys, so memory stays flat whatever the size of the file.

    Into an SQLite table that has no people yet, a row whose key is surely new (a fixed-size Bloom
    filter has not seen it) is inserted by its chunk straight away, while the reader parses the next
    ones; only the rows the filter may have seen are staged. The filter errs only towards "seen",
    which costs the careful path, never a wrong merge.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.postgres = connection.vendor == "postgresql"
        cursor = self.cursor
        for table in _TEMP_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        temp = "ON COMMIT DROP" if self.postgres else ""
        people = ("first_name varchar(100) NOT NULL, last_name varchar(100) NOT NULL, phone varchar(32) NOT NULL, "
                  "title varchar(150) NOT NULL, company_id bigint")
        # n is the row number: the file's order, which decides who comes first.
        cursor.execute(f"CREATE TEMP TABLE import_people (n {'integer' if self.postgres else 'INTEGER PRIMARY KEY'}, "
                       f"k text NOT NULL, email varchar(254) NOT NULL, {people}) {temp}")
        cursor.execute(f"CREATE TEMP TABLE import_again (k text PRIMARY KEY) {temp}")
        cursor.execute(f"CREATE TEMP TABLE import_fresh (n integer NOT NULL, email varchar(254) NOT NULL, {people}) "
                       f"{temp}")
        self.person_update = ("UPDATE crm_person SET first_name = %s, last_name = %s, phone = %s, title = %s, "
                              "company_id = %s, owner_id = %s, updated_at = %s WHERE id = %s")
        self.fresh = 0  # new people merged from several rows, counted as created already
        self.direct = None
        self.reader_prepare = None if self.postgres else self.prepare
        if not self.postgres:
            cursor.execute("SELECT 1 FROM crm_person LIMIT 1")
            if cursor.fetchone() is None:
                self.direct = bytearray(BLOOM_BYTES)
                # Above the highest id ever used (the import holds the write lock): row n becomes id base + n.
                self.base = _Ids(cursor, Person).next - 1
                insert = _Inserter(Person, ("id", "email", "first_name", "last_name", "phone", "title", "company_id",
                                            "owner_id", "source"))
                # The values every row shares are written into the statement: binding 17 of them again
                # for each of a million rows cost seconds. They are ours (ids, times, defaults), not the file's.
                shared = ", ".join(_sqlite_literal(v) for v in (self.owner_id, Source.IMPORT, *insert.constants))
                # The public id comes last, made with the row in the reader (`prepare`).
                self.direct_insert = (f"INSERT INTO crm_person ({', '.join(insert.columns)}) VALUES "
                                      f"(%s, %s, %s, %s, %s, %s, %s, {shared}, %s)")

    def loading(self, *, rows_expected: int):
        if self.direct is None:
            return nullcontext()
        stack = ExitStack()
        # The indexes whose key is the same for every imported person (no touches yet; one owner) grow
        # at their end as the rows come, which costs less than building them afterwards.
        stack.enter_context(secondary_indexes_deferred(self.cursor, rows_expected=rows_expected,
                                                       tables=("crm_person",), keep=(("touch_count",), ("owner_id",))))
        # A people list brings about a company per ten people: their indexes too, unless there are many already.
        stack.enter_context(secondary_indexes_deferred(self.cursor, rows_expected=rows_expected // 10,
                                                       tables=("crm_company",)))
        return stack

    def _surely_new(self, key: str) -> bool:
        """True (and remembered) when the filter has not seen key; False when it may have."""
        bloom, bits = self.direct, len(self.direct) * 8
        h = hash(key) & 0xFFFF_FFFF_FFFF_FFFF
        a, b = h % bits, (h >> 32) % bits
        if bloom[a >> 3] & (1 << (a & 7)) and bloom[b >> 3] & (1 << (b & 7)):
            return False
        bloom[a >> 3] |= 1 << (a & 7)
        bloom[b >> 3] |= 1 << (b & 7)
        return True

    def prepare(self, count: int, parsed: list, rejects: list) -> tuple:
        """Link one chunk's rows to companies and sort them into direct inserts and staged rows.

        No database here: on SQLite company ids come from a counter, so the forked reader runs this
        (`reader_prepare`) and the writer's core only writes; the two then take about as long on a
        million rows. On PostgreSQL ids come from a sequence, and the writer runs it.
        """
        new_companies, staged, direct, touched = [], [], [], set()
        find = self.companies.find
        for number, (email, first, last, phone, title, company, domain, website, country) in parsed:
            company_id = None
            if domain or company:
                company_id = find(domain, company)
                if company_id is None:
                    record = self.new_company(name=company or domain, domain=domain, country=country,
                                              website=f"https://{website}" if website else "")
                    new_companies.append(record)
                    company_id = record[0]
                    touched.add(company_id)
            key = email or name_key(first, last, company_id)
            if self.direct is not None and self._surely_new(key):
                direct.append((self.base + number, email, first, last, phone, title, company_id))
                if company_id is not None:
                    touched.add(company_id)
            else:
                staged.append((number, key, email, first, last, phone, title, company_id))
        if direct:
            public_ids = self.public_ids.hex([row[0] for row in direct])
            direct = [(*row, public_id) for row, public_id in zip(direct, public_ids, strict=True)]
        return count, (new_companies, direct, staged, touched), rejects

    def process(self, count: int, parsed, rejects: list) -> None:
        """Write one chunk: `parsed` as `prepare` made it (or the rows `rows.PeopleRows` cleans), `rejects` to file."""
        if self.reader_prepare is None:
            count, parsed, rejects = self.prepare(count, parsed, rejects)
        self.take(count, rejects)
        new_companies, direct, staged, touched = parsed
        self.touched_companies.update(touched)
        self.insert_companies(new_companies)
        self.report.companies_created += len(new_companies)
        if direct:
            self.cursor.executemany(self.direct_insert, direct)
            self.report.created += len(direct)
        if staged:
            rows_in(self.cursor, "import_people", _STAGED, staged)

    def finish(self, *, defer_indexes: bool = True) -> None:
        cursor = self.cursor
        if self.postgres:
            cursor.execute("ANALYZE import_people")
        cursor.execute("CREATE INDEX import_people_k ON import_people (k, n)")
        if self.direct is not None:
            # Every staged row may repeat a person inserted by an earlier chunk of this run.
            cursor.execute("INSERT INTO import_again (k) SELECT DISTINCT k FROM import_people")
            defer_indexes = False
        else:
            # The keys that need thought: a key seen twice, and a person the database already has. Nothing
            # is inserted into crm_person before this, so whoever it holds was there before the import.
            cursor.execute("INSERT INTO import_again (k) SELECT k FROM import_people GROUP BY k HAVING COUNT(*) > 1")
            cursor.execute("SELECT 1 FROM crm_person LIMIT 1")
            if cursor.fetchone():
                cursor.execute("INSERT INTO import_again (k) SELECT DISTINCT s.k FROM import_people s "
                               "JOIN crm_person p ON p.email = s.k WHERE s.email <> '' ON CONFLICT (k) DO NOTHING")
                cursor.execute("SELECT 1 FROM crm_person WHERE email = '' LIMIT 1")
                if cursor.fetchone():
                    # Name keys are compared ignoring case, which SQL cannot do as Python does: every
                    # person without an email goes through the careful path.
                    cursor.execute("INSERT INTO import_again (k) SELECT DISTINCT k FROM import_people "
                                   "WHERE email = '' ON CONFLICT (k) DO NOTHING")
            if self.postgres:
                cursor.execute("ANALYZE import_again")
        self._merge_again()
        self._insert_new(defer_indexes=defer_indexes)
        for table in _TEMP_TABLES:
            cursor.execute(f"DROP TABLE {table}")

    def _merge_again(self) -> None:
        """The keys of import_again, a batch at a time, in file order within each key."""
        cursor, report, owner_id = self.cursor, self.report, self.owner_id
        now = self.company_insert.now
        after = ""
        while True:
            cursor.execute("SELECT k FROM import_again WHERE k > %s ORDER BY k LIMIT %s", [after, KEYS_PER_BATCH])
            keys = [row[0] for row in cursor.fetchall()]
            if not keys:
                return
            cursor.execute("SELECT s.k, s.n, s.email, s.first_name, s.last_name, s.phone, s.title, s.company_id "
                           "FROM import_people s JOIN import_again a ON a.k = s.k WHERE a.k > %s AND a.k <= %s "
                           "ORDER BY s.k, s.n", [after, keys[-1]])
            rows = cursor.fetchall()
            after = keys[-1]
            existing = self._existing(rows)
            fresh, updates = [], []
            for key, group in groupby(rows, key=itemgetter(0)):
                found = existing.get(key)
                state = None
                for _key, number, _email, first, last, phone, title, company_id in group:
                    values = (first, last, phone, title, company_id, owner_id)
                    if state is None:
                        if found is None:
                            state, first_number, dirty = list(values), number, False
                            report.created += 1
                            continue
                        # The first row that matches a person from before the import may overwrite it;
                        # later ones, and rows repeating someone this run inserted, only fill.
                        state, dirty = list(found[1:]), False
                        changed = _merge(state, values, self.overwrite and self.direct is None, owner=5)
                    else:
                        changed = _merge(state, values, False, owner=5)
                    if changed:
                        dirty = True
                        report.updated += 1
                    else:
                        report.unchanged += 1
                if found is None:
                    fresh.append((first_number, "" if key[0] == " " else key, *state[:5]))
                elif dirty:
                    updates.append((*state, now, found[0]))
                else:
                    continue
                if state[4] is not None:
                    self.touched_companies.add(state[4])
            self.fresh += len(fresh)
            if fresh:
                rows_in(cursor, "import_fresh", _FRESH, fresh)
            if updates:
                cursor.executemany(self.person_update, updates)

    def _existing(self, rows: list) -> dict:
        """People already in the database that these staged rows match, by email or by name key."""
        found: dict = {}
        emails = sorted({row[2] for row in rows if row[2]})
        for part in _in_batches(emails):
            marks = ", ".join(["%s"] * len(part))
            self.cursor.execute(f"SELECT email, {_PERSON_VALUES} FROM crm_person WHERE email IN ({marks}) ORDER BY id",
                                part)
            for email, *values in self.cursor.fetchall():
                found.setdefault(email, values)
        # By company when there is one, by exact last name when not, so an index serves each lookup;
        # the names themselves are compared ignoring case through the key.
        named = [row for row in rows if not row[2]]
        lookups = [("company_id", sorted({row[7] for row in named if row[7] is not None})),
                   ("last_name", sorted({row[4] for row in named if row[7] is None}))]
        wanted = {row[0] for row in named}
        for column, keys in lookups:
            null = " AND company_id IS NULL" if column == "last_name" else ""
            for part in _in_batches(keys):
                marks = ", ".join(["%s"] * len(part))
                self.cursor.execute(f"SELECT {_PERSON_VALUES} FROM crm_person WHERE email = ''{null} "
                                    f"AND {column} IN ({marks}) ORDER BY id", part)
                for values in self.cursor.fetchall():
                    key = name_key(values[1], values[2], values[5])
                    if key in wanted:
                        found.setdefault(key, values)
        return found

    def _insert_new(self, *, defer_indexes: bool) -> None:
        """Everyone new, numbered in file order: the rows whose key came once and the merged ones of import_fresh."""
        cursor = self.cursor
        cursor.execute("SELECT DISTINCT company_id FROM import_people s WHERE company_id IS NOT NULL "
                       "AND NOT EXISTS (SELECT 1 FROM import_again a WHERE a.k = s.k)")
        self.touched_companies.update(row[0] for row in cursor.fetchall())
        columns = "email, first_name, last_name, phone, title, company_id"
        # Ids are the row numbers above the highest id ever used (the import holds SQLite's write
        # lock), so they follow the file without sorting a million rows; gaps are harmless.
        base = None if self.postgres else self.base if self.direct is not None else _Ids(cursor, Person).next - 1
        insert = _Inserter(Person, ("email", "first_name", "last_name", "phone", "title", "company_id", "owner_id",
                                    "source"), public_id_sql=self.public_ids.sql(
                                        "n" if self.postgres else f"{base} + n", postgres=self.postgres))
        values = f"{columns}, %s, %s, {insert.constant_marks}"
        params = [self.owner_id, Source.IMPORT, *insert.constants]
        once = "FROM import_people s WHERE NOT EXISTS (SELECT 1 FROM import_again a WHERE a.k = s.k)"
        created = 0
        rows_expected = self.report.rows if defer_indexes else 0
        with (pg_indexes_deferred(cursor, rows_expected=rows_expected, table="crm_person") if self.postgres else
              secondary_indexes_deferred(cursor, rows_expected=rows_expected, tables=("crm_person",))):
            if self.postgres:
                cursor.execute(f"INSERT INTO crm_person ({', '.join(insert.columns)}) SELECT {values} FROM "
                               f"(SELECT n, {columns} {once} UNION ALL SELECT n, {columns} FROM import_fresh) new "
                               f"ORDER BY n", params)
                created = cursor.rowcount
                # Fresh statistics before the tiering reads these tables: planned for the tables as they
                # were (empty, say), its correlated lookups become a scan of every person per company set.
                cursor.execute("ANALYZE crm_person, crm_company")
            else:
                for source in (once, "FROM import_fresh"):
                    cursor.execute(f"INSERT INTO crm_person (id, {', '.join(insert.columns)}) "
                                   f"SELECT {base} + n, {values} {source}", params)
                    created += cursor.rowcount
        self.report.created += created - self.fresh


def _sqlite_literal(value) -> str:
    """A constant of our own (None, a number, a flag, a short text) as an SQLite literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, str):
        return "'" + value.replace("'", "''").replace("%", "%%") + "'"
    raise TypeError(f"no SQLite literal for {type(value).__name__}")


# A qualifier's "unknown" reads as "" so that a file's yes or no fills it in, as for any empty field.
_COMPANY_VALUES = ("c.id, c.name, c.domain, c.website, c.industry, c.employee_count, c.country, c.notes, "
                   "c.owner_id, COALESCE(NULLIF(q.willing_to_be_measured, 'unknown'), '')")


def _json(value, empty):
    """A JSON column as read by a raw cursor: text on SQLite (and from psycopg's text loader), else decoded."""
    if value is None:
        return empty
    return json.loads(value) if isinstance(value, str | bytes) else value


def _merge_qualifier(current: list, tags: tuple[str, ...], custom: dict[str, str], overwrite: bool) -> bool:
    """Add a row's tags to current's (a set, in the order first seen) and fill current's empty custom fields
    (or overwrite them with the row's values); True if anything changed."""
    changed = False
    if tags:
        have = current[9]
        new = [t for t in tags if t not in have]
        if new:
            have.extend(new)
            changed = True
    if custom:
        have = current[10]
        for name, value in custom.items():
            if have.get(name) in (None, "") or (overwrite and have[name] != value):
                if have.get(name) != value:
                    have[name] = value
                    changed = True
    return changed


class CompanyImport(_Chunks):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.company_update = ("UPDATE crm_company SET name = %s, domain = %s, website = %s, industry = %s, "
                               "employee_count = %s, country = %s, notes = %s, owner_id = %s, updated_at = %s "
                               "WHERE id = %s")
        # Tags and custom fields are read and written only when the file has them: reading back every
        # matched company's JSON made re-importing 50,000 plain companies on SQLite 0.70 s -> 0.87 s.
        self.qualifies = "tags" in self.mapping.columns or bool(self.mapping.custom_columns)
        if self.qualifies:
            jsonb = "::jsonb" if connection.vendor == "postgresql" else ""
            self.company_values = f"{_COMPANY_VALUES}, q.tags, q.custom"
            self.qualifier_upsert = (
                "INSERT INTO prospecting_qualifier (company_id, willing_to_be_measured, tags, custom) "
                f"VALUES (%s, %s, %s{jsonb}, %s{jsonb}) ON CONFLICT (company_id) DO UPDATE SET "
                "willing_to_be_measured = excluded.willing_to_be_measured, tags = excluded.tags, "
                "custom = excluded.custom")
        else:
            self.company_values = _COMPANY_VALUES
            self.qualifier_upsert = (
                "INSERT INTO prospecting_qualifier (company_id, willing_to_be_measured) VALUES (%s, %s) "
                "ON CONFLICT (company_id) DO UPDATE SET willing_to_be_measured = excluded.willing_to_be_measured")

    def loading(self, *, rows_expected: int):
        return secondary_indexes_deferred(self.cursor, rows_expected=rows_expected, tables=("crm_company",))

    def process(self, count: int, parsed: list, rejects: list) -> None:
        """Write one chunk: `parsed` rows as `rows.CompanyRows` cleans them, `rejects` to file."""
        report = self.report
        self.take(count, rejects)
        new_ids, matched = set(), []
        new_records = {}
        for number, values in parsed:
            name, domain = values[0], values[1]
            pk = self.companies.find(domain, name)
            if pk is None:
                record = self.new_company(name=name, domain=domain, website=values[2], industry=values[3],
                                          employee_count=values[4], country=values[5], notes=values[6])
                pk = record[0]
                new_ids.add(pk)
                new_records[pk] = [*values[:9], list(values[9]), dict(values[10])]
                report.created += 1
                continue
            matched.append((number, pk, values))

        current = self._current({pk for _number, pk, _values in matched if pk not in new_ids})
        dirty, qualified = set(), set()
        for number, pk, values in matched:
            state = new_records[pk] if pk in new_records else current[pk]
            qualifies = bool(values[9] or values[10])
            if qualifies:
                problem = self._too_many(state, values[9], values[10])
                if problem:
                    report.rejected += 1
                    self.rejected.add(number, problem, values[11])
                    continue
            overwrite = False
            if pk not in new_records:
                if not self.company_ids.made_here(pk) and pk not in self.seen_existing:
                    self.seen_existing.add(pk)
                    overwrite = self.overwrite
            company_changed = _merge(state, values[:9], overwrite, owner=7)
            qualifier_changed = qualifies and _merge_qualifier(state, values[9], values[10], overwrite)
            if company_changed or qualifier_changed:
                report.updated += 1
                if pk not in new_records:
                    if company_changed:
                        dirty.add(pk)
                    if qualifier_changed or state[8]:
                        qualified.add(pk)
            else:
                report.unchanged += 1

        records, qualifiers = [], []
        for pk, v in new_records.items():
            records.append((pk, v[0], v[1], v[2], v[5], v[3], v[4], v[6], v[7], Source.IMPORT))
            if v[8] or v[9] or v[10]:
                qualifiers.append(self._qualifier(pk, v))
        self.insert_companies(records)
        now = self.company_insert.now
        updates = []
        for pk in dirty:
            updates.append((*current[pk][:8], now, pk))
        for pk in qualified:
            qualifiers.append(self._qualifier(pk, current[pk]))
        self.touched_companies.update(dirty, qualified)
        if updates:
            self.cursor.executemany(self.company_update, updates)
        if qualifiers:
            self.cursor.executemany(self.qualifier_upsert, qualifiers)

    def _too_many(self, state: list, tags: tuple[str, ...], custom: dict[str, str]) -> str | None:
        """Why a row cannot add its tags or custom fields to a company's: the limits the company page keeps."""
        count = len(state[9]) + sum(tag not in state[9] for tag in tags)
        if tags and count > MAX_TAGS:
            header = self.mapping.headers[self.mapping.columns["tags"]]
            return f"{header} would give the company {count} tags; a company carries at most {MAX_TAGS}"
        count = len(state[10].keys() | custom.keys())
        if custom and count > MAX_CUSTOM_FIELDS:
            return f"the company would have {count} custom fields; a company has at most {MAX_CUSTOM_FIELDS}"
        return None

    def _qualifier(self, pk: int, v: list) -> tuple:
        """The qualifier_upsert values of a company's merged state; JSON as Django's JSONField writes it."""
        if self.qualifies:
            return pk, v[8] or "unknown", json.dumps(v[9]), json.dumps(v[10])
        return pk, v[8] or "unknown"

    def _current(self, ids: set[int]) -> dict[int, list]:
        found = {}
        for part in _in_batches(sorted(ids)):
            marks = ", ".join(["%s"] * len(part))
            self.cursor.execute(f"SELECT {self.company_values} FROM crm_company c LEFT JOIN prospecting_qualifier q "
                                f"ON q.company_id = c.id WHERE c.id IN ({marks})", part)
            for pk, *values in self.cursor.fetchall():
                if self.qualifies:
                    values[9], values[10] = _json(values[9], []), _json(values[10], {})
                found[pk] = values
        return found


def importer_for(mapping: Mapping):
    return PeopleImport if mapping.kind == "people" else CompanyImport


__all__ = ["BadFile", "CompanyImport", "PeopleImport", "RejectedRows", "Report", "importer_for"]
