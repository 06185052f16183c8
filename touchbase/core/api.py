"""The coach over HTTP: `POST /api/v1/coach` takes and gives what one `touchbase coach --jsonl` line does.

The live panel beside every email editor calls it as the seller types.
"""

from typing import Any, Literal

from ninja import Field, Router, Schema

from touchbase.coach import review
from touchbase.core.schemas import ERRORS

router = Router(tags=["coach"])

Kind = Literal["first_touch", "follow_up", "drip", "reply", "social"]


class EmailIn(Schema):
    id: Any = None
    kind: Kind = "first_touch"
    subject: str | None = ""
    body: str = Field(..., max_length=1_000_000)
    first_name: str = ""


class ReplacementOut(Schema):
    """Write `text` over `start:end` of the field (code points, not UTF-16 units): the fix, literally."""

    start: int
    end: int
    text: str


class FindingOut(Schema):
    rule: str
    severity: Literal["error", "warning", "info"]
    field: Literal["body", "subject"]
    start: int
    end: int
    message: str
    suggestion: str
    replacement: ReplacementOut | None = Field(
        None, description="The fix as a literal edit of the field, or null when it is not a rewrite"
    )


class ReviewOut(Schema):
    id: Any = None
    score: int
    chars: int
    countdown: int
    gauges: dict[str, Any]
    findings: list[FindingOut]


@router.post("/coach", response={200: ReviewOut, **ERRORS}, summary="Review an email before it leaves")
def coach(request, email: EmailIn):
    result = review(email.body, email.subject, email.kind, first_name=email.first_name).to_dict()
    return {"id": email.id, **result}
