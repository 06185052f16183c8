"""Tell the seller's own words apart from quoted history and the signature.

Only the own text is counted for length, asks and tone: a forwarded
original, an "On … wrote:" quote, `>` lines, an Outlook or Apple Mail
forward and a signature block are what the seller did not write now. A
closing such as "Thanks,\\nDana" stays own text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from .patterns import compile_phrases
from .phrases import FORMAL_SIGNOFFS, PLAIN_SIGNOFFS
from .text import subtract

_HISTORY = re.compile(
    r"^[ \t]*(?:"
    r"-{2,}[ \t]*(?:Forwarded message|Original Message)[ \t]*-{2,}"
    r"|Begin forwarded message:"
    r"|On\b[^\n]{0,300}?(?:\n[^\n]{0,300}?){0,2}?\bwrote:[ \t]*$"
    r"|Le\b[^\n]{0,300}?a écrit[ \t]?:"
    r"|Am\b[^\n]{0,300}?schrieb[^\n]{0,200}:"
    r"|_{10,}[ \t]*\n[ \t]*\*?From:"
    r"|\*?From:\*?[ \t]+\S[^\n]{0,300}(?:\n[^\n]{0,300}){0,2}?\n[ \t]*\*?(?:Sent|Date):"
    r"|\*?From:\*?[ \t]+[^\n]{1,300}?\bSent:[^\n]{1,300}?\bTo:"
    r")",
    re.MULTILINE | re.IGNORECASE,
)
_HISTORY_MARKERS = ("wrote:", "forwarded", "original message", "from:", "a écrit", "schrieb")
_FORWARDED_SUBJECT = re.compile(r"^[ \t]*\*?Subject:\*?[ \t]*(\S[^\n]*)", re.MULTILINE | re.IGNORECASE)
_QUOTE_HINT = re.compile(r"\n[ \t]*>")
_QUOTE_LINE = re.compile(r"^[ \t]*>[^\n]*(?:\n|$)", re.MULTILINE)
_SIG_DASHES = re.compile(r"^(?:-- ?|—|__)[ \t]*$", re.MULTILINE)
_SENT_FROM = re.compile(
    r"^[ \t]*(?:Sent from my \w+|Sent from (?:Outlook|Mail|Gmail)|Get Outlook for \w+)[^\n]*$",
    re.MULTILINE | re.IGNORECASE,
)

_CLOSING_LINE = re.compile(
    r"^[ \t]*"
    + compile_phrases([*PLAIN_SIGNOFFS, *FORMAL_SIGNOFFS]).pattern
    + r"[ \t]*[,.!—-]*(?:[ \t]*[A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*){0,2})?[ \t]*$",
    re.IGNORECASE,
)
_PHONE = re.compile(r"\+?\(?\d[\d\s().-]{6,}\d")
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URL = re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|io|co|ai|net|org|app|dev|so|xyz)\b", re.IGNORECASE)
_TITLE = re.compile(
    r"\b(?:CEO|CTO|CFO|COO|CRO|CMO|VP|SVP|EVP|Founder|Co-?founder|Head of|Director|Manager|"
    r"Account Executive|AE|SDR|BDR|Partner|President|Lead|Engineer|Sales|Marketing|Growth|"
    r"Customer Success|Officer|Owner|Principal|Consultant|Inc\.?|LLC|Ltd\.?|GmbH|Corp\.?)\b"
)
_NAME_LINE = re.compile(r"^[ \t]*[A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*){0,3}[ \t]*$")
_MAX_SIGNATURE_LINES = 8


@dataclass
class Parts:
    """Where the own text, the signature and the history lie in a field's text."""

    own: list[tuple[int, int]]
    sent: list[tuple[int, int]]
    history_start: int
    has_history: bool
    forwarded_subject: str


