"""`social.bare_link`: "never just post a link. Post a short note… with your take on it"."""

from __future__ import annotations

import re

from ..draft import Draft
from ..readability import words
from .registry import rule

MIN_NOTE_WORDS = 10

_LINK = re.compile(r"https?://\S+|www\.\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|io|co|ai|net|org|ly|gl|app|dev)/\S*")
_TAG = re.compile(r"^[#@]")


@rule("social.bare_link", "warning", kinds=("social",))
def link_without_a_note(draft: Draft):
    own = draft.own.text
    if "." not in own or ("/" not in own and "www." not in own):
        return  # every link form below has a "/" or starts "www."
    links = list(_LINK.finditer(own))
    if not links:
        return
    inside_link = [(m.start(), m.end()) for m in links]
    note = [
        (s, e)
        for s, e in words(own)
        if not _TAG.match(own[s:e]) and not any(ls <= s < le for ls, le in inside_link)
    ]
    if len(note) < MIN_NOTE_WORDS:
        yield draft.whole_own_hit(
            f"A link with {len(note)} words of your own: never just post a link, post a short note with your take on it.",
            "Add one or two sentences above the link: what you took from it and why your network should care.",
        )
