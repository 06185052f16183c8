"""What the seller asks for, whether two asks are really one, and the reason given.

"Make it easy to reply": an ask is a question to the reader or a request
(let me know, grab a time, a calendar link). A second question that only
offers times or options for the same meeting is part of that ask, not a new
one. The photocopier effect: an ask goes better with its real reason.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from .patterns import Phrases, Scan, compile_phrases, phrase_regex
from .phrases import (
    ASK_STARTERS,
    ASK_TOPICS,
    CALENDAR_HOSTS,
    DATES,
    EVENT_VERBS,
    FOLLOW_ON,
    GUILT,
    MONTHS,
    NUMBER_WORDS,
    OPTION_GLUE,
    OPTION_WORDS,
    PLACEBO_REASONS,
    PURPOSE_ONLY,
    QUOTE_INTROS,
    REASONS,
    REQUESTS,
    RESULT_VERBS,
    RHETORICAL_OPENERS,
)
from .readability import Sentence

GREETING = re.compile(
    r"^(?:hi|hey|hello|dear|morning|good (?:morning|afternoon|evening)|hiya|yo)\b"
    r"(?:[ \t]+(?:(?P<name>[^\W\d_][\w'’-]*)|\{\{[^{}\n]{1,40}\}\}|\{[^{}\n]{1,40}\}|\[[^\]\n]{1,40}\]"
    r"|%\w{1,30}%|\*\|\w{1,30}\|\*|<[^<>\n]{1,40}>))?(?:[ \t]+[^\W\d_][\w'’-]*)?[ \t]*[,!:—–-]*[ \t]*",
    re.IGNORECASE,
)
_GREETING_INITIALS = frozenset("HhDdMmGgYy")
_QUOTED_QUESTION = re.compile(r"\?['’\"”]+[)\]]?\s*$")
_QUOTE_INTRO = re.compile(
    r"\b(?:" + "|".join(map(re.escape, QUOTE_INTROS)) + r")\b[^?]{0,60}?[:,]\s*['’\"“‘]?[^?]*\?",
    re.IGNORECASE,
)
_QUOTES = re.compile(r"[\"“”]|(?<![\w])['‘]|['’](?![\w])")
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself|you['’](?:re|ve|d|ll)|u|ur)\b", re.IGNORECASE)
_YES_NO = re.compile(r"^(?:" + "|".join(map(re.escape, ASK_STARTERS)) + r")\b", re.IGNORECASE)
_WH_START = re.compile(r"^(?:why|what|how|who|when|where|which)\b", re.IGNORECASE)
_ASKING_BECAUSE = re.compile(r"^(?:asking|curious|wondering)\b", re.IGNORECASE)
_RHETORICAL = re.compile(r"^(?:" + compile_phrases(RHETORICAL_OPENERS).pattern + ")", re.IGNORECASE)
_REQUEST = Phrases(REQUESTS)
_NAGGING = Phrases(GUILT)
_CALENDAR_HOSTS = tuple(host.lower() for host in CALENDAR_HOSTS)
_FOLLOW_ON = re.compile(
    r"^(?:" + compile_phrases(FOLLOW_ON).pattern + r")[\s,.?!]*(?:let me know)?[\s.?!]*$", re.IGNORECASE
)
# Topics and options are looked up by word (and multi-word phrases by substring): cheap per sentence.
_TOPIC_WORDS = {topic: frozenset(w for w in words if " " not in w) for topic, words in ASK_TOPICS.items()}
_TOPIC_PHRASES = {
    topic: [re.compile(phrase_regex(w) + r"\b") for w in words if " " in w]
    for topic, words in ASK_TOPICS.items()
}
_OPTION_WORDS = frozenset(OPTION_WORDS)
_SENTENCE_WORD = re.compile(r"[\w']+")
_TIME = re.compile(
    r"^\d{1,2}(?:[:.]\d\d)?(?:am|pm|h)?$|^\d{1,2}(?:st|nd|rd|th)$|^\d{1,2}/\d{1,2}$", re.IGNORECASE
)
_GLUE = frozenset(OPTION_GLUE.split())
_WORD = re.compile(r"[\w'’:./]+")
_REASON = Phrases(REASONS)
_PLACEBO = Phrases([*PLACEBO_REASONS, *PURPOSE_ONLY])
# Evidence with a number ("cut churn 20%", "3x more meetings") is why it matters to the reader.
_BENEFIT = re.compile(
    r"\b(?:" + "|".join(RESULT_VERBS) + r")\b[^.?!\n]{0,60}?(?:\d|\b(?:" + "|".join(NUMBER_WORDS) + r")\b)"
    r"|\d(?:[\d.,]*)\s?(?:%|x\b|percent\b)",
    re.IGNORECASE,
)
# "When does your contract renew?" asks about a renewal; it gives no reason for asking.
_ASKS_ABOUT = re.compile(
    r"^(?:(?:and|also|so),?\s+)?(?:do you know\s+)?(?:when|what|who|which|where|how|whether)\b", re.IGNORECASE
)
_TIMING = re.compile(
    r"\b(?:"
    + "|".join(EVENT_VERBS)
    + r")\b[^.?!\n]{0,30}?\b(?:"
    + "|".join(DATES)
    + r"|\d{1,2}(?:st|nd|rd|th))\b",
    re.IGNORECASE,
)
# "since you're opening Reno" is a reason; "since 2019" or "since March" is only a date.
_SINCE = re.compile(
    r"\bsince\s+(?!(?:\d|last|then|" + "|".join(MONTHS) + r"|the (?:start|beginning)|early|late)\b)[a-z]",
    re.IGNORECASE,
)
_SECOND_REQUEST = re.compile(
    r"(?:,?\s+and|;|,\s+also,?)\s+(?=(?:could|can|would|will)\s+you\b|please\b)", re.IGNORECASE
)
_ABOUT_THE_READER = re.compile(
    r"^(?:your|you['’](?:re|ve)|you (?:are|have|just|recently|posted|opened|hired|mentioned|said|told))\b",
    re.IGNORECASE,
)


class Ask(NamedTuple):
    start: int
    end: int
    text: str
    topic: str
    follow_on: bool
    is_question: bool


def strip_greeting(text: str) -> tuple[int, str]:
    """The sentence without a leading "Hi John," and how much was cut."""
    if text[:1] not in _GREETING_INITIALS:
        return 0, text
    match = GREETING.match(text)
    if match and match.end() < len(text):
        return match.end(), text[match.end() :]
    return 0, text


def is_greeting_only(text: str) -> bool:
    match = GREETING.match(text)
    return bool(match) and match.end() >= len(text.rstrip())


def is_question(sentence: Sentence) -> bool:
    return sentence.text.rstrip(" \t\n'’\"”)]").endswith("?")


def is_quoted_question(text: str) -> bool:
    return bool(_QUOTED_QUESTION.search(text) or _QUOTE_INTRO.search(text))


def addresses_reader(text: str) -> bool:
    """A question put to the reader, not one asked for effect."""
    return bool(_SECOND_PERSON.search(text) or _YES_NO.match(text) or _has_topic("meeting", text.lower()))


def _has_topic(topic: str, low: str, words: frozenset[str] | None = None) -> bool:
    if words is None:
        words = _words_of(low)
    return not words.isdisjoint(_TOPIC_WORDS[topic]) or any(p.search(low) for p in _TOPIC_PHRASES[topic])


def _words_of(low: str) -> frozenset[str]:
    return frozenset(_SENTENCE_WORD.findall(low.replace("’", "'")))


def find_asks(own: str, sentences: list[Sentence], reader_only: bool, scan: Scan) -> list[Ask]:
    """Every question to the reader and every request in the own text, in order.

    `reader_only` (drips and posts) keeps only questions that address the
    reader; a hook like "Why do forecasts miss?" is not an ask there.
    """
    requests = [start for start, _, _ in _REQUEST.find(scan)]
    low = scan.low
    calendars = (
        [low.find(host) for host in _CALENDAR_HOSTS if host in low] if "/" in low or "www" in low else []
    )
    nagging = [start for start, _, _ in _NAGGING.find(scan)]
    # Sentences that hold a request phrase or a calendar link; the rest can only ask by a question mark.
    asking = sorted(requests + calendars)
    asks = []
    for index, sentence in enumerate(sentences):
        question = "?" in sentence.text and is_question(sentence)
        if not question:
            after = bisect.bisect_left(asking, sentence.start)
            if after == len(asking) or asking[after] >= sentence.end:
                continue
        if nagging and any(sentence.start <= start < sentence.end for start in nagging):
            continue
        cut, body = strip_greeting(sentence.text)
        if question:
            if is_quoted_question(body) or _RHETORICAL.match(body):
                continue
            if _answers_itself(body, sentences, index, own):
                continue
            if reader_only and not addresses_reader(body):
                continue
        elif not (
            _unquoted_request(body, sentence.start + cut, requests)
            or any(sentence.start <= at < sentence.end for at in calendars)
        ):
            continue
        for start, end in _clauses(sentence):
            clause = strip_greeting(own[start:end])[1]
            asks.append(
                Ask(start, end, own[start:end], _topic(clause, index), _is_follow_on(clause), question)
            )
    return asks


def _clauses(sentence: Sentence) -> list[tuple[int, int]]:
    """A sentence holding two requests ("could you send X, and could you book Y?") is two asks."""
    cuts = [m for m in _SECOND_REQUEST.finditer(sentence.text)]
    if not cuts:
        return [(sentence.start, sentence.end)]
    spans, start = [], 0
    for cut in cuts:
        spans.append((sentence.start + start, sentence.start + cut.start()))
        start = cut.end()
    spans.append((sentence.start + start, sentence.end))
    return spans


def _answers_itself(body: str, sentences: list[Sentence], index: int, own: str) -> bool:
    """A why/what/how question without "you" that the next sentence answers."""
    if not _WH_START.match(body) or _SECOND_PERSON.search(body) or index + 1 >= len(sentences):
        return False
    following = sentences[index + 1]
    between = own[sentences[index].end : following.start]
    if "\n\n" in between or is_question(following) or _ASKING_BECAUSE.match(following.text):
        return False
    return True


def _unquoted_request(text: str, offset: int, requests: list[int]) -> bool:
    """A request phrase in this sentence that is not inside someone else's quoted words."""
    for start in requests:
        inside = start - offset
        if 0 <= inside < len(text) and len(_QUOTES.findall(text, 0, inside)) % 2 == 0:
            return True
    return False