def split(text: str, quoted_ranges: list[tuple[int, int]] | None = None) -> Parts:
    """Find the own text (and what else is sent) in a field's working text."""
    low = text.lower()
    # Cheap substring checks first: most drafts hold no quote, forward or signature marker at all.
    history = _HISTORY.search(text) if any(marker in low for marker in _HISTORY_MARKERS) else None
    history_start = history.start() if history else len(text)
    quoted = (
        [(m.start(), m.end()) for m in _QUOTE_LINE.finditer(text, 0, history_start)]
        if (text.lstrip(" \t").startswith(">") or _QUOTE_HINT.search(text))
        else []
    )
    quoted = _merge(quoted + [r for r in quoted_ranges or [] if r[0] < history_start])
    forwarded = _FORWARDED_SUBJECT.search(text, history_start) if history else None

    dashes = (
        _SIG_DASHES.search(text, 0, history_start) if ("--" in text or "—" in text or "__" in text) else None
    )
    sent_from = (
        _SENT_FROM.search(text, 0, history_start) if ("sent from" in low or "get outlook" in low) else None
    )
    own_end = (
        min(m.start() for m in (dashes, sent_from, history) if m)
        if (dashes or sent_from or history)
        else len(text)
    )
    own = _without(text, [(0, own_end)], quoted)
    own = _trim(text, _without(text, own, [_trailing_signature(text, own)]))
    sent = _trim(text, _without(text, [(0, history_start)], quoted))
    return Parts(
        own=own,
        sent=sent,
        history_start=history_start,
        has_history=bool(history or quoted),
        forwarded_subject=forwarded.group(1).strip() if forwarded else "",
    )


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _without(text: str, ranges: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return subtract(ranges, [hole for hole in holes if hole[1] > hole[0]])


def _trim(text: str, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop leading and trailing whitespace of the whole own text."""
    ranges = [r for r in ranges if text[r[0] : r[1]].strip()]
    if not ranges:
        return []
    first_start, first_end = ranges[0]
    first_start += len(text[first_start:first_end]) - len(text[first_start:first_end].lstrip())
    ranges[0] = (first_start, first_end)
    last_start, last_end = ranges[-1]
    last_end -= len(text[last_start:last_end]) - len(text[last_start:last_end].rstrip())
    ranges[-1] = (last_start, last_end)
    return ranges


def _trailing_signature(text: str, own: list[tuple[int, int]]) -> tuple[int, int]:
    """A short trailing block of name, title, phone, email or site lines, if there is one."""
    if not own:
        return (0, 0)
    # Read lazily: the walk up from the last line usually stops at the first or second line.
    lines = islice(_lines_upwards(text, own), _MAX_SIGNATURE_LINES * 2 + 1)
    block: list[tuple[int, int]] = []
    evidence = False
    above = ""
    # A block with nothing above it is the whole message, not a signature under it.
    has_above = False
    for line_start, line_end in lines:
        line = text[line_start:line_end].strip()
        if not line:
            if block and evidence:
                has_above = True
                break
            continue
        if _CLOSING_LINE.match(line) or not _signature_like(line) or len(block) >= _MAX_SIGNATURE_LINES:
            above, has_above = line, True
            break
        block.append((line_start, line_end))
        evidence = evidence or _is_contact(line)
    if not block or not evidence or not has_above:
        return (0, 0)
    top_start, top_end = block[-1]
    if (
        above
        and _CLOSING_LINE.match(above)
        and _NAME_LINE.match(text[top_start:top_end])
        and not _is_contact(text[top_start:top_end])
    ):
        block.pop()
        if not block:
            return (0, 0)
    return (block[-1][0], block[0][1])


def _lines_upwards(text: str, own: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The own text's lines as (start, end), from the last one up."""
    for start, end in reversed(own):
        position = end
        while position > start:
            line_start = text.rfind("\n", start, position - 1) + 1 if position - 1 > start else start
            line_start = max(line_start, start)
            yield line_start, position
            position = line_start


def _is_contact(line: str) -> bool:
    return bool(_PHONE.search(line) or _EMAIL.search(line) or _URL.search(line) or _TITLE.search(line))


def _signature_like(line: str) -> bool:
    if len(line) > 70 or len(line.split()) > 8 or line.endswith(("?", "!", ":")):
        return False
    if _is_contact(line) or "|" in line or "·" in line:
        return True
    return bool(_NAME_LINE.match(line))
