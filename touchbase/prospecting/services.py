"""Prospecting use cases: the lead framework, scoring companies into tiers, importing and exporting
lead lists. The pages, the API and the CLI all call these functions.

Scoring is done in bulk: company rows are streamed as tuples (see `selectors.company_batches`),
scored in Python by `framework.Scorer`, and written back with one upsert statement per batch
(`executemany`), never one ORM save per company.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from touchbase.crm.permissions import ensure_can_edit

from .framework import DEFAULT_CRITERIA, DEFAULT_TIER_A_MIN, DEFAULT_TIER_B_MIN, Scorer, parse_criteria
from .models import Answer, Framework, Qualifier
from .selectors import company_batches

TIERS = ("A", "B", "C")


def framework_current() -> Framework:
    """The framework in force (the highest version); the default one is created when there is none."""
    framework = Framework.objects.order_by("-version").first()
    if framework is None:
        with transaction.atomic():
            framework, _ = Framework.objects.get_or_create(
                version=1, defaults={"criteria": DEFAULT_CRITERIA, "tier_a_min": DEFAULT_TIER_A_MIN,
                                     "tier_b_min": DEFAULT_TIER_B_MIN, "note": "The default framework."})
    return framework


def scorer_for(framework: Framework) -> Scorer:
    return Scorer(framework.criteria, framework.tier_a_min, framework.tier_b_min)


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


def _upsert_sql() -> str:
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    return (
        "INSERT INTO prospecting_companyfit (company_id, framework_id, score, tier, met, missed, scored_at) "
        f"VALUES (%s, %s, %s, %s, %s{json_cast}, %s{json_cast}, %s) "
        "ON CONFLICT (company_id) DO UPDATE SET framework_id = excluded.framework_id, score = excluded.score, "
        "tier = excluded.tier, met = excluded.met, missed = excluded.missed, scored_at = excluded.scored_at"
    )


def _score_batches(scorer: Scorer, *, ids: Iterable[int] | None):
    """Yield (rows, fits) per batch, each fit matching its row."""
    for rows, titles in company_batches(ids=ids, with_titles=scorer.needs_titles):
        fits = []
        for row in rows:
            title_mask = scorer.titles_mask(titles[row[0]]) if row[0] in titles else 0
            fits.append(scorer.score(row[1:9], title_mask))
        yield rows, fits


def framework_preview(*, criteria: list[dict], tier_a_min: int, tier_b_min: int) -> TierMoves:
    """How many companies would move between tiers if this framework were saved. Writes nothing."""
    criteria = parse_criteria(criteria, tier_a_min, tier_b_min)
    scorer = Scorer(criteria, tier_a_min, tier_b_min)
    result = TierMoves()
    for rows, fits in _score_batches(scorer, ids=None):
        result.moves.update((row[9], fit.tier) for row, fit in zip(rows, fits, strict=True))
    return result


def companies_rescore(*, framework: Framework | None = None, company_ids: Iterable[int] | None = None) -> TierMoves:
    """Score companies (all of them, or `company_ids`) against a framework and store tier, score and why.

    Rows whose fit is already exactly this one are not rewritten, so re-scoring after an import
    only writes what changed.
    """
    framework = framework or framework_current()
    scorer = scorer_for(framework)
    sql = _upsert_sql()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    result = TierMoves()
    with transaction.atomic(), connection.cursor() as cursor:
        for rows, fits in _score_batches(scorer, ids=company_ids):
            writes = []
            for row, fit in zip(rows, fits, strict=True):
                result.moves[(row[9], fit.tier)] += 1
                if row[10] == framework.pk and row[11] == fit.score and row[12] == fit.met_json:
                    continue
                writes.append((row[0], framework.pk, fit.score, fit.tier, fit.met_json, fit.missed_json, now))
            if writes:
                cursor.executemany(sql, writes)
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
