"""How fast `touchbase import` takes a big people list into an empty SQLite database.

    .venv/bin/python bench/import_leads.py [--rows 1000000] [--keep DIR] [--profile] [--postgres URL]

Generates a people CSV (8 columns: first name, last name, email, phone, title, company, website,
country) with 5% duplicate emails and 1% invalid rows, then, each in a fresh process:
  - imports it with `prospecting.services.leads_import` into an empty, migrated SQLite database
    (normalisation, dedupe, company linking and tiering included);
  - runs the bare stdlib baseline on the same file: csv.reader + executemany into one table with
    a unique email index;
  - runs the floor: the same people and companies, already clean and deduplicated, written into
    touchbase's own tables (crm_person: 16 columns, 7 indexes) and nothing else: what the schema
    alone costs, which no import can beat.
Prints the wall time of each, the ratio, the peak memory (max RSS) of the import process, and
the report's counts. --profile adds the import's top functions by own time. --postgres URL also
imports the file into a fresh PostgreSQL database made beside URL's (and dropped afterwards);
the role in URL must be allowed to create databases. --keep DIR reuses a file generated there.

Figures, not asserts. The targets (issue 4): under 20 s, at most 1.5 x the baseline, peak memory
under 300 MB, on the 2-core machine; into PostgreSQL under 30 s.
"""

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _common import backend_cpu_seconds

FIRST = ["Dana", "Lee", "Kim", "Ana", "Sam", "Ravi", "Maya", "Jon", "Zoë", "Luis", "Ines", "Omar", "Eva", "Tom",
         "Noor", "Ida", "Max", "Lena", "Yuki", "Chen"]
LAST = ["Reyes", "Ng", "Park", "López", "Smith", "Patel", "Müller", "Okafor", "Rossi", "Kowalski", "Silva",
        "Haddad", "Jensen", "Novak", "Tanaka", "Dubois", "Larsen", "Costa", "Brown", "Weber"]
TITLES = ["VP Sales", "Head of Operations", "CEO", "Founder", "Engineer", "Account Executive", "CTO",
          "Director of Logistics", "Office Manager", "Analyst", "Chief Revenue Officer", ""]
