"""Per-rule precision and recall of the email coach on its labelled development set.

    .venv/bin/python bench/coach_eval.py [--set FILE ...] [--show]

By default it reads every labelled set in tests/coach/: `devset.jsonl` (the
rules were tuned on it), then `devset_fresh.jsonl` and `devset_fresh2.jsonl`,
each written before the coach had seen it (their first scores are kept in the
commit log as the honest figures; the rules were tuned on them after).

Each line of a set is a realistic email, `{"id", "kind", "subject", "body",
"expect"}`, where `expect` lists every rule id that should fire on it. A rule
counts once per email (fired or not). Targets: precision >= 0.9 and recall
>= 0.85 per rule, precision >= 0.97 for error-severity rules. `--show` prints
each miss and false alarm with the email, to tune rules or fix a label.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from touchbase.coach import RULES, review  # noqa: E402

PRECISION, RECALL, ERROR_PRECISION = 0.9, 0.85, 0.97


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(emails: list[dict]) -> tuple[Counter, Counter, Counter, list[tuple[str, str, str]]]:
    true_pos, false_pos, false_neg = Counter(), Counter(), Counter()
    misses = []
    for email in emails:
        fired = review(email["body"], email["subject"], email["kind"]).rules()
        expected = set(email["expect"])
        for rule in fired & expected:
            true_pos[rule] += 1
        for rule in fired - expected:
            false_pos[rule] += 1
            misses.append(("false alarm", rule, email["id"]))
        for rule in expected - fired:
            false_neg[rule] += 1
            misses.append(("missed", rule, email["id"]))
    return true_pos, false_pos, false_neg, misses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, action="append", help="a labelled JSONL set (repeatable)")
    parser.add_argument("--show", action="store_true", help="print each miss and false alarm")
    args = parser.parse_args()
    sets = args.set or sorted((ROOT / "tests" / "coach").glob("devset*.jsonl"))
    emails = []
    for path in sets:
        some = load(path)
        tp, fp, fn, _ = evaluate(some)
        hits, alarms, missed = sum(tp.values()), sum(fp.values()), sum(fn.values())
        print(
            f"{path.name}: {len(some)} emails, precision {hits / max(hits + alarms, 1):.2f}, "
            f"recall {hits / max(hits + missed, 1):.2f} over all rules"
        )
        emails += some
    true_pos, false_pos, false_neg, misses = evaluate(emails)
    kinds = Counter(email["kind"] for email in emails)
    print(f"\n{len(emails)} labelled emails ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})\n")
    print(f"{'rule':22} {'severity':8} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7}")
    below = []
    for rule_id, rule in RULES.items():
        tp, fp, fn = true_pos[rule_id], false_pos[rule_id], false_neg[rule_id]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        wanted = ERROR_PRECISION if rule.severity == "error" else PRECISION
        flag = ""
        if precision < wanted or recall < RECALL:
            flag = "  below target"
            below.append(rule_id)
        print(f"{rule_id:22} {rule.severity:8} {tp:4} {fp:4} {fn:4} {precision:9.2f} {recall:7.2f}{flag}")
    total_tp, total_fp, total_fn = sum(true_pos.values()), sum(false_pos.values()), sum(false_neg.values())
    print(
        f"\n{'all rules':31} {total_tp:4} {total_fp:4} {total_fn:4} "
        f"{total_tp / max(total_tp + total_fp, 1):9.2f} {total_tp / max(total_tp + total_fn, 1):7.2f}"
    )
    if args.show:
        by_id = {email["id"]: email for email in emails}
        for what, rule, email_id in sorted(misses, key=lambda m: (m[1], m[0], m[2])):
            email = by_id[email_id]
            print(
                f"\n{what}: {rule} on {email_id} ({email['kind']}, subject {email['subject']!r})\n  {email['body'][:300]!r}"
            )
    print(f"\nbelow target: {', '.join(below) if below else 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
