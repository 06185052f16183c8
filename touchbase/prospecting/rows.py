"""Turning the raw rows of a lead list into clean values, or a reason to reject the row.

No database here, so the work can run in a second process: for a big file a forked reader parses
and normalises chunks while the importer writes the previous ones, which puts the second core to
work on the half of the import that is pure Python (`parsed_chunks`).
"""

import gc
import multiprocessing
import queue as queue_module
from collections.abc import Callable, Iterator
from itertools import islice

from touchbase.core.cells import FORMULA_STARTS

from . import normalize
from .files import BadFile, Table
from .framework import CUSTOM_VALUE_MAX, split_tags, tags_problem
from .mapping import Mapping

# Files at least this big are parsed in a forked reader; below it the fork costs more than it saves.
FORK_FROM_BYTES = 4 * 1024 * 1024
_QUEUE_CHUNKS = 4  # chunks parsed ahead of the writer: bounds the reader's memory


class _Rows:
    def __init__(self, mapping: Mapping, owner_id: int | None):
        self.mapping, self.owner_id = mapping, owner_id

    def index(self, name: str) -> int | None:
        return self.mapping.columns.get(name)

    def header(self, name: str) -> str:
        return self.mapping.headers[self.mapping.columns[name]]

    def too_long(self, checks: list[tuple[str, str, int]]) -> str | None:
        for name, value, limit in checks:
            if len(value) > limit:
                return f"{self.header(name)} is longer than {limit} characters"
        return None

    def chunk(self, rows: list[tuple[int, list[str]]]) -> tuple[int, list, list]:
        """(rows read, [(row number, clean values)], [(row number, reason, raw row)])."""
        parsed, rejects = [], []
        parse = self.parse
        for number, row in rows:
            values = parse(row)
            if type(values) is str:
                rejects.append((number, values, row))
            else:
                parsed.append((number, values))
        return len(rows), parsed, rejects


class PeopleRows(_Rows):
    """(email, first, last, phone, title, company name, company domain, website domain, country) per row."""

    def __init__(self, mapping: Mapping, owner_id: int | None):
        super().__init__(mapping, owner_id)
        (self.i_email, self.i_first, self.i_last, self.i_full, self.i_phone, self.i_title, self.i_company,
         self.i_website, self.i_country) = (self.index(n) for n in (
            "email", "first_name", "last_name", "full_name", "phone", "title", "company", "website", "country"))
        names = "full_name" if self.i_first is None and self.i_last is None else None
        self.first_column, self.last_column = names or "first_name", names or "last_name"

    def parse(self, row: list[str]):
        email_index = self.i_email
        raw_email = row[email_index] if email_index is not None else ""
        email = normalize.email(raw_email)
        if email is None:
            return f"{self.header('email')} {raw_email.strip()[:80]!r} is not an email address"
        first = normalize.name(row[self.i_first]) if self.i_first is not None else ""
        last = normalize.name(row[self.i_last]) if self.i_last is not None else ""
        if not first and not last and self.i_full is not None:
            first, last = normalize.split_full_name(row[self.i_full])
        if not email and not first and not last:
            return "the row has neither an email nor a name"
        country = normalize.country(row[self.i_country]) if self.i_country is not None else ""
        phone = normalize.phone(row[self.i_phone], country) if self.i_phone is not None else ""
        title = normalize.name(row[self.i_title]) if self.i_title is not None else ""
        company = normalize.name(row[self.i_company]) if self.i_company is not None else ""
        website = normalize.domain(row[self.i_website]) if self.i_website is not None else ""
        if len(first) > 100 or len(last) > 100 or len(title) > 150 or len(phone) > 32 or len(company) > 200:
            return self.too_long([(self.first_column, first, 100), (self.last_column, last, 100),
                                  ("title", title, 150), ("phone", phone, 32), ("company", company, 200)])
        domain = website or (normalize.email_domain(email) if email else "")
        return email, first, last, phone, title, company, domain, website, country


