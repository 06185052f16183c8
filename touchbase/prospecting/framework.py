"""The lead framework as plain Python: criteria, their validation, and a fast scorer.

No Django here beyond ValidationError. Bulk scoring evaluates the same criteria as SQL conditions
(`selectors`); `Scorer` is the plain-Python statement of the rules and computes every score.

A criterion is a dict such as
    {"key": "size", "label": "50 to 1,000 employees", "kind": "in_range", "field": "employee_count",
     "min": 50, "max": 1000, "points": 25}
Kinds:
    in_set         a company field (industry, country, ...) is one of `values` (case-insensitive)
    in_range       a number field (employee_count) is within `min`..`max` (inclusive, either may be null)
    present        a company field is filled in
    answer_yes     a yes/no/unknown qualifier (willing_to_be_measured) is "yes"
    title_words    one of the company's people has a title containing one of `words` ("vp", "head of")
    has_tag        the company carries one of `tags` (a seller's labels on its qualifier: "partner")
    custom_value   a custom field (`field`, e.g. "crm_used") is one of `values` (case-insensitive)
    custom_present a custom field (`field`) is filled in: text that is not blank, a number, true or false
The score is the sum of the points of the criteria met; `tier_a_min` and `tier_b_min` turn it
into A, B or C.
"""

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError

# The order of the values in a company row handed to `Scorer.score`; the selector streams them so.
COMPANY_COLUMNS = ("name", "domain", "website", "industry", "employee_count", "country", "notes",
                   "willing_to_be_measured", "tags", "custom")
TEXT_FIELDS = ("name", "domain", "website", "industry", "country", "notes")
NUMBER_FIELDS = ("employee_count",)
ANSWER_FIELDS = ("willing_to_be_measured",)
KINDS = ("in_set", "in_range", "present", "answer_yes", "title_words", "has_tag", "custom_value",
         "custom_present")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# A custom field's name follows the criterion key rule, so it is safe inside a JSON path in SQL.
CUSTOM_FIELD = _KEY
TAG_MAX = 40
# What a company's qualifier holds at most: the company page (qualifiers) and the import (rows, which
# must not touch the database) check the same limits.
MAX_TAGS = 30
MAX_CUSTOM_FIELDS = 30
CUSTOM_VALUE_MAX = 200
# What "blank" means for custom_present, in Python and in SQL's TRIM alike (Python's strip() alone
# would also strip Unicode spaces, which SQL does not).
BLANK = " \t\n\r"

DEFAULT_CRITERIA = [
    {"key": "industry", "label": "Industry we sell to", "kind": "in_set", "field": "industry",
     "values": ["Software", "SaaS", "Internet", "Financial Services", "Fintech", "Robotics", "Logistics"],
     "points": 25},
    {"key": "size", "label": "50 to 1,000 employees", "kind": "in_range", "field": "employee_count",
     "min": 50, "max": 1000, "points": 25},
    {"key": "country", "label": "A country we serve", "kind": "in_set", "field": "country",
     "values": ["US", "CA", "GB", "IE", "DE", "FR", "NL"], "points": 15},
    {"key": "senior_contact", "label": "We know a senior contact", "kind": "title_words",
     "words": ["ceo", "founder", "cto", "coo", "cfo", "chief", "vp", "vice president", "head of", "director"],
     "points": 20},
    {"key": "measured", "label": "Willing to be measured", "kind": "answer_yes", "field": "willing_to_be_measured",
     "points": 15},
]
DEFAULT_TIER_A_MIN = 70
DEFAULT_TIER_B_MIN = 40


# Title words are lower-case letters and digits; in a title, any other character (a space, a
# comma, a slash, an accented letter) separates words. So "vp" matches "VP, Sales" and "SVP/VP"
# but not "MVP", and "head of" matches "Head-of Growth". The SQL conditions (selectors.py) use the
# same regular expression: PostgreSQL's own, and on SQLite `title_words_match` as an SQL function.
_TITLE_WORD = re.compile(r"[a-z0-9]+")


