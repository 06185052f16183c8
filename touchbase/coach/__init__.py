"""The email coach: reads what a seller is about to send and says, span by span, what to fix.

Plain Python with no Django import: the web panel, the API and the CLI all
call `review()`. The rules and their ids are in `/work/shared/coach-rules.md`
(the catalogue); each lives in `rules/<family>.py` under its id.
"""

from .draft import KINDS
from .review import Finding, Review, review
from .rules import RULES

__all__ = ["KINDS", "RULES", "Finding", "Review", "review"]
