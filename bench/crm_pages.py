"""How fast the CRM's busiest pages answer on a big SQLite database.

    .venv/bin/python bench/crm_pages.py [--companies 100000 --people 300000 --touches 1000000]
                                        [--db PATH] [--requests 50] [--explain]

Builds (or reuses, with --db) a SQLite database of that many companies, people
and touches plus a few hundred deals and tasks, then asks for the pipeline
board, the company list searched by a name prefix, a company page with its
timeline and Today, as a seller, in-process through django.test.Client. It
prints the median and p95 server time of each page and its number of SQL
queries; --explain adds each page's slowest queries with SQLite's query plan.

Figures, not asserts: the target is every median under 100 ms and p95 under
200 ms. Rows go in with executemany on the raw sqlite3 connection, with the
secondary indexes dropped during the load and built once afterwards, because
one ORM save per row would take hours at this size.
"""

import argparse
import atexit
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PREFIXES = ["Acm", "Nor", "Sol", "Ver", "Ma", "Zen", "Cor", "Lum", "Xan", "Bel", "Pel", "Tor", "acm", "ha"]
SYLLABLES = ["Ac", "Bel", "Cor", "Dan", "El", "Fin", "Gal", "Hex", "Ion", "Jun", "Kel", "Lum", "Mar", "Nor",
             "Oak", "Pel", "Quin", "Ros", "Sol", "Tor", "Ul", "Ver", "Wil", "Xan", "Yor", "Zen", "Ha", "Bri"]
ENDINGS = ["me", "ta", "ri", "lo", "va", "nex", "dor", "mi", "sa", "co", "ra", "tis", "bo", "lin", "vo", "ly"]
SUFFIXES = ["", "tech", "corp", "works", "labs", "soft", "ware", "net"]
KINDS = ["email", "email", "email", "call", "call", "meeting", "note", "social"]
SUMMARIES = ["Intro email about dispatch scheduling", "Follow-up on pricing", "Left a voicemail",
             "Discovery call: 40 technicians, spreadsheets today", "Demo for the dispatch team",
             "Replied: interested, asked for a call", "Connected on LinkedIn", "Research note"]
BATCH = 20_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=300_000)
    parser.add_argument("--touches", type=int, default=1_000_000)
    parser.add_argument("--deals", type=int, default=400)
    parser.add_argument("--tasks", type=int, default=600)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (after one warm-up)")
    parser.add_argument("--db", type=Path, help="SQLite file to build into, or to reuse if it holds data already")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--explain", action="store_true", help="print each page's slowest queries and their plan")
    parser.add_argument("--pages", default="board,search,company,today",
                        help="which pages to measure, comma-separated (default: all four)")
    return parser.parse_args()


def configure(args) -> None:
    """Point settings at the benchmark database before Django loads them."""
    home = Path(tempfile.mkdtemp(prefix="touchbase-bench-"))
    # The home holds the secret key, and the database unless --db: about 600 MB at full size.
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    os.environ["TOUCHBASE_HOME"] = str(home)
    if args.db:
        os.environ["DATABASE_URL"] = f"sqlite:///{args.db.expanduser().resolve()}"
    else:
        os.environ.pop("DATABASE_URL", None)
    # django.test.Client sends Host: testserver.
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "touchbase.settings"
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "sqlite":
        sys.exit("bench/crm_pages.py measures SQLite; give --db PATH, not a DATABASE_URL for another database.")


