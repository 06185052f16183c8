"""Turn the readable phrase lists in `phrases.py` into compiled regexes.

A phrase is written the way a seller would say it, with a little notation:

- `[a/b]`   one of these is required (each choice may be several words)
- `(a/b)`   one of these, or nothing
- `…`       a gap of one to six words
- `'`       matches a straight or a curly apostrophe

Matching ignores case and runs of whitespace, and stops at word edges, so
"just" never matches inside "adjust".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_TOKEN = re.compile(r"\[[^\]]*\]|\([^)]*\)|…|[^\s\[(]+")
_GAP = r"(?:\s+\S+){1,6}?"


def _words(text: str) -> str:
    parts = [re.escape(word).replace("'", "['’]") for word in text.split()]
    return r"\s+".join(parts)


def _choices(inner: str) -> str:
    return "(?:" + "|".join(_words(choice) for choice in inner.split("/")) + ")"


def phrase_regex(phrase: str) -> str:
    """The regex source for one phrase, without word-edge guards."""
    out, started = "", False
    for token in _TOKEN.findall(phrase):
        if token == "…":
            out += _GAP
        elif token.startswith("("):
            piece = _choices(token[1:-1])
            out += f"(?:\\s+{piece})?" if started else f"(?:{piece}\\s+)?"
        else:
            piece = _choices(token[1:-1]) if token.startswith("[") else _words(token)
            out += (r"\s+" if started else "") + piece
            started = True
    return out


def compile_phrases(phrases: Iterable[str] | Mapping[str, str]) -> re.Pattern[str]:
    """One alternation over all phrases; `match.lastgroup` names the phrase as `p<index>`."""
    alternatives = [f"(?P<p{index}>{phrase_regex(p)})" for index, p in enumerate(phrases)]
    return re.compile(r"(?<![\w'’])(?:" + "|".join(alternatives) + r")(?![\w'’])", re.IGNORECASE)


def matched_phrase(match: re.Match[str], phrases: Iterable[str] | Mapping[str, str]) -> str:
    """The phrase (as written in the list) that produced this match."""
    return list(phrases)[int(match.lastgroup[1:])]