def _topic(text: str, index: int) -> str:
    low = text.lower()
    words = _words_of(low)
    for topic in _TOPIC_WORDS:
        if _has_topic(topic, low, words):
            return topic
    return f"other-{index}"


def _is_follow_on(text: str) -> bool:
    """Only confirms the ask before it or offers times and options for it."""
    if _FOLLOW_ON.match(text.strip()):
        return True
    tokens = [token.strip(".:/'’").lower() for token in _WORD.findall(text)]
    content = [token for token in tokens if token and token not in _GLUE]
    if not content:
        return bool(tokens) and len(tokens) <= 4
    return all(token in _OPTION_WORDS or _TIME.match(token) for token in content)


def group_asks(asks: list[Ask]) -> list[list[Ask]]:
    """Distinct asks: follow-ons and same-topic asks join the ask they belong to."""
    groups: list[list[Ask]] = []
    for ask in asks:
        if ask.follow_on and groups:
            groups[-1].append(ask)
            continue
        same = next((group for group in groups if group[0].topic == ask.topic), None)
        if same is not None:
            same.append(ask)
        else:
            groups.append([ask])
    return groups


def placebo_spans(scan: Scan) -> list[tuple[int, int]]:
    return [(start, end) for start, end, _ in _PLACEBO.find(scan)]


def has_reason(
    scan: Scan, placebos: list[tuple[int, int]], sentences: list[Sentence], asks: list[Ask]
) -> bool:
    """A real reason anywhere in the own text: a need, a timing, or why it matters to them."""
    asked_about = [
        (ask.start, ask.end)
        for ask in asks
        if ask.is_question and _ASKS_ABOUT.match(strip_greeting(ask.text)[1])
    ]
    for reason_start, _, _ in _REASON.find(scan):
        if not any(start <= reason_start < end for start, end in [*placebos, *asked_about]):
            return True
    if _BENEFIT.search(scan.text) or _TIMING.search(scan.text) or _SINCE.search(scan.text):
        return True
    asked = {ask.start for ask in asks}
    # A statement about the reader's own situation ("Your renewal is up in May.") is why it matters to them.
    return any(
        sentence.start not in asked and _ABOUT_THE_READER.match(strip_greeting(sentence.text)[1])
        for sentence in sentences
    )
