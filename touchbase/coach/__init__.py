"""The email coach: reads what a seller is about to send and says, span by span, what to fix.

Plain Python with no Django import: the web panel, the API and the CLI all
call `review()`. The rules and their ids are those of the rule catalogue
(`shared/coach-rules.md`); each lives in `rules/<family>.py` under its id, and
the words it looks for are data in `phrases.py`.
"""

from .draft import KINDS
from .review import Finding, Replacement, Review, own_text, review
from .rules import RULES

__all__ = ["KINDS", "RULES", "Finding", "Replacement", "Review", "own_text", "review"]
