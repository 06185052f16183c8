"""How fast the weekly, monthly and quarterly reports draw on a big database, against DuckDB.

    .venv/bin/python bench/reports.py [--deals 100000 --touches 2000000 --stage-changes 300000]
                                      [--postgres postgres://postgres@127.0.0.1:5432/touchbase_metrics_bench]
                                      [--db PATH] [--runs 5] [--reuse]

Generates a sales team's two years (10 sellers, 100,000 deals in USD and EUR,
300,000 stage changes, 2,000,000 touches) as CSV files, loads them into SQLite
(or, with --postgres, into that PostgreSQL database through COPY; run the
script once for each; --reuse keeps a loaded one) with the touch rollups
counted once after the load, and into DuckDB (from Parquet written by DuckDB
itself), then prints for the last full week, month and quarter:

- the median time to draw the company report page, as a manager, in-process
  through django.test.Client, with our CPU time, the PostgreSQL backend's CPU
  time (read from /proc when the server is local) and the query count;
- the median time of the report's headline aggregates for the period (touches
  by kind, people touched, new conversations, proposals sent, pipeline created,
  won and lost, stage entries, forecast) in touchbase's queries and in DuckDB's SQL over the
  Parquet files, their ratio, and whether the two agree.

Figures, not asserts: the targets are the weekly company report under 500 ms
and the quarterly under 1 s, on SQLite and on PostgreSQL.
"""

import argparse
import atexit
import csv
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import backend_cpu_seconds

NULL = r"\N"
# Indexes the reports would like on crm's tables: the forecast and slipped lists filter deals by
# expected close date, "new conversation" asks whether a person wrote in before, and every touch
# measure reads a period's touches by time, direction, kind, person and seller (covered: no table reads).
PROPOSED_INDEXES = {
    "bench_touch_period_covering": 'CREATE INDEX IF NOT EXISTS bench_touch_period_covering ON "crm_touch" '
                                   '("happened_at", "direction", "kind", "by_id", "person_id")',
    "bench_deal_expected_close": 'CREATE INDEX IF NOT EXISTS bench_deal_expected_close ON "crm_deal" ("expected_close")',
    "bench_touch_person_direction": 'CREATE INDEX IF NOT EXISTS bench_touch_person_direction '
                                    'ON "crm_touch" ("person_id", "direction", "happened_at")',
}
SELLERS = 10
KINDS = [("email", 45), ("call", 18), ("meeting", 7), ("social", 10), ("note", 10), ("other", 2)]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--touches", type=int, default=2_000_000)
    parser.add_argument("--stage-changes", type=int, default=300_000)
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--people", type=int, default=60_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure, after one warm-up")
    parser.add_argument("--db", type=Path, help="SQLite file to build into, or to reuse if it holds data")
    parser.add_argument("--postgres", default="", help="measure this PostgreSQL database instead of SQLite "
                        "(it is emptied first: give a database of its own)")
    parser.add_argument("--reuse", action="store_true",
                        help="with --postgres: keep that database when it holds the bench's data already "
                             "(it is loaded, not dropped, the first time)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--proposed-indexes", action="store_true",
                        help="measure again after adding the indexes proposed for crm (PROPOSED_INDEXES)")
    return parser.parse_args()


