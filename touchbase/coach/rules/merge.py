"""`merge.unfilled`: sending "Hi {{first_name}}" ends the relationship.

A template field left in, in the subject or the body: `{{…}}`, `{first_name}`,
`[First Name]`, `[COMPANY NAME]`, `%FIRSTNAME%`, `*|FNAME|*`, `<company>`.
Not code, footnotes like `[1]`, percentages, `<https://…>` or `<name@domain>`.
"""

from __future__ import annotations

import re
from itertools import islice

from ..draft import Draft, Hit
from ..phrases import FIELD_WORDS, HTML_TAGS
from .registry import rule

_FIELD_WORDS = frozenset(FIELD_WORDS.split())
# A pasted log can hold a million brackets; the first thousands say whether fields were left in.
MAX_FIELDS = 200
MAX_CANDIDATES = 5_000
_HTML_TAGS = frozenset(HTML_TAGS.split())
# One pattern per opening character, each run only when that character is in the text.
_CANDIDATES = {
    "{": re.compile(r"[$#]?\{\{\s*[^{}\n]{1,60}?\s*\}\}|[$#]?\{[^{}\n]{1,40}\}"),
    "[": re.compile(r"\[[^\[\]\n]{1,40}\](?!\()"),
    "%": re.compile(r"%[A-Za-z][A-Za-z0-9_.]{1,30}%"),
    "*|": re.compile(r"\*\|[A-Za-z0-9_:]{1,30}\|\*"),
    "<": re.compile(r"<[^<>\n]{1,40}>"),
}
_NAME_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9 _.\-]*$")
_SPLIT_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_FENCE = re.compile(r"```.*?(?:```|\Z)|`[^`\n]*`", re.DOTALL)
# Code has punctuation prose lacks: a trailing ; or {, an assignment, a call, an arrow or a comparison.
_CODE_LINE = re.compile(
    r"^(?: {4}|\t)|[;{]\s*$|\b(?:def|function|const|var|lambda)\s+\w|console\.log|=>|==|!=|\w\s*=\s*\S|\w\([^)]*\)"
)


def _field_words(name: str) -> list[str]:
    return [w.lower() for w in _SPLIT_WORDS.findall(name)]


def _is_field(token: str) -> bool:
    if token.startswith("{{") or token.startswith("*|") or token.startswith("%"):
        return True
    inner = token.lstrip("$#")[1:-1].strip()
    if not _NAME_LIKE.match(inner):
        return False
    words = _field_words(inner)
    if not words:
        return False
    has_field_word = any(w in _FIELD_WORDS for w in words)
    if token.startswith("<"):
        # In plain text a name in angle brackets is a placeholder, unless it is an HTML tag.
        return inner.lower() not in _HTML_TAGS and len(inner.split()) <= 3
    if token.startswith("["):
        shouted = inner.isupper() and (len(inner.split()) > 1 or "_" in inner)
        return has_field_word or shouted
    return has_field_word or "_" in inner or len(inner.split()) == 1


def _in_code(text: str, start: int, code_spans: list[tuple[int, int]]) -> bool:
    if any(s <= start < e for s, e in code_spans):
        return True
    # The line around the field, at most 200 characters each way (a pasted log may be one long line).
    line_start = text.rfind("\n", max(0, start - 200), start) + 1 or max(0, start - 200)
    line_end = text.find("\n", start, start + 200)
    line = text[line_start : min(len(text), start + 200) if line_end < 0 else line_end]
    return bool(_CODE_LINE.search(line))


def field_spans(text: str, ranges: list[tuple[int, int]]) -> list[tuple[tuple[int, int], str]]:
    """Template fields left in `text` within `ranges` (code samples excluded)."""
    patterns = [pattern for opening, pattern in _CANDIDATES.items() if opening in text]
    if not patterns:
        return []
    code = [(m.start(), m.end()) for m in _FENCE.finditer(text)] if "`" in text else []
    found = []
    for start, end in ranges:
        for pattern in patterns:
            for match in islice(pattern.finditer(text, start, end), MAX_CANDIDATES):
                token = match.group()
                if _is_field(token) and not _in_code(text, match.start(), code):
                    found.append(((match.start(), match.end()), token))
                    if len(found) >= MAX_FIELDS:
                        return sorted(found)
    found.sort()
    return found


def _value(token: str, draft: Draft) -> str:
    """The value the field stands for, where the context gives it ("" when unknown)."""
    words = _field_words(token)
    first_name = str(draft.context.get("first_name") or "")
    company = str(draft.context.get("company") or "")
    if first_name and ("first" in words or "fname" in words or "firstname" in words or words == ["name"]):
        return first_name
    if company and any(w in ("company", "companyname", "organization", "org", "account") for w in words):
        return company
    return ""


def _hit(field: str, start: int, end: int, token: str, draft: Draft) -> Hit:
    message = f"{token} is a template field left in: sending “Hi {{{{first_name}}}}” ends the relationship."
    value = _value(token, draft)
    if not value:
        return Hit(field, start, end, message, f"Replace {token} with the real value, or delete it.")
    return Hit(field, start, end, message, f"Replace {token} with “{value}”.", (start, end, value))


@rule("merge.unfilled", "error")
def template_field_left_in(draft: Draft):
    if draft.context.get("template"):
        return
    if draft.subject is not None:
        for (start, end), token in field_spans(draft.subject.text, [(0, len(draft.subject.text))]):
            yield _hit("subject", start, end, token, draft)
    for (start, end), token in field_spans(draft.body.text, draft.parts.sent):
        yield _hit("body", start, end, token, draft)
