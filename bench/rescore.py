"""How fast every company is re-scored after a lead-framework change.

    .venv/bin/python bench/rescore.py [--companies 1000000] [--db PATH]

Builds (or reuses, with --db) a SQLite database of that many companies with varied industries,
sizes, countries and qualifiers (willing to be measured, tags, a custom field) (raw executemany, not
the ORM), scores them once, then times, for a change that reweighs a criterion and adds a tag
criterion (`has_tag`) and a custom field criterion (`custom_value`):
  - the preview of the change (how many companies would move between tiers);
  - saving it (a new version, every company re-scored, tier, score and why written).
Prints the time of each (wall clock, and the CPU time of this process, where SQLite does the
work: on a shared machine the wall clock also counts the waits for other programs), the tier
moves, and the peak memory.

Figures, not asserts. Target (issue 4): re-scoring 1,000,000 companies under 10 s.
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

INDUSTRIES = ["Software", "SaaS", "Logistics", "Retail", "Robotics", "Healthcare", "Construction", "Fintech",
              "Education", "Manufacturing", ""]
COUNTRIES = ["US", "US", "DE", "GB", "FR", "NL", "BR", "IN", "JP", ""]
TAGS = ['[]', '[]', '["partner"]', '["event 2026"]', '["partner", "vip"]', '["churned", "event 2025"]']
CRMS = ['{}', '{}', '{"crm_used": "Salesforce"}', '{"crm_used": "hubspot"}', '{"crm_used": "Pipedrive", "seats": "40"}']


def configure(db: Path | None) -> None:
    home = Path(tempfile.mkdtemp(prefix="touchbase-bench-rescore-"))
    os.environ["TOUCHBASE_HOME"] = str(home)
    if db:
        os.environ["DATABASE_URL"] = f"sqlite:///{db.expanduser().resolve()}"
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "touchbase.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()


def build(companies: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM crm_company")
        have = cursor.fetchone()[0]
    if have >= companies:
        print(f"reusing {have:,} companies")
        return
    rng = random.Random(1)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(have, companies, 50_000):
            rows, answers = [], []
            for i in range(start, min(companies, start + 50_000)):
                rows.append((i + 1, uuid.uuid4().hex, "import", now, now, 0, f"Company {i}", f"company{i}.example",
                             "", rng.choice(INDUSTRIES), rng.choice([None, 5, 20, 60, 150, 400, 900, 3000]),
                             rng.choice(COUNTRIES), ""))
                if i % 3 == 0:
                    answers.append((i + 1, rng.choice(["yes", "no", "unknown"]), rng.choice(TAGS), rng.choice(CRMS)))
            cursor.executemany("INSERT INTO crm_company (id, public_id, source, created_at, updated_at, touch_count, "
                               "name, domain, website, industry, employee_count, country, notes) "
                               "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
            cursor.executemany("INSERT INTO prospecting_qualifier (company_id, willing_to_be_measured, tags, custom) "
                               "VALUES (%s, %s, %s, %s)", answers)
    print(f"built {companies - have:,} companies in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="SQLite file to build into, or to reuse")
    args = parser.parse_args()
    configure(args.db)
    build(args.companies)

    from touchbase.accounts.models import User
    from touchbase.prospecting import services

    manager = User.objects.filter(role="manager").first() or User.objects.create_user(
        "bench-manager@example.com", role="manager")
    framework = services.framework_current()
    started, cpu = time.perf_counter(), time.process_time()
    first = services.companies_rescore(framework=framework)
    print(f"first scoring (every fit row written):   {time.perf_counter() - started:6.1f} s "
          f"({time.process_time() - cpu:.1f} s CPU)  tiers {first.after}")

    # A rerun on a reused database starts from the last run's framework: its bench criteria are added afresh.
    changed = [dict(c, points=c["points"] + 10) if c["key"] == "size" else c for c in framework.criteria
               if not c["key"].startswith("bench_")]
    changed += [{"key": "bench_partner", "label": "Came through a partner", "kind": "has_tag",
                 "tags": ["partner", "event 2026"], "points": 15},
                {"key": "bench_crm", "label": "Runs Salesforce or HubSpot", "kind": "custom_value", "field": "crm_used",
                 "values": ["salesforce", "hubspot"], "points": 5}]
    started, cpu = time.perf_counter(), time.process_time()
    preview = services.framework_preview(criteria=changed, tier_a_min=framework.tier_a_min,
                                         tier_b_min=framework.tier_b_min)
    print(f"preview of a change (nothing written):   {time.perf_counter() - started:6.1f} s "
          f"({time.process_time() - cpu:.1f} s CPU)  {preview.moved:,} companies would move")
    started, cpu = time.perf_counter(), time.process_time()
    saved, moves = services.framework_save(actor=manager, criteria=changed, tier_a_min=framework.tier_a_min,
                                           tier_b_min=framework.tier_b_min, note="bench")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"save v{saved.version} and re-score everything:   {seconds:6.1f} s ({cpu:.1f} s CPU)  {sum(moves.after.values()):,} "
          f"companies, {moves.moved:,} moved, tiers {moves.after}")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print("target: re-scoring 1,000,000 companies < 10 s")


if __name__ == "__main__":
    main()
