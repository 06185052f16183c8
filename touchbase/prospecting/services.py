"""Prospecting use cases: the lead framework, scoring companies into tiers, importing and exporting
lead lists. The pages, the API and the CLI all call these functions.

Scoring is done in bulk inside the database (see `selectors`), never one ORM save per company.
"""

from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from touchbase.crm.models import Company, Source, Task
from touchbase.crm.permissions import ensure_can_edit

from .files import BadFile, open_table
from .framework import DEFAULT_CRITERIA, DEFAULT_TIER_A_MIN, DEFAULT_TIER_B_MIN, Scorer, parse_criteria
from .importer import CHUNK as IMPORT_CHUNK
from .importer import RejectedRows, Report, importer_for
from .mapping import Mapping, MappingError, missing_columns, resolve
from .models import Answer, CompanyFit, Framework, Qualifier
from .rows import parsed_chunks, rows_for
from .selectors import fits_rebuild, fits_upsert, id_filters, key_contacts, tier_moves

TIERS = ("A", "B", "C")
IMPORT_CACHE_KB = 64 * 1024
RESCORE_ALL_FROM = 1_000  # ids in one re-score from which it checks whether they are every company


def framework_current() -> Framework:
    """The framework in force (the highest version); the default one is created when there is none."""
    framework = Framework.objects.order_by("-version").first()
    if framework is None:
        with transaction.atomic():
            framework, _ = Framework.objects.get_or_create(
                version=1, defaults={"criteria": DEFAULT_CRITERIA, "tier_a_min": DEFAULT_TIER_A_MIN,
                                     "tier_b_min": DEFAULT_TIER_B_MIN, "note": "The default framework."})
    return framework


@dataclass
class TierMoves:
    """How tiers change between two scorings: counts per (before, after); before is None when unscored."""

    moves: Counter = field(default_factory=Counter)

    @property
    def before(self) -> dict:
        counts = Counter()
        for (old, _new), n in self.moves.items():
            counts[old] += n
        return {tier: counts.get(tier, 0) for tier in (*TIERS, None)}

    @property
    def after(self) -> dict:
        counts = Counter()
        for (_old, new), n in self.moves.items():
            counts[new] += n
        return {tier: counts.get(tier, 0) for tier in TIERS}

    @property
    def moved(self) -> int:
        """Companies whose tier changes (a first scoring counts as a move)."""
        return sum(n for (old, new), n in self.moves.items() if old != new)

    def count(self, before: str | None, after: str) -> int:
        return self.moves.get((before, after), 0)

    def as_dict(self) -> dict:
        return {"moved": self.moved, "before": {str(k): v for k, v in self.before.items()}, "after": self.after,
                "moves": [{"from": old, "to": new, "companies": n} for (old, new), n in sorted(
                    self.moves.items(), key=lambda item: (str(item[0][0]), item[0][1]))]}


@contextmanager
def _big_cache(cursor):
    """On SQLite, a page cache big enough for the indexes that a bulk write touches.

    With the default 2 MB cache, a million-row import or re-scoring spills index pages to the WAL
    and reads them back (crm_person alone has five indexes), and waits on the disk instead of running.
    """
    if connection.vendor != "sqlite":
        yield
        return
    cursor.execute("PRAGMA cache_size")
    before = cursor.fetchone()[0]
    cursor.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KB}")
    try:
        yield
    finally:
        if not connection.needs_rollback:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def scorer_for(framework: Framework) -> Scorer:
    return Scorer(framework.criteria, framework.tier_a_min, framework.tier_b_min)


def framework_preview(*, criteria: list[dict], tier_a_min: int, tier_b_min: int) -> TierMoves:
    """How many companies would move between tiers if this framework were saved. Writes nothing."""
    criteria = parse_criteria(criteria, tier_a_min, tier_b_min)
    result = TierMoves()
    for old, new, count in tier_moves(Scorer(criteria, tier_a_min, tier_b_min)):
        result.moves[(old, new)] += count
    return result


def companies_rescore(*, framework: Framework | None = None, company_ids: Iterable[int] | None = None) -> TierMoves:
    """Score companies (all of them, or `company_ids`) against a framework and store tier, score and why.

    Runs inside the database (see `selectors`). A company whose fit is already exactly this one
    keeps its row and its scored_at.
    """
    framework = framework or framework_current()
    scorer = scorer_for(framework)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    result = TierMoves()
    # No savepoint when called inside another transaction: SQLite would copy every page it changes
    # into a sub-journal on disk, and the caller rolls back as a whole anyway.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor, _big_cache(cursor):
        if company_ids is not None:
            company_ids = set(company_ids)
            # Ids covering every company (a first import) are scored as everyone: one pass over the
            # people's titles, where batches of ids take one each (42 s of server CPU for a million
            # rows on PostgreSQL). Only asked for many ids: counting a big table costs a page edit more
            # than scoring its one company.
            if len(company_ids) >= RESCORE_ALL_FROM:
                cursor.execute("SELECT COUNT(*) FROM crm_company")
                if cursor.fetchone()[0] == len(company_ids):
                    company_ids = None
        if company_ids is None:
            moves = fits_rebuild(cursor, framework, scorer, now=now)
        else:
            moves = [move for where, params in id_filters(company_ids)
                     for move in fits_upsert(cursor, framework, scorer, now=now, where=where, where_params=params)]
        for old, new, count in moves:
            result.moves[(old, new)] += count
    return result