def configure(url: str) -> None:
    home = Path(tempfile.mkdtemp(prefix="touchbase-bench-reports-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    os.environ["TOUCHBASE_HOME"] = str(home)
    os.environ["DATABASE_URL"] = url
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "touchbase.settings"
    import django

    django.setup()


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


# -- the data set, as CSV files with every column ------------------------------


class Writer:
    """CSV rows for one model's table: values for the columns we set, the field's default for the rest."""

    def __init__(self, folder: Path, model, **constants):
        from django.db import connection

        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.path = folder / f"{model._meta.db_table}.csv"
        self.columns = [f.column for f in self.fields]
        self.template = []
        for f in self.fields:
            value = constants.get(f.attname, f.get_db_prep_save(f.get_default(), connection))
            self.template.append(NULL if value is None else value)
        self.file = self.path.open("w", newline="")
        self.csv = csv.writer(self.file)
        self.csv.writerow(["id", *self.columns])
        self.attnames = [f.attname for f in self.fields]
        self.count = 0

    def write(self, **values) -> int:
        row = self.template[:]
        for name, value in values.items():
            row[self.attnames.index(name)] = NULL if value is None else value
        self.count += 1
        self.csv.writerow([self.count, *row])
        return self.count

    def close(self) -> None:
        self.file.close()


def generate(args, folder: Path) -> dict:
    """Write users' ids into the CSVs as 1..SELLERS (+ a manager); return the Writers' paths."""
    from touchbase.crm.models import Company, Deal, Person, Stage, StageChange, StageKind, Touch

    rng = random.Random(args.seed)
    # Anchored at midnight so a rerun with --db the same day regenerates the very rows the database holds.
    now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = now - timedelta(days=730)
    stages = list(Stage.objects.filter(pipeline__is_default=True).order_by("order"))
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    won = next(s for s in stages if s.kind == StageKind.WON)
    lost = next(s for s in stages if s.kind == StageKind.LOST)
    sellers = list(range(1, SELLERS + 1))
    made = stamp(start)

    companies = Writer(folder, Company, source="import", created_at=made, updated_at=made)
    owner_of = []
    for i in range(args.companies):
        owner_of.append(rng.choice(sellers))
        companies.write(public_id=f"{rng.getrandbits(128):032x}", name=f"Company {i}", owner_id=owner_of[-1])
    companies.close()
    people = Writer(folder, Person, source="import", created_at=made, updated_at=made, opted_out=False)
    company_of_person = []
    for i in range(args.people):
        company = i % args.companies + 1
        company_of_person.append(company)
        people.write(public_id=f"{rng.getrandbits(128):032x}", first_name=f"Person{i}", company_id=company,
                     owner_id=owner_of[company - 1])
    people.close()

    deals = Writer(folder, Deal, source="import")
    changes = Writer(folder, StageChange, override_reason="")
    # Capping the hops at the pipeline's length loses about a tenth of the mean; ask for that much more.
    per_deal = 1.1 * args.stage_changes / args.deals
    span = (now - start).total_seconds()
    for _ in range(args.deals):
        company = rng.randrange(args.companies) + 1
        owner = owner_of[company - 1]
        at = start + timedelta(seconds=rng.uniform(0, span * 0.97))
        hops = max(1, min(len(open_stages) + 1, round(rng.expovariate(1 / per_deal))))
        path = open_stages[: min(hops, len(open_stages))]
        if hops > len(open_stages) or (hops > 1 and rng.random() < 0.35):
            path = path[: hops - 1] + [won if rng.random() < 0.45 else lost]
        moments = [at]
        for _ in path[1:]:
            moments.append(moments[-1] + timedelta(days=rng.uniform(2, 25)))
        moments = [min(m, now - timedelta(minutes=1)) for m in moments]
        stage = path[-1]
        closed = stamp(moments[-1]) if stage.kind != StageKind.OPEN else None
        expected = (moments[-1] + timedelta(days=rng.randint(-20, 90))).date().isoformat()
        deal = deals.write(
            public_id=f"{rng.getrandbits(128):032x}", company_id=company, title=f"Deal at company {company}",
            amount_minor=rng.randint(80, 1200) * 10_000, currency="EUR" if rng.random() < 0.2 else "USD",
            pipeline_id=stage.pipeline_id, stage_id=stage.pk, stage_entered_at=stamp(moments[-1]), owner_id=owner,
            expected_close=expected, closed_at=closed, lost_reason="No budget" if stage == lost else "",
            created_at=stamp(at), updated_at=stamp(moments[-1]))
        for i, (to_stage, moment) in enumerate(zip(path, moments, strict=True)):
            changes.write(deal_id=deal, from_stage_id=path[i - 1].pk if i else None, to_stage_id=to_stage.pk,
                          changed_at=stamp(moment), changed_by_id=owner,
                          seconds_in_from=int((moment - moments[i - 1]).total_seconds()) if i else None)
    deals.close()
    changes.close()

    touches = Writer(folder, Touch, source="import", coach_override="", outcome="", summary="touch")
    kinds = [k for k, _w in KINDS]
    weights = [w for _k, w in KINDS]
    step = span / args.touches
    for i in range(args.touches):
        person = rng.randrange(args.people) + 1
        company = company_of_person[person - 1]
        at = stamp(start + timedelta(seconds=i * step))
        touches.write(public_id=f"{rng.getrandbits(128):032x}", kind=rng.choices(kinds, weights)[0],
                      direction="in" if rng.random() < 0.15 else "out", happened_at=at, person_id=person,
                      company_id=company, deal_id=rng.randrange(args.deals) + 1 if rng.random() < 0.2 else None,
                      by_id=owner_of[company - 1], created_at=at, updated_at=at)
    touches.close()
    return {w.model: w for w in (companies, people, deals, changes, touches)}


def make_users() -> None:
    from touchbase.accounts.models import Role, User

    users = [User(email=f"seller{i}@bench.local", username=f"seller{i}@bench.local", role=Role.SELLER,
                  first_name=f"Seller{i}", time_zone="America/Chicago") for i in range(1, SELLERS + 1)]
    users.append(User(email="manager@bench.local", username="manager@bench.local", role=Role.MANAGER,
                      first_name="Manager", time_zone="America/Chicago"))
    for user in users:
        user.set_unusable_password()
    User.objects.bulk_create(users)


def load(writers: dict) -> None:
    """Bulk-load the CSVs: executemany on SQLite (indexes built after), COPY on PostgreSQL."""
    from django.db import connection, transaction

    from touchbase.crm import rollup

    connection.ensure_connection()
    tables = [w.model._meta.db_table for w in writers.values()]
    if connection.vendor == "sqlite":
        raw = connection.connection
        raw.execute("PRAGMA cache_size = -400000")
        # Indexes and the rollup triggers go while the rows load, and the rollups are counted once after.
        indexes = raw.execute("SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                              f"AND sql IS NOT NULL AND tbl_name IN ({','.join('?' * len(tables))})",
                              tables).fetchall()
        with transaction.atomic():
            for kind, name, _sql in indexes:
                raw.execute(f'DROP {kind.upper()} "{name}"')
            for writer in writers.values():
                with writer.path.open(newline="") as f:
                    reader = csv.reader(f)
                    header = next(reader)
                    sql = (f'INSERT INTO "{writer.model._meta.db_table}" ({", ".join(header)}) '
                           f'VALUES ({", ".join("?" * len(header))})')
                    rows = ([None if v == NULL else v for v in row] for row in reader)
                    raw.executemany(sql, rows)
            for _kind, _name, sql in indexes:
                raw.execute(sql)
            rollup.rebuild(connection)
        raw.execute("ANALYZE")
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("ALTER TABLE crm_touch DISABLE TRIGGER USER")
            for writer in writers.values():
                with writer.path.open() as f:
                    header = f.readline().strip()
                    table = writer.model._meta.db_table
                    with cursor.copy(f'COPY "{table}" ({header}) FROM STDIN (FORMAT csv, NULL \'{NULL}\')') as copy:
                        while chunk := f.read(1 << 20):
                            copy.write(chunk)
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                               f"(SELECT MAX(id) FROM \"{table}\"))")
        # Apart from the load: its deferred foreign-key checks keep the table from being altered until it commits.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("ALTER TABLE crm_touch ENABLE TRIGGER USER")
            rollup.rebuild(connection)
        # VACUUM too: index-only scans need the visibility map, which freshly copied rows do not have yet.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    connection.close()


# -- measuring -----------------------------------------------------------------


def server_cpu_ms() -> float | None:
    """CPU time so far of this connection's PostgreSQL backend, read from /proc (the server is local).

    On a machine others load, wall time swings; the client's CPU plus the
    server's is what the report itself costs. None on SQLite (it runs in our
    own process, so process_time has it) or when the backend is not local.
    """
    seconds = backend_cpu_seconds()
    return seconds * 1000 if seconds is not None else None


def timed(fn, runs: int):
    """Median wall ms, our CPU ms, the database server's CPU ms (PostgreSQL; None on SQLite), and fn's result."""
    fn()
    wall, cpu, server = [], [], []
    for _ in range(runs):
        before = server_cpu_ms()
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        after = server_cpu_ms()
        if before is not None and after is not None:
            server.append(after - before)
    return (statistics.median(wall), statistics.median(cpu), result,
            statistics.median(server) if server else None)


def touchbase_aggregates(period):
    from touchbase.metrics import measures as m

    scope = m.Scope.company()
    created, closed = m.pipeline_created(period, scope), m.closed(period, scope)
    won, lost = closed["won"], closed["lost"]
    forecast = m.forecast(period, scope)
    touches = m.touch_figures(period, scope)
    return {
        "touches by kind": dict(sorted(touches.by_kind.items())),
        "people touched": touches.people,
        "new conversations": m.new_conversations(period, scope),
        "proposals sent": m.proposals_sent(period, scope),
        "created": (created.count, dict(sorted(created.value.items()))),
        "won": (won.count, dict(sorted(won.value.items()))),
        "lost": (lost.count, dict(sorted(lost.value.items()))),
        "stage entries": {s.stage.pk: (s.entered, s.advanced) for s in m.stage_flow(period, scope) if s.entered},
        "forecast weighted": dict(sorted(forecast.weighted.items())),
    }


DUCK_SQL = {
    "touches by kind": """SELECT kind, count(*) FROM touch WHERE direction = 'out' AND kind <> 'note'
        AND happened_at >= $s AND happened_at < $e GROUP BY kind""",
    "people touched": """SELECT count(DISTINCT person_id) FROM touch WHERE direction = 'out' AND kind <> 'note'
        AND person_id IS NOT NULL AND happened_at >= $s AND happened_at < $e""",
    "new conversations": """SELECT count(*) FROM (SELECT person_id, min(happened_at) AS first FROM touch
        WHERE direction = 'in' AND person_id IS NOT NULL GROUP BY person_id) WHERE first >= $s AND first < $e""",
    "proposals sent": """SELECT count(*) FROM (SELECT c.deal_id, min(c.changed_at) AS first FROM change c
        JOIN stage s ON s.id = c.to_stage_id WHERE s.kind = 'open' AND lower(s.name) LIKE 'proposal%'
        GROUP BY c.deal_id) WHERE first >= $s AND first < $e""",
    "created": """SELECT d.currency, count(*), sum(d.amount_minor) FROM change c JOIN deal d ON d.id = c.deal_id
        WHERE c.from_stage_id IS NULL AND c.changed_at >= $s AND c.changed_at < $e GROUP BY d.currency""",
    "won": """SELECT currency, count(*), sum(amount_minor) FROM deal WHERE stage_id = $won
        AND closed_at >= $s AND closed_at < $e GROUP BY currency""",
    "lost": """SELECT currency, count(*), sum(amount_minor) FROM deal WHERE stage_id = $lost
        AND closed_at >= $s AND closed_at < $e GROUP BY currency""",
    "stage entries": """SELECT c.to_stage_id, count(DISTINCT c.deal_id), count(DISTINCT c.deal_id) FILTER (WHERE
        EXISTS (SELECT 1 FROM change n JOIN stage t ON t.id = n.to_stage_id JOIN stage f ON f.id = c.to_stage_id
                WHERE n.deal_id = c.deal_id AND n.from_stage_id = c.to_stage_id AND n.changed_at >= c.changed_at
                AND t."order" > f."order" AND t.kind <> 'lost'))
        FROM change c JOIN stage s ON s.id = c.to_stage_id WHERE s.kind = 'open'
        AND c.changed_at >= $s AND c.changed_at < $e GROUP BY c.to_stage_id""",
    "forecast weighted": """SELECT d.currency, round(sum(d.amount_minor * s.probability) / 100.0, 0)
        FROM deal d JOIN stage s ON s.id = d.stage_id WHERE s.kind = 'open'
        AND d.expected_close >= $ds AND d.expected_close < $de GROUP BY d.currency""",
}


def duck_connect(folder: Path, writers: dict):
    import duckdb

    from touchbase.crm.models import Deal, Stage, StageChange, Touch

    duck = duckdb.connect()
    names = {Touch: "touch", Deal: "deal", StageChange: "change"}
    for model, name in names.items():
        parquet = folder / f"{name}.parquet"
        duck.execute(f"COPY (SELECT * FROM read_csv('{writers[model].path}', header = true, nullstr = '{NULL}')) "
                     f"TO '{parquet}' (FORMAT parquet)")
        duck.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{parquet}')")
    duck.execute("CREATE TABLE stage (id BIGINT, \"order\" INTEGER, kind VARCHAR, probability INTEGER, name VARCHAR)")
    duck.executemany("INSERT INTO stage VALUES (?, ?, ?, ?, ?)",
                     list(Stage.objects.values_list("id", "order", "kind", "probability", "name")))
    return duck


def duck_aggregates(duck, period):
    from touchbase.crm.models import Stage, StageKind

    won = Stage.objects.get(pipeline__is_default=True, kind=StageKind.WON).pk
    lost = Stage.objects.get(pipeline__is_default=True, kind=StageKind.LOST).pk
    # Parquet holds naive UTC timestamps, as SQLite stored them.
    s = period.start_at.astimezone(UTC).replace(tzinfo=None)
    e = period.end_at.astimezone(UTC).replace(tzinfo=None)
    params = {"s": s, "e": e, "won": won, "lost": lost, "ds": period.start, "de": period.end}
    out = {}
    for name, sql in DUCK_SQL.items():
        used = {k: v for k, v in params.items() if f"${k}" in sql}
        rows = duck.execute(sql, used).fetchall()
        if name == "touches by kind":
            counts = {k: 0 for k in ("call", "email", "meeting", "other", "social")}
            counts.update(dict(rows))
            out[name] = dict(sorted(counts.items()))
        elif name in ("people touched", "new conversations", "proposals sent"):
            out[name] = rows[0][0]
        elif name in ("created", "won", "lost"):
            out[name] = (sum(r[1] for r in rows), dict(sorted((r[0], int(r[2])) for r in rows)))
        elif name == "stage entries":
            out[name] = {r[0]: (r[1], r[2]) for r in rows}
        else:
            out[name] = dict(sorted((r[0], int(r[1])) for r in rows))
    return out


def measure(label: str, args, duck) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from touchbase.accounts.models import User
    from touchbase.crm.models import Deal, StageChange, Touch
    from touchbase.metrics.periods import PeriodKind, current_period

    print(f"\n== {label}: {Deal.objects.count():,} deals, {StageChange.objects.count():,} stage changes, "
          f"{Touch.objects.count():,} touches")
    client = Client()
    manager = User.objects.get(email="manager@bench.local")
    client.force_login(manager)
    print(f"{'report':<12}{'page ms':>9}{'cpu ms':>8}{'db cpu':>8}{'queries':>9}{'aggr ms':>9}{'duckdb ms':>10}"
          f"{'ratio':>7}  agree")
    now = timezone.now()
    for kind in PeriodKind:
        # The last full period: the current one is partly in the future of the generated data.
        period = current_period(kind, now, manager.time_zone).previous()
        url = f"/reports/{kind.adjective}/{period.name}"
        assert client.get(url).status_code == 200, url
        page_ms, page_cpu, _, page_db = timed(lambda url=url: client.get(url), args.runs)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        ours_ms, _cpu, ours, _db = timed(lambda period=period: touchbase_aggregates(period), args.runs)
        duck_ms, _cpu, theirs, _db = timed(lambda period=period: duck_aggregates(duck, period), args.runs)
        differ = [k for k in ours if ours[k] != theirs[k]]
        agree = "yes" if not differ else "NO: " + ", ".join(f"{k} {ours[k]} vs {theirs[k]}" for k in differ)
        db_cpu = "-" if page_db is None else f"{page_db:.0f}"
        print(f"{period.name:<12}{page_ms:>9.0f}{page_cpu:>8.0f}{db_cpu:>8}"
              f"{len(captured.captured_queries):>9}{ours_ms:>9.0f}{duck_ms:>10.1f}{ours_ms / duck_ms:>7.1f}  {agree}")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; medians of {args.runs} runs after a warm-up; "
          "'cpu' is ours, 'db cpu' the PostgreSQL backend's (SQLite's is in ours); "
          "'aggr' is the headline aggregates alone, the part DuckDB repeats, and 'ratio' ours over DuckDB's)")


