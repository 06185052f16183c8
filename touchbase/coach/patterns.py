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


_WORD = re.compile(r"[\w']+")
_WORD_CHAR = re.compile(r"[\w'’]")
# Splitting on whitespace after blanking punctuation is several times faster than a word regex.
_WHITESPACE_TO_SPACE = str.maketrans("\n\r\t\x0b\x0c\u00a0\u2028\u2029", "        ")
_PUNCTUATION_TO_SPACE = str.maketrans({c: " " for c in '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~“”‘«»—–…•·¡¿'})


class Scan:
    """A text read once for phrase matching: lowercased, apostrophes straightened, its set of words.

    Phrase lists run on the lowercased copy with plain literal patterns,
    which Python's regex engine searches far faster than case-insensitive
    alternations; positions stay those of the original text.
    """

    __slots__ = ("text", "low", "tokens", "words")

    def __init__(self, text: str):
        low = text.lower()
        if len(low) != len(text):  # a few letters (İ) grow when lowercased; keep those as written
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        self.text = text
        self.low = low.replace("’", "'").translate(_WHITESPACE_TO_SPACE)
        self.tokens = self.low.translate(_PUNCTUATION_TO_SPACE).split()
        self.words = frozenset(self.tokens)


def _most_words(phrase: str) -> int:
    """The most words a phrase (in the notation above) can match."""
    most = 0
    for token in _TOKEN.findall(phrase):
        if token == "…":
            most += 6
        elif token[:1] in "([":
            most += max(len(choice.split()) for choice in token[1:-1].split("/"))
        else:
            most += 1
    return most


def _expansions(tokens: list[str]) -> list[tuple[str, str, int]]:
    """`(first word, regex of the rest, most words of the rest)` for each way a tokenised phrase can start.

    A pattern that starts with a literal word lets the regex engine jump
    straight to where that word occurs instead of trying every position.
    """
    if not tokens:
        return []
    token, after = tokens[0], tokens[1:]
    if token == "…":
        return []
    grouped = token[:1] in "(["
    variants = []
    for choice in token[1:-1].split("/") if grouped else [token]:
        words = choice.split()
        if not words:
            continue
        rest = " ".join(words[1:] + after)
        rest_regex = phrase_regex(rest) if rest else ""
        # Scan.low has every whitespace character as a plain space, so "word " is a literal prefix
        # the engine can jump between, rather than every place the letters of a short word occur.
        joint = "" if not rest or rest.startswith("…") else r" \s*"
        variants.append((words[0], joint + rest_regex, _most_words(rest)))
    if token.startswith("("):
        variants += _expansions(after)
    return variants


class Phrases:
    """A phrase list matched word-first: only phrases whose first word is in the text are tried.

    One big case-insensitive alternation costs every position of every email
    a try at every phrase; here a list whose first words are absent costs a
    set intersection, and a present word costs one literal search.
    """

    def __init__(self, phrases: Iterable[str] | Mapping[str, str]):
        self.phrases = list(phrases)
        by_literal: dict[str, list[tuple[int, str]]] = {}
        for index, phrase in enumerate(self.phrases):
            for variant, (first, rest, words) in enumerate(_expansions(_TOKEN.findall(phrase.lower()))):
                by_literal.setdefault(first, []).append((words, f"(?P<p{index}x{variant}>{rest})"))
        self._patterns: dict[str, list[re.Pattern[str]]] = {}
        for first, rests in by_literal.items():
            key = _WORD.findall(first)[0] if _WORD.search(first) else first
            # The engine takes the first alternative that matches: the phrases that can run longest go
            # first, so "sorry to bother you" is found whole rather than as "sorry to bother".
            rests.sort(key=lambda rest: -rest[0])
            alternatives = "|".join(group for _, group in rests)
            pattern = re.compile(re.escape(first) + "(?:" + alternatives + r")(?![\w'’])")
            self._patterns.setdefault(key, []).append(pattern)
        self._first_words = frozenset(self._patterns)

    def find(self, scan: Scan, limit: int = 500) -> list[tuple[int, int, str]]:
        """Non-overlapping `(start, end, phrase)` matches in the scanned text, in order (about `limit` at most)."""
        found = []
        low = scan.low
        for word in self._first_words & scan.words:
            for pattern in self._patterns[word]:
                position = 0
                while True:
                    match = pattern.search(low, position)
                    if match is None:
                        break
                    start = match.start()
                    if start == 0 or not _WORD_CHAR.match(low, start - 1):
                        found.append(
                            (start, match.end(), self.phrases[int(match.lastgroup[1:].split("x")[0])])
                        )
                    position = start + 1
        if len(found) < 2:
            return found
        found.sort(key=lambda item: (item[0], -item[1]))
        kept = [found[0]]
        for item in found[1:]:
            if item[0] >= kept[-1][1]:
                kept.append(item)
        return kept
