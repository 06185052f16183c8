"""What a seller learned about a company: willing to be measured, tags and custom field values.

`qualifier_update` is the one write for all three, used by the company page (and by anything
else that qualifies a company); it validates, saves the company's `Qualifier` and re-scores the
company, so its tier and why follow at once. The lead framework reads tags (`has_tag`) and
custom fields (`custom_value`, `custom_present`) from here.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from touchbase.crm.permissions import ensure_can_edit

from . import services
from .framework import (
    CUSTOM_FIELD,
    CUSTOM_VALUE_MAX,
    MAX_CUSTOM_FIELDS,
    split_tags,
    tag_text,
    tag_with_separator,
    tags_problem,
)
from .models import Answer, Qualifier


def clean_tags(tags) -> list[str]:
    """Tags as stored: `tag_text` of each, blanks dropped, each once, in the order given.

    A line of text is split as an import splits a tags cell (on , ; or |); a list's items are tags
    as they are, so one holding a separator is refused rather than stored as a tag no export keeps.
    """
    if isinstance(tags, str):
        cleaned = list(split_tags(tags))
    else:
        cleaned = list(dict.fromkeys(t for t in (tag_text(t) for t in tags or []) if t))
    split = tag_with_separator(cleaned)
    if split:
        raise ValidationError({"tags": f"Tag {split[:50]!r} holds a , ; or |, which separate tags; "
                                       "give them as separate tags."})
    problem = tags_problem(cleaned)
    if problem:
        raise ValidationError({"tags": f"{problem[0].upper()}{problem[1:]}."})
    return cleaned


def clean_custom(custom) -> dict[str, str]:
    """Custom field values as stored: names checked, values trimmed, an empty value removes the field."""
    if not isinstance(custom, dict):
        raise ValidationError({"custom": "Custom fields are names with values."})
    cleaned = {}
    for name, value in custom.items():
        name = str(name).strip()
        if not CUSTOM_FIELD.match(name):
            raise ValidationError({"custom": f"Custom field {name[:50]!r}: a name is lower-case letters, digits "
                                             "or _, starting with a letter, up to 40 characters (e.g. crm_used)."})
        if value is not None and not isinstance(value, str | int | float):
            raise ValidationError({"custom": f"Custom field {name!r}: the value must be text."})
        value = "" if value is None else " ".join(str(value).split())
        if len(value) > CUSTOM_VALUE_MAX:
            raise ValidationError({"custom": f"Custom field {name!r}: the value is longer than "
                                             f"{CUSTOM_VALUE_MAX} characters."})
        if value:
            cleaned[name] = value
    if len(cleaned) > MAX_CUSTOM_FIELDS:
        raise ValidationError({"custom": f"{len(cleaned)} custom fields; a company has at most {MAX_CUSTOM_FIELDS}."})
    return cleaned


def qualifier_update(*, actor, company, willing_to_be_measured: str | None = None, tags=None,
                     custom: dict | None = None) -> Qualifier:
    """Change what is given (None leaves a part as it is), then re-score the company.

    `tags` is a list or a comma-separated string; `custom` replaces all the company's custom values.
    Only the company's owner or a manager may change them, as for the company itself.
    """
    ensure_can_edit(actor, company)
    changes = {}
    if willing_to_be_measured is not None:
        if willing_to_be_measured not in Answer.values:
            raise ValidationError({"willing_to_be_measured": f"{willing_to_be_measured!r} is not yes, no or unknown."})
        changes["willing_to_be_measured"] = willing_to_be_measured
    if tags is not None:
        changes["tags"] = clean_tags(tags)
    if custom is not None:
        changes["custom"] = clean_custom(custom)
    with transaction.atomic():
        qualifier, created = Qualifier.objects.select_for_update().get_or_create(company=company, defaults=changes)
        if not created and changes:
            for name, value in changes.items():
                setattr(qualifier, name, value)
            qualifier.save(update_fields=list(changes))
        services.companies_rescore(company_ids=[company.pk])
    return qualifier


def custom_field_names(company=None) -> list[str]:
    """The custom fields to offer on a company page: those the framework in force scores, then the company's own."""
    names = [c["field"] for c in services.framework_current().criteria if c["kind"] in ("custom_value", "custom_present")]
    qualifier = getattr(company, "qualifier", None) if company is not None else None
    if qualifier is not None:
        names += list(qualifier.custom)
    return list(dict.fromkeys(names))