def main() -> None:
    args = parse_args()
    folder = Path(tempfile.mkdtemp(prefix="touchbase-bench-data-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    db = args.db or folder / "reports.sqlite3"
    if args.postgres and not args.reuse:
        recreate(args.postgres)
    configure(args.postgres or f"sqlite:///{Path(db).expanduser().resolve()}")
    from django.core.management import call_command

    from touchbase.accounts.models import User

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    print(f"Generating {args.deals:,} deals, {args.stage_changes:,} stage changes (about), "
          f"{args.touches:,} touches as CSV in {folder} ...", flush=True)
    fresh = not User.objects.exists()
    if fresh:
        make_users()
    writers = generate(args, folder)
    print(f"  generated in {time.perf_counter() - started:.0f} s; {writers[next(iter(writers))].count:,} companies",
          flush=True)
    if fresh:
        load(writers)
        print(f"  {'PostgreSQL' if args.postgres else 'SQLite'} loaded in {time.perf_counter() - started:.0f} s", flush=True)
    duck = duck_connect(folder, writers)
    print(f"  Parquet written and opened in DuckDB in {time.perf_counter() - started:.0f} s", flush=True)
    database = "PostgreSQL" if args.postgres else "SQLite"
    indexes(create=False)
    measure(database, args, duck)
    if args.proposed_indexes:
        indexes(create=True)
        measure(f"{database} with the proposed crm indexes", args, duck)


def indexes(*, create: bool) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for name, sql in PROPOSED_INDEXES.items():
            cursor.execute(sql if create else f'DROP INDEX IF EXISTS "{name}"')
        cursor.execute("ANALYZE")
    connection.close()


def recreate(url: str) -> None:
    """Drop and create the PostgreSQL database, so sellers get ids 1..SELLERS as the CSVs name them."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    if not name.startswith("touchbase_") or not name.endswith("bench"):
        sys.exit(f"--postgres {name}: the benchmark drops its database, so give one named touchbase_..._bench.")
    with psycopg.connect(host=config["HOST"] or "127.0.0.1", port=config["PORT"] or 5432, user=config["USER"],
                         password=config["PASSWORD"] or None, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    sys.exit(main())