# How a typed line or a list's cell holds several tags ("partner, event-2026", "partner; vip", "a|b").
# A tag never holds one, so tags written to a spreadsheet cell import back as the same tags.
TAG_SEPARATORS = re.compile(r"[,;|]")


def tag_with_separator(tags: Iterable[str]) -> str | None:
    """The first tag that holds a separator, which no stored tag may."""
    return next((t for t in tags if TAG_SEPARATORS.search(t)), None)


def split_tags(text: str) -> tuple[str, ...]:
    """The tags a line or a cell lists, as stored (`tag_text`), each once in the order given."""
    return tuple(dict.fromkeys(t for t in (tag_text(t) for t in TAG_SEPARATORS.split(text)) if t))


def tags_problem(tags: tuple[str, ...] | list[str]) -> str | None:
    """Why a company cannot carry these tags (one too long, too many), or None."""
    long = next((t for t in tags if len(t) > TAG_MAX), None)
    if long:
        return f"tag {long[:50]!r} is longer than {TAG_MAX} characters"
    if len(tags) > MAX_TAGS:
        return f"holds {len(tags)} tags; a company carries at most {MAX_TAGS}"
    return None


def tag_text(tag: str) -> str:
    """A tag as it is stored and matched: trimmed, inner spaces collapsed, lower-case ("  Big  Fish" -> "big fish")."""
    return " ".join(str(tag).split()).lower()


def title_word(word: str) -> str:
    """A title word or phrase as criteria keep it: "Head  of" -> "head of", "C.E.O." -> "c e o"."""
    return " ".join(_TITLE_WORD.findall(word.lower()))


def title_words_regex(words: Iterable[str]) -> str:
    """One regular expression for all of a criterion's title words and phrases, for a lower-cased title,
    in Python, PostgreSQL and SQLite (through `title_words_match`) alike.

    A title is tested once, not once per word: the boundary before a word is looked for once and
    the words are alternatives after it (ten separate patterns cost several times as much).
    """
    alternatives = "|".join("[^a-z0-9]".join(re.escape(part) for part in word.split()) for word in words)
    return f"(^|[^a-z0-9])({alternatives})([^a-z0-9]|$)"


@lru_cache(maxsize=64)
def _title_words_pattern(regex: str) -> re.Pattern:
    # ASCII case folding only, as SQLite's LOWER does: the title needs no lower-casing first.
    return re.compile(regex, re.ASCII | re.IGNORECASE)


def title_words_match(regex: str, title: str | None) -> bool:
    """Whether `title` meets a `title_words_regex`, as SQLite's LOWER(title) would: its SQL function."""
    return title is not None and _title_words_pattern(regex).search(title) is not None


