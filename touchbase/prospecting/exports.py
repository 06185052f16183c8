"""Lead-list exports: companies, people or deals to CSV or XLSX, filtered by tier and by tag.

`touchbase export` calls `records_export`; the company, people and deal list pages download what they
show through `cells` (crm.views). Every text cell goes through `core.cells.neutralise`, so
a file opened in a spreadsheet never runs a cell as a formula.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models
from openpyxl import Workbook

from touchbase.core.cells import neutralise
from touchbase.crm.models import Company, Deal, Person

from .framework import TAG_MAX, tag_text
from .selectors import tagged_company_ids

TIERS = ("A", "B", "C")


@dataclass(frozen=True)
class Export:
    header: list[str]
    model: type[models.Model]
    fields: list[str]  # values_list paths, one per header column
    tier_field: str  # the tier of the row's company: what --tier filters on
    company_field: str  # the row's company: what --tag filters on


EXPORTS = {
    "companies": Export(
        ["name", "domain", "website", "industry", "employee_count", "country", "tags", "owner", "tier", "score",
         "source", "public_id"],
        Company, ["name", "domain", "website", "industry", "employee_count", "country", "qualifier__tags",
                  "owner__email", "fit__tier", "fit__score", "source", "public_id"], "fit__tier", "pk"),
    "people": Export(
        ["first_name", "last_name", "email", "phone", "title", "company", "company_tier", "owner", "opted_out",
         "source", "public_id"],
        Person, ["first_name", "last_name", "email", "phone", "title", "company__name", "company__fit__tier",
                 "owner__email", "opted_out", "source", "public_id"], "company__fit__tier", "company"),
    "deals": Export(
        ["title", "company", "company_tier", "contact_email", "amount", "currency", "stage", "owner",
         "expected_close", "next_step", "public_id"],
        Deal, ["title", "company__name", "company__fit__tier", "contact__email", "amount_minor", "currency",
               "stage__name", "owner__email", "expected_close", "next_step", "public_id"], "company__fit__tier", "company"),
}


def _cell(name: str, value):
    if value is None:
        return ""
    if name == "amount":
        # Minor units to a decimal string without ever going through a float.
        sign, value = ("-" if value < 0 else ""), abs(value)
        return f"{sign}{value // 100}.{value % 100:02d}"
    if name == "tags":
        # Joined as `touchbase import` splits a tags cell, so an exported list imports back to the same tags.
        value = ", ".join(str(tag) for tag in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, str | int):
        return str(value)
    return neutralise(value)


def export_queryset(*, kind: str, tier: str | None = None, tag: str | None = None) -> models.QuerySet:
    """The records of an export, in id order: only those of companies in `tier` and tagged `tag` if given.

    A person or deal goes by its company's tier and tags; one without a company is left out by either filter.
    """
    if kind not in EXPORTS:
        raise ValidationError({"kind": f"{kind!r} is not one of {', '.join(EXPORTS)}."})
    if tier is not None and tier not in TIERS:
        raise ValidationError({"tier": f"{tier!r} is not a tier (A, B or C)."})
    if tag is not None:
        tag = tag_text(tag)
        if not tag:
            raise ValidationError({"tag": "The tag is empty."})
        if len(tag) > TAG_MAX:
            raise ValidationError({"tag": f"Tag {tag[:50]!r} is longer than {TAG_MAX} characters, "
                                          "the longest a tag can be."})
    export = EXPORTS[kind]
    rows = export.model.objects.order_by("pk")
    if tier:
        rows = rows.filter(**{export.tier_field: tier})
    if tag:
        rows = rows.filter(**{f"{export.company_field}__in": tagged_company_ids(tag)})
    return rows


def cells(kind: str, queryset: models.QuerySet):
    """The header, then each record of `queryset` (in its order) as a row of neutralised cells."""
    header = EXPORTS[kind].header
    yield header
    for row in queryset.values_list(*EXPORTS[kind].fields).iterator(chunk_size=5000):
        yield [_cell(h, v) for h, v in zip(header, row, strict=True)]


def records_export(*, kind: str, path, tier: str | None = None, tag: str | None = None) -> int:
    """Write companies, people or deals (optionally only those of one tier, or one tag) to a .csv or .xlsx file.

    Returns the number of records written. The file appears whole or not at all.
    """
    rows = cells(kind, export_queryset(kind=kind, tier=tier, tag=tag))
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValidationError({"path": f"{path.name}: export to a .csv or an .xlsx file."})
    count = -1  # the header is not a record
    partial = path.with_name(path.name + ".part")
    try:
        if suffix == ".csv":
            with open(partial, "w", newline="", encoding="utf-8-sig") as f:
                writer = csv.writer(f)
                for row in rows:
                    writer.writerow(row)
                    count += 1
        else:
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet(kind)
            for row in rows:
                sheet.append(row)
                count += 1
            workbook.save(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return count