class CompanyRows(_Rows):
    """(name, domain, website, industry, employee count, country, notes, owner id, willing, tags, custom, raw)
    per row; willing is "" when unknown, so that filling in treats it as empty; tags is a tuple of tags
    as stored (`tag_text`), custom a dict of the custom fields the row fills in (values not blank); raw is
    the row as read when it has either, for the importer to reject it whole if a company would then carry
    too many (only the database knows a company's own)."""

    def __init__(self, mapping: Mapping, owner_id: int | None):
        super().__init__(mapping, owner_id)
        self.i_tags = self.index("tags")
        self.custom = [(name, i, mapping.headers[i]) for name, i in mapping.custom_columns]

    def cell(self, row: list[str], name: str) -> str:
        i = self.index(name)
        return row[i] if i is not None else ""

    def parse(self, row: list[str]):
        name = normalize.name(self.cell(row, "name"))
        website_domain = normalize.domain(self.cell(row, "website"))
        domain = normalize.domain(self.cell(row, "domain")) or website_domain
        if not name and not domain:
            return "the row has neither a company name nor a website or domain"
        raw_count = self.cell(row, "employee_count")
        employee_count = normalize.employee_count(raw_count)
        if raw_count.strip() and employee_count is None:
            return f"{self.header('employee_count')} {raw_count.strip()[:40]!r} is not a number"
        industry, notes = normalize.name(self.cell(row, "industry")), self.cell(row, "notes").strip()
        problem = self.too_long([("name", name, 200), ("industry", industry, 100)])
        if problem:
            return problem
        tags = self.tags(row[self.i_tags]) if self.i_tags is not None else ()
        if type(tags) is str:
            return tags
        custom = {}
        for field, i, header in self.custom:
            value = " ".join(row[i].split())
            if len(value) > CUSTOM_VALUE_MAX:
                return f"{header} is longer than {CUSTOM_VALUE_MAX} characters"
            if value:
                custom[field] = value
        website = f"https://{website_domain}" if website_domain else ""
        willing = normalize.answer(self.cell(row, "willing_to_be_measured"))
        return (name or domain, domain, website, industry, employee_count,
                normalize.country(self.cell(row, "country")), notes, self.owner_id,
                "" if willing == "unknown" else willing, tags, custom, row if tags or custom else None)

    def tags(self, cell: str) -> tuple[str, ...] | str:
        """The tags of a cell, each once in the order given; or why the row is rejected."""
        if not cell.strip():
            return ()
        if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
            cell = cell[1:]  # neutralised by our export ("'-vip, partner"): the tags are what follows
        tags = split_tags(cell)
        problem = tags_problem(tags)
        return f"{self.header('tags')} {problem}" if problem else tags


def rows_for(mapping: Mapping, owner_id: int | None) -> _Rows:
    return PeopleRows(mapping, owner_id) if mapping.kind == "people" else CompanyRows(mapping, owner_id)


def parsed_chunks(table: Table, rows: _Rows, *, size: int, fork: bool | None = None,
                  prepare: Callable | None = None) -> Iterator[tuple]:
    """Yield (rows read, parsed, rejects, (done, total)) per chunk of `size` rows, in file order.

    With `fork` (default: for files of FORK_FROM_BYTES or more) a forked process reads and parses
    while the caller writes. A BadFile in the reader is raised here, in the caller, all the same.
    `prepare(rows read, parsed, rejects)`, when given, runs on each chunk in the reader too and
    replaces what it yields; it must not touch the database.
    """
    if fork is None:
        fork = table.progress()[1] >= FORK_FROM_BYTES
    if not fork:
        while chunk := list(islice(table.rows, size)):
            done = rows.chunk(chunk)
            yield (*(prepare(*done) if prepare else done), table.progress())
        return
    context = multiprocessing.get_context("fork")
    channel = context.Queue(maxsize=_QUEUE_CHUNKS)
    reader = context.Process(target=_read, args=(table, rows, size, channel, prepare), daemon=True)
    reader.start()
    try:
        while True:
            try:
                kind, payload = channel.get(timeout=5)
            except queue_module.Empty:
                if not reader.is_alive():
                    raise RuntimeError(f"the reader of {table.path.name} stopped unexpectedly "
                                       f"(exit code {reader.exitcode})") from None
                continue
            if kind == "chunk":
                yield payload
            elif kind == "bad":
                path, message, row, column = payload
                raise BadFile(path, message, row=row, column=column)
            elif kind == "error":
                raise RuntimeError(f"reading {table.path.name} failed: {payload}")
            else:
                return
    finally:
        if reader.is_alive():
            reader.terminate()
        reader.join()
        channel.close()


def _read(table: Table, rows: _Rows, size: int, channel, prepare: Callable | None) -> None:
    """The forked reader. It must never touch the database: the connection belongs to the parent."""
    # Parsing makes no reference cycles, and each collection would walk the parent's heap this process
    # inherited (copying its pages): 5-7% of the reader's instructions on a big list.
    gc.disable()
    try:
        while chunk := list(islice(table.rows, size)):
            done = rows.chunk(chunk)
            channel.put(("chunk", (*(prepare(*done) if prepare else done), table.progress())))
        channel.put(("done", None))
    except BadFile as exc:
        channel.put(("bad", (str(exc.path), exc.message, exc.row, exc.column)))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        channel.put(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        channel.close()
        channel.join_thread()