COUNTRIES = ["US", "US", "US", "DE", "GB", "FR", "United States", "Germany", "NL", "CA"]
HEADER = ["First Name", "Last Name", "Email", "Phone", "Title", "Company", "Website", "Country"]


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """rows data rows: 5% repeat an earlier email (other case, more fields), 1% cannot be imported."""
    rng = random.Random(seed)
    companies = max(10, rows // 10)
    emails: list[str] = []
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for i in range(rows):
            roll = rng.random()
            if roll < 0.01:
                out.writerow(["", "", rng.choice(["not-an-email", "a@@b.example", "x@y", ""]), "", "", "", "", ""])
                continue
            c = rng.randrange(companies)
            domain = f"company{c}.example"
            first, last = rng.choice(FIRST), rng.choice(LAST)
            if roll < 0.06 and emails:
                email = rng.choice(emails).upper()
            else:
                email = f"{first[0].lower()}{i}@{domain}"
                if len(emails) < 100_000:
                    emails.append(email)
            country = rng.choice(COUNTRIES)
            if rng.random() < 0.7:
                phone = f"+1415{rng.randrange(10**7):07d}"
            elif country in ("DE", "Germany"):
                phone = f"030 {rng.randrange(10**7):07d}"
            else:
                phone = f"(415) 555-{rng.randrange(10**4):04d}"
            website = f"https://www.{domain}/" if rng.random() < 0.5 else ""
            out.writerow([first, last, email, phone, rng.choice(TITLES), f"Company {c}", website, country])


def run_import(path: Path, postgres: str | None = None) -> dict:
    home = Path(tempfile.mkdtemp(prefix="touchbase-bench-import-"))
    os.environ["TOUCHBASE_HOME"] = str(home)
    if postgres:
        os.environ["DATABASE_URL"] = postgres
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "touchbase.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from touchbase.prospecting import services

    services.framework_current()
    backend = backend_cpu_seconds()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu_before = _cpu()
    started = time.perf_counter()
    report = services.leads_import(path=path)
    seconds = time.perf_counter() - started
    cpu = _cpu()
    server_cpu = backend_cpu_seconds()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "reader_peak_rss_mb": children.ru_maxrss / 1024, "cpu_main": cpu[0] - cpu_before[0],
            "cpu_reader": cpu[1] - cpu_before[1], "rss_before_mb": rss_before / 1024, "report": report.as_dict(),
            "cache_mb": services.IMPORT_CACHE_KB // 1024,
            "server_cpu": server_cpu - backend if backend is not None and server_cpu is not None else None}


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process and of its finished children (the forked reader)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def run_baseline(path: Path) -> dict:
    db = Path(tempfile.mkdtemp(prefix="touchbase-bench-baseline-")) / "baseline.sqlite3"
    started = time.perf_counter()
    cpu_before = _cpu()[0]
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT, "
                       "phone TEXT, title TEXT, company TEXT, website TEXT, country TEXT)")
    connection.execute("CREATE UNIQUE INDEX people_email ON people (email)")
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        next(rows)
        with connection:
            connection.executemany("INSERT OR IGNORE INTO people (first_name, last_name, email, phone, title, "
                                   "company, website, country) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    count = connection.execute("SELECT COUNT(*) FROM people").fetchone()[0]
    connection.close()
    return {"seconds": time.perf_counter() - started, "rows": count, "cpu": _cpu()[0] - cpu_before,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_floor(path: Path) -> dict:
    """What touchbase's tables alone ask: the file's people and companies, already clean and deduplicated,
    written into crm_person and crm_company of a migrated, empty database with their indexes and foreign
    keys, as the importer does (secondary indexes built at the end, time-ordered public ids), and
    committed. Parsing, cleaning, dedupe and tiering are left out; getting the rows ready is not timed."""
    home = Path(tempfile.mkdtemp(prefix="touchbase-bench-floor-"))
    os.environ["TOUCHBASE_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "touchbase.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from touchbase.prospecting.importer import PublicIds

    call_command("migrate", verbosity=0)
    people: dict[str, tuple] = {}
    companies: dict[str, int] = {}
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        next(rows)
        for first, last, email, phone, title, company, _website, _country in rows:
            email = email.lower()
            if "@" in email and "." in email.rpartition("@")[2] and email not in people:
                company_id = companies.setdefault(company, len(companies) + 1)
                people[email] = (len(people) + 1, email, first, last, phone, title, company_id)
    records = list(people.values())
    del people
    ids = PublicIds()
    records = [r + (public_id,) for r, public_id in zip(records, ids.hex([r[0] for r in records]), strict=True)]
    firms = [(pk, public_id, name) for (name, pk), public_id in
             zip(companies.items(), ids.hex(list(companies.values())), strict=True)]
    connection = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "cache_size=-65536"):
        connection.execute(f"PRAGMA {pragma}")
    indexes = connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                                 "tbl_name IN ('crm_person', 'crm_company') AND sql IS NOT NULL").fetchall()
    started = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    for name, _sql in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    connection.executemany("INSERT INTO crm_company (id, public_id, name, domain, website, country, industry, notes, "
                           "source, created_at, updated_at, touch_count) VALUES (?, ?, ?, '', '', '', '', '', "
                           "'import', '2026-11-28 08:00:00', '2026-11-28 08:00:00', 0)", firms)
    connection.executemany("INSERT INTO crm_person (id, email, first_name, last_name, phone, title, company_id, "
                           "public_id, source, created_at, updated_at, touch_count, last_touch_at, time_zone, "
                           "opted_out, owner_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'import', '2026-11-28 08:00:00', "
                           "'2026-11-28 08:00:00', 0, NULL, '', 0, NULL)", records)
    inserted = time.perf_counter()
    for _name, sql in indexes:
        connection.execute(sql)
    indexed = time.perf_counter()
    connection.execute("COMMIT")
    done = time.perf_counter()
    connection.close()
    return {"seconds": done - started, "insert": inserted - started, "indexes": indexed - inserted,
            "commit": done - indexed, "rows": len(records), "companies": len(firms)}


def child(mode: str, path: Path, profile: bool, postgres: str | None) -> None:
    if mode == "baseline":
        print(json.dumps(run_baseline(path)))
        return
    if mode == "floor":
        print(json.dumps(run_floor(path)))
        return
    if profile:
        import cProfile
        import io
        import pstats

        # CPU time, not wall time: on a shared machine the wall clock mostly measures the neighbours.
        profiler = cProfile.Profile(time.process_time)
        result = profiler.runcall(run_import, path, postgres)
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
        result["profile"] = text.getvalue()
    else:
        result = run_import(path, postgres)
    print(json.dumps(result))


def in_child(mode: str, path: Path, profile: bool = False, postgres: str | None = None) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--file", str(path)] + (["--profile"] if profile else [])
    if postgres:
        command += ["--postgres", postgres]
    done = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    if done.returncode:
        sys.exit(f"{mode} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def fresh_postgres(url: str):
    """A new, empty database on URL's server for one run, dropped afterwards: URL's own data is never touched."""
    import psycopg

    parts = urlsplit(url)
    name = f"touchbase_bench_import_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _print_import(label: str, imported: dict, baseline: dict) -> None:
    report = imported["report"]
    print(f"{label}: {imported['seconds']:6.1f} s wall = {imported['seconds'] / baseline['seconds']:.2f} x baseline; "
          f"CPU {imported['cpu_main']:.1f} s writer + {imported['cpu_reader']:.1f} s reader"
          + (f" + {imported['server_cpu']:.1f} s PostgreSQL backend" if imported.get("server_cpu") is not None else ""))
    print(f"  peak memory of the import process: {imported['peak_rss_mb']:.0f} MB "
          f"(of which {imported['rss_before_mb']:.0f} MB before the import: Python, Django, migrations; "
          f"includes a {imported['cache_mb']} MB SQLite page cache on SQLite); "
          + (f"forked reader: {imported['reader_peak_rss_mb']:.0f} MB" if imported["reader_peak_rss_mb"]
             else "no forked reader (small file)"))
    print(f"  report: rows {report['rows']:,} = created {report['created']:,} + updated {report['updated']:,} "
          f"+ unchanged {report['unchanged']:,} + rejected {report['rejected']:,}; "
          f"companies created {report['companies_created']:,}; tiers {report['tiers']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="write the CSV into this folder and keep it (reused if there)")
    parser.add_argument("--profile", action="store_true", help="print the import's top functions by own CPU time")
    parser.add_argument("--postgres", metavar="URL", help="also import into a fresh database on this server")
    parser.add_argument("--child", choices=["import", "baseline", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    if args.child:
        child(args.child, args.file, args.profile, args.postgres)
        return

    folder = args.keep or Path(tempfile.mkdtemp(prefix="touchbase-bench-leads-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"people-{args.rows}.csv"
    if args.keep and path.exists():
        print(f"reusing {path} ({path.stat().st_size / 1e6:.0f} MB)")
    else:
        started = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {args.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - started:.1f} s: {path}")

    load = os.getloadavg()
    baseline = in_child("baseline", path)
    floor = in_child("floor", path)
    imported = in_child("import", path, args.profile)
    print(f"load average before the runs: {', '.join(f'{x:.1f}' for x in load)}, after: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores "
          "(other work on the machine stretches wall times; CPU seconds are steadier)")
    print(f"baseline  csv.reader + executemany, unique email index: {baseline['seconds']:6.1f} s wall, "
          f"{baseline['cpu']:5.1f} s CPU ({baseline['rows']:,} rows kept, peak RSS {baseline['peak_rss_mb']:.0f} MB)")
    print(f"floor     the same people and companies, clean, into touchbase's tables, nothing else: "
          f"{floor['seconds']:6.1f} s wall = {floor['seconds'] / baseline['seconds']:.2f} x baseline "
          f"(insert {floor['insert']:.1f} s, indexes {floor['indexes']:.1f} s, commit {floor['commit']:.1f} s; "
          f"{floor['rows']:,} people, {floor['companies']:,} companies)")
    _print_import("touchbase import into SQLite (normalise, dedupe, link, tier)", imported, baseline)
    if args.profile:
        print(imported["profile"])
    if args.postgres:
        with fresh_postgres(args.postgres) as url:
            on_postgres = in_child("import", path, args.profile, url)
        _print_import("touchbase import into PostgreSQL (COPY into staging, then merge)", on_postgres, baseline)
        if args.profile:
            print(on_postgres["profile"])
    print("targets: SQLite import < 20 s, <= 1.5 x baseline, peak memory < 300 MB; PostgreSQL < 30 s")


if __name__ == "__main__":
    main()
