"""Merge fields in subject and body templates: `{first_name}`, `{company}`, `{seller_first_name}` ...

A template is checked when a step is saved (unknown or malformed fields are
refused, naming the field) and rendered before each send (an empty value
holds the send with the reason). Merged values never carry a line break into
a header, so a name such as "Dana\\r\\nBcc: x" cannot add a header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FIELDS = {
    "first_name": "the person's first name",
    "last_name": "the person's last name",
    "full_name": "the person's full name",
    "title": "the person's job title",
    "company": "the company's name",
    "company_domain": "the company's domain",
    "seller_first_name": "your first name",
    "seller_name": "your full name",
    "seller_email": "your email address",
}

FIELD = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")
DOUBLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
OPEN_BRACE = re.compile(r"\{(?![^{}\n]*\})")
CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")


@dataclass(frozen=True)
class TemplateProblem:
    field: str  # "subject" or "body"
    message: str


def template_problems(text: str, where: str) -> list[TemplateProblem]:
    """What is wrong with a template, one problem per bad field, in order of appearance."""
    problems = []
    for m in DOUBLE.finditer(text):
        problems.append(TemplateProblem(where, f"{m.group(0)} uses double braces; write {{{m.group(1)}}}."))
    single = DOUBLE.sub("", text)
    for m in FIELD.finditer(single):
        if m.group(1) not in FIELDS:
            known = ", ".join("{" + f + "}" for f in FIELDS)
            problems.append(TemplateProblem(where, f"{{{m.group(1)}}} is not a merge field; use one of {known}."))
    for m in OPEN_BRACE.finditer(FIELD.sub("", single)):
        snippet = single[m.start():m.start() + 20].split("\n")[0]
        problems.append(TemplateProblem(where, f"'{snippet}' opens a merge field with {{ but never closes it."))
    return problems


def values_for(person, seller) -> dict[str, str]:
    company = person.company
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "full_name": person.name,
        "title": person.title,
        "company": company.name if company else "",
        "company_domain": company.domain if company else "",
        "seller_first_name": seller.first_name,
        "seller_name": seller.get_full_name(),
        "seller_email": seller.email,
    }


class MergeError(ValueError):
    """A template cannot be filled for this person; the message says which field is empty."""


def render(text: str, values: dict[str, str], *, header: bool = False) -> str:
    """Fill the fields; an empty or unknown one raises MergeError naming it."""

    def fill(m: re.Match) -> str:
        name = m.group(1)
        if name not in values:
            raise MergeError(f"{{{name}}} is not a merge field.")
        value = (values[name] or "").strip()
        if not value:
            raise MergeError(f"{{{name}}} is empty ({FIELDS.get(name, name)} is not filled in).")
        return CONTROL.sub(" ", value) if header else value.replace("\r", "")

    rendered = FIELD.sub(fill, text)
    return CONTROL.sub(" ", rendered).strip() if header else rendered
