"""Plain text from a field as given, with a way back to the given offsets.

The coach judges a working copy of each field: HTML reduced to text and
CRLF counted as one newline. Every finding must point into the field as the
seller gave it, so each reduction keeps an `OffsetMap` back to the source.
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass, field

from .phrases import HTML_TAGS


class OffsetMap:
    """Maps positions in a derived string to positions in the string it came from.

    Pieces are `(derived_start, source_start, derived_len, source_len)`; a
    piece whose lengths match is copied text, any other is a replacement (an
    entity, a tag turned into a newline) whose inside maps to its edges.
    """

    __slots__ = ("_pieces", "_starts")

    def __init__(self, pieces: list[tuple[int, int, int, int]] | None = None):
        self._pieces = pieces
        self._starts = [piece[0] for piece in pieces] if pieces else []

    def start(self, pos: int) -> int:
        if not self._pieces:
            return pos
        index = max(bisect.bisect_right(self._starts, pos) - 1, 0)
        d_start, s_start, d_len, s_len = self._pieces[index]
        if d_len == s_len:
            return s_start + min(pos - d_start, s_len)
        return s_start if pos < d_start + d_len else s_start + s_len

    def end(self, pos: int) -> int:
        if not self._pieces:
            return pos
        index = max(bisect.bisect_left(self._starts, pos) - 1, 0)
        d_start, s_start, d_len, s_len = self._pieces[index]
        if d_len == s_len:
            return s_start + min(max(pos - d_start, 0), s_len)
        return s_start + s_len if pos > d_start else s_start


class _Builder:
    """Collects derived text and the pieces that map it back."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pieces: list[tuple[int, int, int, int]] = []
        self.length = 0

    def copy(self, source_start: int, text: str) -> None:
        if text:
            self._add(source_start, text, len(text))

    def replace(self, source_start: int, source_len: int, text: str) -> None:
        if text or source_len:
            self._add(source_start, text, source_len)

    def _add(self, source_start: int, text: str, source_len: int) -> None:
        if not text:
            return
        self.pieces.append((self.length, source_start, len(text), source_len))
        self.parts.append(text)
        self.length += len(text)

    def ends_with(self, suffix: str) -> bool:
        tail = "".join(self.parts[-3:])
        return not tail or tail.endswith(suffix)


_CR = re.compile(r"\r\n?")
_HTML_HINT = re.compile(
    r"<(?:p|br|div|html|body|span|a|b|i|u|strong|em|ul|ol|li|table|tr|td|h[1-6]|blockquote|"
    r"font|head|style|script|img|hr|meta|!doctype)\b[^<>]{0,2000}>",
    re.IGNORECASE,
)
_HTML_TOKEN = re.compile(
    r"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]{0,4000}>|&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});",
    re.DOTALL,
)
_HTML_SPACE = re.compile(r"\s{2,}")
_ONE_SPACE = str.maketrans("\n\r\t\f\v", "     ")
_TAGS = frozenset(HTML_TAGS.split())
_BREAKS = frozenset("br".split())
_BLOCKS = frozenset("p div li tr h1 h2 h3 h4 h5 h6 hr table ul ol blockquote pre center".split())
_SKIPPED = frozenset("style script head title".split())


@dataclass
class Field:
    """One field as given (`raw`) and as judged (`text`)."""

    name: str
    raw: str
    text: str
    offsets: OffsetMap
    quoted_ranges: list[tuple[int, int]] = field(default_factory=list)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        raw_start = self.offsets.start(start)
        raw_end = max(self.offsets.end(end), raw_start)
        return min(raw_start, len(self.raw)), min(raw_end, len(self.raw))


def read_field(name: str, raw: str) -> Field:
    """Reduce HTML to text and CRLF to LF, remembering where each character came from."""
    if _HTML_HINT.search(raw):
        return _read_html(name, raw)
    if "\r" not in raw:
        return Field(name, raw, raw, OffsetMap())
    out = _Builder()
    _copy_text(out, raw, 0, len(raw))
    return Field(name, raw, "".join(out.parts), OffsetMap(out.pieces))