def parse_criteria(criteria: object, tier_a_min: object, tier_b_min: object) -> list[dict]:
    """Validate a framework; return the criteria cleaned up, or raise ValidationError saying where."""
    if not isinstance(criteria, list) or not criteria:
        raise ValidationError({"criteria": "A framework needs at least one criterion."})
    if not isinstance(tier_a_min, int) or not isinstance(tier_b_min, int) or tier_a_min <= tier_b_min:
        raise ValidationError({"tier_a_min": f"The A threshold ({tier_a_min}) must be a whole number above "
                                             f"the B threshold ({tier_b_min})."})
    cleaned, keys = [], set()
    for n, raw in enumerate(criteria, start=1):
        where = f"Criterion {n}"
        if not isinstance(raw, dict):
            raise ValidationError({"criteria": f"{where} is not a criterion."})
        key = str(raw.get("key", "")).strip()
        if not _KEY.match(key):
            raise ValidationError({"criteria": f"{where}: key {key!r} must be lower-case letters, digits or _."})
        if key in keys:
            raise ValidationError({"criteria": f"{where}: key {key!r} is used twice."})
        keys.add(key)
        where = f"Criterion {key!r}"
        kind = raw.get("kind")
        if kind not in KINDS:
            raise ValidationError({"criteria": f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}."})
        points = raw.get("points")
        if not isinstance(points, int) or isinstance(points, bool) or not -1000 <= points <= 1000:
            raise ValidationError({"criteria": f"{where}: points must be a whole number from -1000 to 1000."})
        item = {"key": key, "label": str(raw.get("label") or key).strip()[:100], "kind": kind, "points": points}
        field = raw.get("field", "")
        if kind == "in_set":
            if field not in TEXT_FIELDS:
                raise ValidationError({"criteria": f"{where}: field must be one of {', '.join(TEXT_FIELDS)}."})
            values = [str(v).strip() for v in raw.get("values") or [] if str(v).strip()]
            if not values:
                raise ValidationError({"criteria": f"{where}: list at least one value."})
            item.update(field=field, values=values)
        elif kind == "in_range":
            if field not in NUMBER_FIELDS:
                raise ValidationError({"criteria": f"{where}: field must be one of {', '.join(NUMBER_FIELDS)}."})
            low, high = raw.get("min"), raw.get("max")
            for bound in (low, high):
                if bound is not None and (not isinstance(bound, int) or isinstance(bound, bool)):
                    raise ValidationError({"criteria": f"{where}: min and max must be whole numbers or empty."})
            if low is None and high is None:
                raise ValidationError({"criteria": f"{where}: give a min, a max or both."})
            if low is not None and high is not None and low > high:
                raise ValidationError({"criteria": f"{where}: min ({low}) is above max ({high})."})
            item.update(field=field, min=low, max=high)
        elif kind == "present":
            if field not in TEXT_FIELDS + NUMBER_FIELDS:
                raise ValidationError({"criteria": f"{where}: field must be one of "
                                                   f"{', '.join(TEXT_FIELDS + NUMBER_FIELDS)}."})
            item.update(field=field)
        elif kind == "answer_yes":
            if field not in ANSWER_FIELDS:
                raise ValidationError({"criteria": f"{where}: field must be one of {', '.join(ANSWER_FIELDS)}."})
            item.update(field=field)
        elif kind == "title_words":
            words = [w for w in (title_word(str(w)) for w in raw.get("words") or []) if w]
            if not words:
                raise ValidationError({"criteria": f"{where}: list at least one title word, e.g. vp or head of."})
            item.update(words=words)
        elif kind == "has_tag":
            tags = list(dict.fromkeys(t for t in (tag_text(t) for t in _listed(raw.get("tags"))) if t))
            if not tags:
                raise ValidationError({"criteria": f"{where}: list at least one tag, e.g. partner."})
            long = next((t for t in tags if len(t) > TAG_MAX), None)
            if long:
                raise ValidationError({"criteria": f"{where}: tag {long[:50]!r} is longer than {TAG_MAX} characters."})
            split = tag_with_separator(tags)
            if split:
                raise ValidationError({"criteria": f"{where}: tag {split[:50]!r} holds a , ; or |, which separate "
                                                   "tags; list them as separate tags."})
            item.update(tags=tags)
        elif kind in ("custom_value", "custom_present"):
            field = str(field).strip()
            if not CUSTOM_FIELD.match(field):
                raise ValidationError({"criteria": f"{where}: field {field!r} must name a custom field: lower-case "
                                                   "letters, digits or _, e.g. crm_used."})
            item.update(field=field)
            if kind == "custom_value":
                values = [str(v).strip() for v in _listed(raw.get("values")) if str(v).strip()]
                if not values:
                    raise ValidationError({"criteria": f"{where}: list at least one value of custom field "
                                                       f"{field!r}."})
                item.update(values=values)
        cleaned.append(item)
    return cleaned


def _listed(value) -> list:
    """A criterion's list; a lone string is a list of one (so "tags": "partner" is not read letter by letter)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value) if isinstance(value, list | tuple) else [value]


@dataclass(frozen=True)
class Fit:
    score: int
    tier: str
    met: tuple[str, ...]
    missed: tuple[str, ...]
    met_json: str
    missed_json: str


def _filled_in(value) -> bool:
    """Whether a custom field's stored JSON value counts as filled in: text not blank, a number, true or false.

    A nested object or list, null and a missing field do not (selectors states the same in SQL).
    """
    if isinstance(value, str):
        return value.strip(BLANK) != ""
    return isinstance(value, bool | int | float)


def _company_check(item: dict) -> Callable[[tuple], bool]:
    kind = item["kind"]
    if kind == "has_tag":
        i, tags = COMPANY_COLUMNS.index("tags"), frozenset(item["tags"])
        # Exact: tags are stored as `tag_text` makes them, and the SQL compares them as stored.
        return lambda row: isinstance(row[i], list) and not tags.isdisjoint(t for t in row[i] if isinstance(t, str))
    if kind == "custom_value":
        i, name = COMPANY_COLUMNS.index("custom"), item["field"]
        values = frozenset(v.casefold() for v in item["values"])
        return lambda row: (isinstance(row[i], dict) and isinstance(row[i].get(name), str)
                            and row[i][name].casefold() in values)
    if kind == "custom_present":
        i, name = COMPANY_COLUMNS.index("custom"), item["field"]
        return lambda row: isinstance(row[i], dict) and _filled_in(row[i].get(name))
    i = COMPANY_COLUMNS.index(item["field"])
    if kind == "in_set":
        values = frozenset(v.casefold() for v in item["values"])
        return lambda row: bool(row[i]) and row[i].casefold() in values
    if kind == "in_range":
        low = item["min"] if item["min"] is not None else -(2**63)
        high = item["max"] if item["max"] is not None else 2**63
        return lambda row: row[i] is not None and low <= row[i] <= high
    if kind == "present":
        return lambda row: row[i] is not None and row[i] != ""
    return lambda row: row[i] == "yes"


class Scorer:
    """Scores company rows against one framework, in Python.

    Bulk scoring (selectors) evaluates the conditions in SQL and asks `fit_of_mask` for the score,
    tier and why of each combination of criteria met; `score` is the whole rule in Python, the
    reference the tests hold the SQL conditions to.
    """

    def __init__(self, criteria: list[dict], tier_a_min: int, tier_b_min: int):
        self.criteria = criteria
        self.tier_a_min, self.tier_b_min = tier_a_min, tier_b_min
        self.company_checks: list[tuple[int, Callable[[tuple], bool]]] = []
        self.title_checks: list[tuple[int, re.Pattern]] = []
        for bit, item in enumerate(criteria):
            if item["kind"] == "title_words":
                self.title_checks.append((1 << bit, re.compile(title_words_regex(item["words"]))))
            else:
                self.company_checks.append((1 << bit, _company_check(item)))
        self._fits: dict[int, Fit] = {}

    @property
    def needs_titles(self) -> bool:
        return bool(self.title_checks)

    def title_mask(self, title: str) -> int:
        """The bits of the title criteria this one job title meets."""
        if not title:
            return 0
        title = title.lower()
        mask = 0
        for bit, pattern in self.title_checks:
            if pattern.search(title):
                mask |= bit
        return mask

    def titles_mask(self, titles: Iterable[str]) -> int:
        mask = 0
        for title in titles:
            mask |= self.title_mask(title)
        return mask

    def tier_of(self, score: int) -> str:
        if score >= self.tier_a_min:
            return "A"
        return "B" if score >= self.tier_b_min else "C"

    def fit_of_mask(self, mask: int) -> Fit:
        fit = self._fits.get(mask)
        if fit is None:
            met = tuple(c["key"] for bit, c in enumerate(self.criteria) if mask >> bit & 1)
            missed = tuple(c["key"] for bit, c in enumerate(self.criteria) if not mask >> bit & 1)
            score = sum(c["points"] for bit, c in enumerate(self.criteria) if mask >> bit & 1)
            fit = Fit(score, self.tier_of(score), met, missed, json.dumps(met), json.dumps(missed))
            self._fits[mask] = fit
        return fit

    def score(self, row: tuple, title_mask: int = 0) -> Fit:
        """The fit of one company row (values in `COMPANY_COLUMNS` order) given its people's title mask."""
        mask = title_mask
        for bit, check in self.company_checks:
            if check(row):
                mask |= bit
        return self.fit_of_mask(mask)
