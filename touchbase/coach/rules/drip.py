"""`drip.has_ask`: a drip is "short and highly interesting… pieces of information (most often without an ask)"."""

from __future__ import annotations

from ..draft import Draft
from .edits import edit_for, quote
from .registry import rule


@rule("drip.has_ask", "warning", kinds=("drip",))
def drip_that_asks(draft: Draft):
    for ask in draft.asks:
        yield draft.own_hit(
            ask.start,
            ask.end,
            f"{quote(ask.text, 60)} asks for something: a drip gives information and asks nothing.",
            f"Delete {quote(ask.text, 60)} and let the piece speak for itself; save the ask for a separate email.",
            edit_for(draft, ask.start, ask.end, ""),
        )