def _copy_text(out: _Builder, raw: str, start: int, end: int) -> None:
    position = start
    for match in _CR.finditer(raw, start, end):
        out.copy(position, raw[position : match.start()])
        out.replace(match.start(), match.end() - match.start(), "\n")
        position = match.end()
    out.copy(position, raw[position:end])


def _read_html(name: str, raw: str) -> Field:
    out = _Builder()
    quoted: list[tuple[int, int]] = []
    quote_depth, quote_start, skipping = 0, 0, ""
    position = 0
    for match in _HTML_TOKEN.finditer(raw):
        closing, tag = match.group(1), (match.group(2) or "").lower()
        if tag and tag not in _TAGS:
            continue
        if not skipping:
            _copy_html_text(out, raw, position, match.start())
        position = match.end()
        if skipping:
            if closing and tag == skipping:
                skipping = ""
            continue
        if not tag:
            if not match.group(0).startswith("<!--"):
                out.replace(match.start(), match.end() - match.start(), html.unescape(match.group(0)))
            continue
        if tag in _SKIPPED and not closing:
            skipping = tag
        elif tag in _BREAKS:
            out.replace(match.start(), match.end() - match.start(), "\n")
        elif tag in _BLOCKS:
            wanted = "\n\n" if tag == "p" and closing else "\n"
            if not out.ends_with(wanted):
                out.replace(match.start(), match.end() - match.start(), "\n")
        if tag == "blockquote":
            if not closing:
                if quote_depth == 0:
                    quote_start = out.length
                quote_depth += 1
            elif quote_depth:
                quote_depth -= 1
                if quote_depth == 0:
                    quoted.append((quote_start, out.length))
    if not skipping:
        _copy_html_text(out, raw, position, len(raw))
    if quote_depth:
        quoted.append((quote_start, out.length))
    return Field(name, raw, "".join(out.parts), OffsetMap(out.pieces), quoted)


def _copy_html_text(out: _Builder, raw: str, start: int, end: int) -> None:
    """HTML text as a browser shows it: a run of whitespace is one space."""
    position = start
    for match in _HTML_SPACE.finditer(raw, start, end):
        out.copy(position, raw[position : match.start()].translate(_ONE_SPACE))
        out.replace(match.start(), match.end() - match.start(), " ")
        position = match.end()
    out.copy(position, raw[position:end].translate(_ONE_SPACE))


@dataclass
class OwnText:
    """The seller's own words: the parts of a field's text the coach counts and judges."""

    text: str
    offsets: OffsetMap
    ranges: list[tuple[int, int]]

    def to_field(self, start: int, end: int) -> tuple[int, int]:
        """A span of the own text as a span of the field's working text."""
        field_start = self.offsets.start(start)
        return field_start, max(self.offsets.end(end), field_start)


def own_text_from(text: str, ranges: list[tuple[int, int]]) -> OwnText:
    ranges = [(start, end) for start, end in ranges if end > start]
    if len(ranges) == 1:
        start, end = ranges[0]
        return OwnText(text[start:end], OffsetMap([(0, start, end - start, end - start)]), ranges)
    pieces, parts, length = [], [], 0
    for start, end in ranges:
        pieces.append((length, start, end - start, end - start))
        parts.append(text[start:end])
        length += end - start
    return OwnText("".join(parts), OffsetMap(pieces or [(0, 0, 0, 0)]), ranges)


def subtract(ranges: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of `ranges` outside `holes` (both sorted, non-overlapping)."""
    result = []
    for start, end in ranges:
        for hole_start, hole_end in holes:
            if hole_end <= start or hole_start >= end:
                continue
            if hole_start > start:
                result.append((start, hole_start))
            start = max(start, hole_end)
            if start >= end:
                break
        if start < end:
            result.append((start, end))
    return result
