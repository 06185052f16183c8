"""How fast the coach reviews: median and p99 per email over 10,000 realistic emails.

    .venv/bin/python bench/coach_speed.py [--emails 10000] [--seed 7]

Emails of 50–300 words are built deterministically from a seed out of the
parts sellers write (greetings, openers, claims, asks, reasons, closings,
signatures, quoted history), across every kind. Prints figures; asserts
nothing (timing belongs in a bench, not a test). Also times the whole
`--jsonl` process over the same emails, through both entry points:
`python -m touchbase.coach` (no Django) and the `touchbase coach` console
script (which sets Django up first). The machine is shared, so each figure
comes with its CPU time (for a process: its own and its workers') beside the
wall time, and a reference loop says how busy the machine was.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from touchbase.coach import KINDS, review  # noqa: E402

NAMES = ["John", "Priya", "Sam", "Ana", "Tom", "Lee", "Kim", "Omar", "Grace", "Wei", "Sofia", "Dmitri"]
COMPANIES = ["Northwind", "Globex", "Initech", "Acme", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell"]
GREETINGS = [
    "Hi {name},",
    "Hey {name} -",
    "{name},",
    "Hello {name},",
    "Dear {name},",
    "Hi {name}, hope all is well.",
]
OPENERS = [
    "",
    "",
    "",
    "I'm writing to share a quick idea.",
    "I hope this email finds you well.",
    "My name is Dana and I run sales at Acme.",
    "I just wanted to reach out.",
    "Saw you're opening the Reno site.",
    "Congrats on the Series B.",
    "Noticed {company} is hiring ten reps this quarter.",
]
CLAIMS = [
    "Teams like yours usually lose two weeks of ramp to tool setup.",
    "We help revenue teams close their books in three days instead of nine.",
    "Our customers cut onboarding time by 40% in the first quarter.",
    "{company} could probably save a few hours a week per rep on admin work.",
    "Most sales leaders we talk to say forecasting is the hardest part of the job.",
    "The comprehensive implementation methodology facilitates significantly accelerated organizational transformation.",
    "We integrate with Salesforce, HubSpot and Pipedrive, sync every call and email automatically, and give "
    "each manager a weekly view of which deals moved and which stalled and why.",
    "Last month we shipped a Reno integration that your team asked about at the summit.",
    "It is honestly an amazing, revolutionary product and the team is incredibly excited!",
    "A CFO asked me: 'Why does close take ten days?' We got it down to three.",
    "Maybe it is a bit early, but I think there is a fit.",
    "Your competitors at {company} moved to a weekly forecast call last year.",
    "The report covers 300 deals and the ones with a mutual plan closed twice as often.",
    "Reps at {company} spend about six hours a week updating the CRM by hand.",
    "Your Denver team hit quota two quarters in a row, which is rare in this market.",
    "We looked at how fifty SaaS teams run pipeline reviews and wrote up what the best ones do.",
    "The short version: they review evidence, not stages, and they do it every Monday.",
    "One customer moved from a monthly forecast to a weekly one and cut slippage by half.",
    "Procurement adds eleven days to the average enterprise deal, so plan for it early.",
    "Most new managers inherit a pipeline they did not build and a target they did not set.",
    "Our onboarding takes one afternoon and your admins keep full control of permissions.",
    "Pricing is per seat with no platform fee, and you can cancel any month.",
    "Security reviews usually take a week; we have SOC 2 Type II and a filled-in questionnaire ready.",
    "The integration reads your calendar, so nobody has to log meetings by hand anymore.",
    "A quick note on timing: our Q3 pilot slots fill up by the end of June.",
    "We work with teams from ten reps to two hundred, mostly in B2B software and logistics.",
    "The playbook we share with customers has scripts, a one-pager and the difficult questions.",
    "Last quarter the median customer added 18% to pipeline without adding headcount.",
    "Happy to share the study if it is useful for your planning.",
    "I read your post about hiring your first sales manager and agreed with most of it.",
]
ASKS = [
    "Worth a call Thursday?",
    "Have 5 mins to chat this week?",
    "Are you the right person for payroll?",
    "Could you send me the current vendor list?",
    "Let me know if a ramp plan would help.",
    "Free Tuesday at 2 or Wednesday at 10?",
    "Grab a time here: https://calendly.com/dana/30min",
    "Would you be open to a pilot next month?",
    "Any thoughts?",
]
REASONS = [
    "",
    "",
    "Have a board meeting coming up.",
    "Need to lock budget before the 15th.",
    "Since you're opening the Reno site, timing seems right.",
    "because I'd like to talk with you.",
]
CLOSINGS = [
    "Thx.",
    "Thanks,\nDana",
    "Best,\nDana",
    "Kind regards,\nDana",
    "Cheers,\nDana",
    "Sincerely,\nDana Reyes",
]
SIGNATURES = [
    "",
    "",
    "\n\n-- \nDana Reyes\nVP Sales, Acme\n+1 415 555 0100",
    "\n\nDana Reyes\nHead of Sales | Acme\ndana@acme.com",
]
HISTORY = (
    "\n\n---------- Forwarded message ---------\nFrom: Dana Reyes <dana@acme.com>\nDate: Mon, Jun 2, 2025\n"
    "Subject: Reno\nTo: {name} <{name}@{company}.com>\n\n"
)
SUBJECTS = [
    "Reno launch",
    "Quick idea for {company}",
    "Re: pricing",
    "Fwd: Reno",
    "",
    "Ramp plan for your new reps in Reno",
]


def email(rng: random.Random) -> dict[str, str]:
    """One realistic email of 50–300 own words."""
    name, company = rng.choice(NAMES), rng.choice(COMPANIES)
    kind = rng.choice(KINDS)
    target = rng.randint(50, 300)
    parts = [rng.choice(GREETINGS), rng.choice(OPENERS)]
    claims = rng.sample(CLAIMS, len(CLAIMS))
    while claims and sum(len(p.split()) for p in parts) < target - 15:
        parts.append(claims.pop())
        if rng.random() < 0.3:
            parts.append("\n\n")
    parts += [rng.choice(ASKS), rng.choice(REASONS), "\n\n" + rng.choice(CLOSINGS)]
    body = " ".join(p for p in parts if p).format(name=name, company=company)
    body += rng.choice(SIGNATURES)
    if kind in ("follow_up", "reply") and rng.random() < 0.8:
        body += HISTORY.format(name=name, company=company) + " ".join(rng.choice(CLAIMS) for _ in range(4))
    if rng.random() < 0.1:
        body = "<p>" + body.replace("\n\n", "</p><p>").replace("\n", "<br>") + "</p>"
    return {"kind": kind, "subject": rng.choice(SUBJECTS).format(company=company), "body": body}


def _reference_ms() -> float:
    """CPU time of a fixed pure-Python loop, best of five, so figures from a busy machine can be read."""
    best = float("inf")
    for _ in range(5):
        started = time.thread_time_ns()
        sum(len(str(i)) for i in range(200_000))
        best = min(best, (time.thread_time_ns() - started) / 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    emails = [email(rng) for _ in range(args.emails)]
    for item in emails[:200]:  # warm caches and lazily compiled patterns
        review(item["body"], item["subject"], item["kind"])
    reference = _reference_ms()
    wall, cpu = [], []
    for item in emails:
        started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
        review(item["body"], item["subject"], item["kind"])
        cpu.append((time.thread_time_ns() - started_cpu) / 1e6)
        wall.append((time.perf_counter_ns() - started) / 1e6)
    words = statistics.median(len(item["body"].split()) for item in emails)
    print(
        f"review() over {len(emails):,} emails (median {words:.0f} words as given, seed {args.seed}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    print(
        f"  reference loop (a fixed pure-Python workload, to compare machines and loads): {reference:.1f} ms"
    )
    for label, times in (("wall", wall), ("cpu ", cpu)):
        times.sort()
        print(
            f"  {label}: median {statistics.median(times):.3f} ms   p99 {times[int(len(times) * 0.99) - 1]:.3f} ms"
            f"   max {times[-1]:.3f} ms   mean {statistics.fmean(times):.3f} ms"
        )
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as handle:
        for number, item in enumerate(emails):
            handle.write(json.dumps({"id": number, **item}) + "\n")
    console_script = Path(sys.executable).with_name("touchbase")
    commands = {"python -m touchbase.coach --jsonl": [sys.executable, "-m", "touchbase.coach", "--jsonl"]}
    if console_script.exists():
        commands["touchbase coach --jsonl"] = [str(console_script), "coach", "--jsonl"]
    outputs = []
    for label, command in commands.items():
        wall, cpu, done = _run_batch(command, Path(handle.name))
        outputs.append(done.stdout)
        print(
            f"  {label} over {len(emails):,} emails: {wall:.2f} s wall, {cpu:.2f} s CPU, for the whole process "
            f"({len(done.stdout.splitlines()):,} lines out, exit {done.returncode})"
        )
    Path(handle.name).unlink()
    if len(set(outputs)) > 1:
        print("  the two entry points wrote different output")


def _run_batch(command: list[str], path: Path) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall and CPU seconds (user + system, the process and the workers it reaped) of one batch run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open(path) as lines:
        done = subprocess.run(
            command, stdin=lines, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent
        )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done


if __name__ == "__main__":
    main()
