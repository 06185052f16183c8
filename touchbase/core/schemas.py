"""Schemas every API router shares: the one error shape (STYLE 9), produced by the handlers in touchbase.api."""

from ninja import Field, Schema


class ErrorDetail(Schema):
    code: str = Field(description="Stable, for programs: unauthorized, forbidden, not_found, invalid, "
                                  "exit_criteria_missing, stale, ...")
    message: str = Field(description="For people: what is wrong and where.")
    field: str | None = Field(description="The input at fault, when there is one.")


class ErrorOut(Schema):
    """The one shape of every error (see touchbase.api)."""

    error: ErrorDetail


# Declared on every operation so the docs show the error shape; the handlers in touchbase.api produce it.
ERRORS = {frozenset({400, 401, 403, 404, 405, 409, 422}): ErrorOut}