def stamp(moment: datetime) -> str:
    """A datetime as Django's SQLite backend stores it: naive UTC text."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


class Table:
    """Raw INSERTs into a model's table, filling columns we do not set with the field's default."""

    def __init__(self, model, **constants):
        from django.db import connection

        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.columns = [f.column for f in self.fields]
        self.defaults = {}
        for f in self.fields:
            if f.attname in constants:
                self.defaults[f.attname] = constants[f.attname]
            else:  # the field's default, or "" for text and None for nullable columns, as Django fills them
                self.defaults[f.attname] = f.get_db_prep_save(f.get_default(), connection)
        self.table = model._meta.db_table
        self.sql = (f'INSERT INTO "{self.table}" ({", ".join(self.columns)}) '
                    f'VALUES ({", ".join("?" * len(self.columns))})')

    def rows(self, names: list[str]):
        """A function turning a tuple of values for the columns `names` (attnames) into a full row."""
        attnames = [f.attname for f in self.fields]
        positions = [attnames.index(n) for n in names]
        template = [self.defaults[f.attname] for f in self.fields]

        def row(values):
            full = template[:]
            for position, value in zip(positions, values, strict=True):
                full[position] = value
            return full

        return row

    def insert(self, raw, rows) -> None:
        raw.executemany(self.sql, rows)


def uid(rng: random.Random) -> str:
    # UUIDField is stored as 32 hex digits on SQLite.
    return f"{rng.getrandbits(128):032x}"


def secondary_indexes(raw, tables: list[str]) -> list[tuple[str, str]]:
    marks = ",".join("?" * len(tables))
    return raw.execute(f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
                       f"AND tbl_name IN ({marks})", tables).fetchall()


def build(args) -> None:
    from django.db import connection, transaction

    from touchbase.accounts.models import Role, User
    from touchbase.core import demo
    from touchbase.crm.models import Company, Deal, Person, Stage, StageChange, StageKind, Task, Touch

    rng = random.Random(args.seed)
    now = datetime.now(UTC)
    started = time.perf_counter()
    users = []
    for email, role in (("admin@bench.local", Role.ADMIN), ("manager@bench.local", Role.MANAGER),
                        *((f"seller{i}@bench.local", Role.SELLER) for i in (1, 2, 3))):
        user = User(email=email, username=email, role=role, first_name=email.split("@")[0].title(),
                    last_name="Bench")
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    sellers = [u.pk for u in users if u.role == Role.SELLER]
    stages = list(Stage.objects.filter(pipeline__is_default=True).order_by("order"))

    connection.ensure_connection()
    raw = connection.connection
    raw.execute("PRAGMA cache_size = -400000")
    tables = [m._meta.db_table for m in (Company, Person, Touch)]
    indexes = secondary_indexes(raw, tables)
    with transaction.atomic():
        for name, _sql in indexes:
            raw.execute(f'DROP INDEX "{name}"')

    def progress(what: str, n: int) -> None:
        print(f"  {what:<12} {n:>10,}  ({time.perf_counter() - started:6.1f} s)", flush=True)

    created = stamp(now - timedelta(days=400))
    industries = list(demo.INDUSTRIES)
    countries = list(demo.COUNTRIES)
    company = Table(Company, source="import", created_at=created, updated_at=created)
    row = company.rows(["public_id", "name", "domain", "website", "industry", "employee_count", "country",
                        "owner_id"])
    owners, names = [], []
    with transaction.atomic():
        for start in range(0, args.companies, BATCH):
            rows = []
            for i in range(start, min(start + BATCH, args.companies)):
                name = (rng.choice(SYLLABLES) + rng.choice(ENDINGS) + rng.choice(SUFFIXES)).capitalize()
                name = f"{name} {rng.choice(demo.INDUSTRIES[rng.choice(industries)][0])}"
                domain = f"{name.split()[0].lower()}{i}.example"
                owner = rng.choice(sellers)
                owners.append(owner)
                names.append(name)
                rows.append(row((uid(rng), name, domain, f"https://{domain}", rng.choice(industries),
                                 rng.randint(10, 5000), rng.choice(countries), owner)))
            company.insert(raw, rows)
    company_ids = [r[0] for r in raw.execute(f'SELECT id FROM "{company.table}" ORDER BY id')]
    progress("companies", len(company_ids))

    # People sit in contiguous id ranges per company, so a touch can pick one of its company's people.
    person = Table(Person, source="import", created_at=created, updated_at=created, opted_out=False)
    row = person.rows(["public_id", "first_name", "last_name", "email", "phone", "title", "company_id",
                       "owner_id", "time_zone"])
    first_names = [n for pool in demo.FIRST_NAMES.values() for n in pool]
    last_names = [n for pool in demo.LAST_NAMES.values() for n in pool]
    titles = [t for _w, pool in demo.TITLES for t in pool]
    seats = [1] * len(company_ids)
    for index in rng.choices(range(len(company_ids)), k=max(0, args.people - len(company_ids))):
        seats[index] += 1
    first_person = []
    with transaction.atomic():
        rows, next_person = [], 0
        for index, (company_id, count) in enumerate(zip(company_ids, seats, strict=True)):
            first_person.append(next_person)
            next_person += count
            for _ in range(count):
                first, last = rng.choice(first_names), rng.choice(last_names)
                rows.append(row((uid(rng), first, last, f"{first.lower()}.{index}@example.com",
                                 f"+1212555{rng.randint(0, 9999):04d}", rng.choice(titles), company_id,
                                 owners[index], "America/New_York")))
            if len(rows) >= BATCH:
                person.insert(raw, rows)
                rows = []
        person.insert(raw, rows)
    person_ids = [r[0] for r in raw.execute(f'SELECT id FROM "{person.table}" ORDER BY id')]
    progress("people", len(person_ids))

    deal_table = Table(Deal, source="import", currency="USD")
    row = deal_table.rows(["public_id", "company_id", "contact_id", "title", "amount_minor", "pipeline_id",
                           "stage_id", "stage_entered_at", "owner_id", "expected_close", "next_step",
                           "lost_reason", "closed_at", "version", "created_at", "updated_at"])
    deal_of_company = {}
    with transaction.atomic():
        rows = []
        for _ in range(args.deals):
            index = rng.randrange(len(company_ids))
            stage = rng.choice(stages)
            entered = stamp(now - timedelta(days=rng.randint(1, 90)))
            closed = entered if stage.kind != StageKind.OPEN else None
            rows.append(row((uid(rng), company_ids[index], person_ids[first_person[index]], f"{names[index]} pilot",
                             rng.randint(8_000, 120_000) * 100, stage.pipeline_id, stage.pk, entered, owners[index],
                             (now + timedelta(days=rng.randint(-10, 90))).date().isoformat(),
                             rng.choice(["", "Send proposal", "Demo for the team"]),
                             "No budget" if stage.kind == StageKind.LOST else "", closed, 1, entered, entered)))
            deal_of_company[index] = None
        deal_table.insert(raw, rows)
    index_of = {pk: i for i, pk in enumerate(company_ids)}
    for deal_id, company_id in raw.execute(f'SELECT id, company_id FROM "{deal_table.table}"'):
        deal_of_company[index_of[company_id]] = deal_id
    change = Table(StageChange, override_reason="")
    change_row = change.rows(["deal_id", "to_stage_id", "changed_at", "changed_by_id"])
    with transaction.atomic():
        change.insert(raw, [change_row(r) for r in raw.execute(
            f'SELECT id, stage_id, stage_entered_at, owner_id FROM "{deal_table.table}"').fetchall()])
    progress("deals", args.deals)

    # Touches: a heavy-tailed spread over companies (a few accounts get thousands), written in time order
    # as a real log grows, over the last year.
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(company_ids))]
    rng.shuffle(weights)
    cumulative, total = [], 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    touch = Table(Touch, source="import", coach_override="")
    row = touch.rows(["public_id", "kind", "direction", "happened_at", "person_id", "company_id", "deal_id",
                      "by_id", "summary", "outcome", "created_at", "updated_at"])
    touch_count = [0] * len(company_ids)
    person_count = {}
    last_company = [None] * len(company_ids)
    last_person = {}
    span = 365 * 86400
    origin = now - timedelta(seconds=span)
    with transaction.atomic():
        for start in range(0, args.touches, BATCH):
            end = min(start + BATCH, args.touches)
            picks = rng.choices(range(len(company_ids)), cum_weights=cumulative, k=end - start)
            rows = []
            for i, index in zip(range(start, end), picks, strict=True):
                at = stamp(origin + timedelta(seconds=span * i / args.touches))
                person_id = None
                if rng.random() < 0.9:
                    person_id = person_ids[first_person[index] + rng.randrange(seats[index])]
                    person_count[person_id] = person_count.get(person_id, 0) + 1
                    last_person[person_id] = at
                touch_count[index] += 1
                last_company[index] = at
                deal_id = deal_of_company.get(index) if rng.random() < 0.3 else None
                kind = rng.choice(KINDS)
                rows.append(row((uid(rng), kind, "in" if rng.random() < 0.2 else "out", at, person_id,
                                 company_ids[index], deal_id, owners[index], rng.choice(SUMMARIES), "", at, at)))
            touch.insert(raw, rows)
            if end % 200_000 == 0 or end == args.touches:
                progress("touches", end)

    with transaction.atomic():
        raw.executemany(f'UPDATE "{company.table}" SET touch_count = ?, last_touch_at = ? WHERE id = ?',
                        [(n, last_company[i], company_ids[i]) for i, n in enumerate(touch_count) if n])
        raw.executemany(f'UPDATE "{person.table}" SET touch_count = ?, last_touch_at = ? WHERE id = ?',
                        [(n, last_person[pk], pk) for pk, n in person_count.items()])
    progress("counters", len(person_count))

    task = Table(Task, source="import", done=False, created_at=created, updated_at=created)
    row = task.rows(["public_id", "title", "due", "owner_id", "person_id", "company_id"])
    today = now.date()
    with transaction.atomic():
        rows = []
        for i in range(args.tasks):
            index = rng.randrange(len(company_ids))
            rows.append(row((uid(rng), f"Call {names[index]}", (today + timedelta(days=rng.randint(-10, 14))).isoformat(),
                             sellers[i % len(sellers)], person_ids[first_person[index]], company_ids[index])))
        task.insert(raw, rows)
    progress("tasks", args.tasks)

    with transaction.atomic():
        for _name, sql in indexes:
            raw.execute(sql)
    progress("indexes", len(indexes))
    # Measure on a connection opened as the app opens it, not on this one with its 400 MB cache.
    connection.close()
    print(f"Built in {time.perf_counter() - started:.1f} s.")


def url_list(args):
    """(page, [urls]) for each measured page; a page whose URL name is not defined yet is reported as such."""
    from django.urls import NoReverseMatch, reverse

    from touchbase.crm.models import Company

    busiest = list(Company.objects.order_by("-touch_count").values_list("pk", flat=True)[: max(args.requests, 10)])
    pages = [
        ("board", "board", lambda: [reverse("crm:board")]),
        ("search", "company list ?q=prefix", lambda: [f"{reverse('crm:company_list')}?q={p}" for p in PREFIXES]),
        ("company", "company page + timeline", lambda: [reverse("crm:company_detail", args=[pk]) for pk in busiest]),
        ("today", "today", lambda: [reverse("crm:today")]),
    ]
    wanted = args.pages.split(",")
    for key, label, urls in pages:
        if key not in wanted:
            continue
        try:
            yield label, urls()
        except NoReverseMatch as exc:
            yield label, exc


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def measure(args) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from touchbase.accounts.models import Role, User
    from touchbase.crm.models import Company, Person, Touch

    print(f"Database: {connection.settings_dict['NAME']}: {Company.objects.count():,} companies, "
          f"{Person.objects.count():,} people, {Touch.objects.count():,} touches")
    seller = User.objects.filter(role=Role.SELLER, is_active=True).order_by("pk").first()
    client = Client()
    client.force_login(seller)
    print(f"As {seller.email}, {args.requests} requests per page after one warm-up. Wall-clock server time;")
    print(f"'cpu' is this process's CPU time, which other load on the machine does not inflate "
          f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs).\n")
    print(f"{'page':<26}{'median ms':>10}{'p95 ms':>9}{'max ms':>9}{'cpu median':>11}{'queries':>9}")
    slow = []
    for label, urls in url_list(args):
        if isinstance(urls, Exception):
            print(f"{label:<26}  not measured: {urls}")
            continue
        response = client.get(urls[0])
        if response.status_code != 200:
            print(f"{label:<26}  not measured: {urls[0]} answered {response.status_code}")
            continue
        times, cpu = [], []
        for i in range(args.requests):
            url = urls[i % len(urls)]
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            if response.status_code != 200:
                print(f"  {url} answered {response.status_code}")
        counts = []
        worst = []
        for url in urls[: min(len(urls), 5)]:
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            counts.append(len(captured.captured_queries))
            worst.extend((float(q["time"]) * 1000, url, q["sql"]) for q in captured.captured_queries)
        queries = f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)}-{max(counts)}"
        print(f"{label:<26}{statistics.median(times):>10.1f}{percentile(times, 0.95):>9.1f}"
              f"{max(times):>9.1f}{statistics.median(cpu):>11.1f}{queries:>9}")
        slow.append((label, sorted(worst, reverse=True)[:3]))
    if args.explain:
        explain(slow)


def explain(slow) -> None:
    from django.db import connection

    for label, queries in slow:
        print(f"\n== {label}: slowest queries")
        for ms, url, sql in queries:
            print(f"\n{ms:.1f} ms  ({url})\n  {sql}")
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                for row in cursor.fetchall():
                    print(f"    {row[-1]}")


def main() -> None:
    args = parse_args()
    configure(args)
    from django.core.management import call_command
    from django.db import connection

    from touchbase.crm.models import Company

    call_command("migrate", verbosity=0)
    if Company.objects.exists():
        print(f"Reusing {connection.settings_dict['NAME']} as it is.")
    else:
        print(f"Building {args.companies:,} companies, {args.people:,} people, {args.touches:,} touches, "
              f"{args.deals} deals and {args.tasks} tasks in {connection.settings_dict['NAME']}:")
        build(args)
    measure(args)
    if not args.db:
        print("\nThe database was temporary and is removed now; give --db PATH to keep it and measure again "
              "without rebuilding.")


if __name__ == "__main__":
    main()