def framework_save(*, actor, criteria: list[dict], tier_a_min: int, tier_b_min: int,
                   note: str = "") -> tuple[Framework, TierMoves]:
    """Save a changed framework as the next version and re-score every company against it.

    Only managers and admins change the framework. Saving what is already in force adds no version.
    """
    if actor is None or not getattr(actor, "is_manager", False):
        raise PermissionDenied("Only a manager or an admin can change the lead framework.")
    criteria = parse_criteria(criteria, tier_a_min, tier_b_min)
    with transaction.atomic():
        current = framework_current()
        if (current.criteria, current.tier_a_min, current.tier_b_min) == (criteria, tier_a_min, tier_b_min):
            return current, TierMoves()
        framework = Framework.objects.create(version=current.version + 1, criteria=criteria, tier_a_min=tier_a_min,
                                             tier_b_min=tier_b_min, created_by=actor, note=note.strip()[:200])
        moves = companies_rescore(framework=framework)
    return framework, moves


def company_set_qualifier(*, actor, company, willing_to_be_measured: str) -> Qualifier:
    """Record whether the prospect is willing to be measured, and re-score the company."""
    ensure_can_edit(actor, company)
    if willing_to_be_measured not in Answer.values:
        raise ValidationError({"willing_to_be_measured": f"{willing_to_be_measured!r} is not yes, no or unknown."})
    with transaction.atomic():
        qualifier, _ = Qualifier.objects.update_or_create(
            company=company, defaults={"willing_to_be_measured": willing_to_be_measured})
        companies_rescore(company_ids=[company.pk])
    return qualifier


def leads_import(*, path, kind: str = "auto", mapping: str | Mapping = "auto", owner=None,
                 overwrite: bool = False, dry_run: bool = False, on_progress=None,
                 fork: bool | None = None) -> Report:
    """Import a CSV or XLSX lead list into companies or people, then score every company it touched.

    All or nothing: a file that cannot be read (`BadFile`) leaves the database exactly as it was.
    Rows that cannot be imported are counted as rejected and written to `<file>.rejected.csv`.
    `dry_run` does all the work, reports it, and rolls it back. `fork` forces the parsing into a
    second process (True) or keeps it in this one (False); by default big files fork.
    `mapping` may also be a `Mapping` the seller settled on in the web app's preview, used as it is.
    """
    table = open_table(path)
    try:
        try:
            if isinstance(mapping, Mapping):
                resolved = mapping_for_header(mapping, table.header)
            else:
                resolved = resolve(table.header, kind=kind, mapping=mapping)
        except MappingError as exc:
            raise BadFile(path, str(exc), row=1) from None
        problem = missing_columns(resolved)
        if problem:
            raise BadFile(path, f"{problem}; the header has: {', '.join(h for h in table.header if h)}", row=1)
        report = Report(file=str(path), kind=resolved.kind, mapping=resolved.source, format=table.format,
                        encoding=table.encoding, columns=resolved.as_dict(), ignored_columns=resolved.ignored,
                        dry_run=dry_run, overwrite=overwrite)
        rejected = RejectedRows(Path(path), table.header)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor, _big_cache(cursor):
                    run = importer_for(resolved)(table=table, mapping=resolved, report=report, rejected=rejected,
                                                 owner_id=owner.pk if owner else None, overwrite=overwrite,
                                                 cursor=cursor)
                    size = table.progress()[1]
                    with run.loading(rows_expected=size // 100 if table.format == "csv" else size):
                        for count, parsed, rejects, progress in parsed_chunks(
                                table, rows_for(resolved, run.owner_id), size=IMPORT_CHUNK, fork=fork,
                                prepare=run.reader_prepare):
                            run.process(count, parsed, rejects)
                            if on_progress:
                                on_progress(*progress)
                    if report.rows == 0:
                        raise BadFile(path, "the file has a header row but no data rows", row=2)
                    run.finish()
                    report.tiers = companies_rescore(company_ids=run.touched_companies).after
                if dry_run:
                    transaction.set_rollback(True)
        except BaseException:
            rejected.discard()
            raise
        report.rejected_file = rejected.finish()
        return report
    finally:
        table.close()


def mapping_for_header(mapping: Mapping, header: list[str]) -> Mapping:
    """A mapping chosen on an earlier read of the file, checked against the header it is used with."""
    if mapping.headers != header:
        raise MappingError("the file's header is not the one the mapping was chosen for")
    if any(not 0 <= i < len(header) for i in mapping.columns.values()):
        raise MappingError("the mapping names a column the file does not have")
    return mapping


def key_contact_gaps_to_tasks(*, actor, tier: str = "A") -> list[Task]:
    """A task per missing email or phone of a key contact at the companies of a tier.

    The task goes to the company's owner (else to the actor) and is due today; a gap that already
    has an open task gets no second one, so running this again adds only what is new.
    """
    if tier not in TIERS:
        raise ValidationError({"tier": f"{tier!r} is not a tier (A, B or C)."})
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("Log in to create tasks.")
    scorer = scorer_for(framework_current())
    company_ids = list(CompanyFit.objects.filter(tier=tier).values_list("company_id", flat=True))
    owners = dict(Company.objects.filter(pk__in=company_ids).values_list("pk", "owner_id"))
    created = []
    with transaction.atomic():
        for start in range(0, len(company_ids), 500):
            contacts = key_contacts(company_ids[start:start + 500], scorer)
            for company_id, people in contacts.items():
                for person in people:
                    for gap in person.gaps:
                        title = f"Find the {gap} of {person.name}"[:200]
                        if Task.objects.filter(person=person, title=title, done=False).exists():
                            continue
                        created.append(Task.objects.create(
                            title=title, due=timezone.localdate(), owner_id=owners.get(company_id) or actor.pk,
                            person=person, company_id=company_id, source=Source.SYSTEM))
    return created
