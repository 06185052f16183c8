"""Template tags for prospecting fragments shown on other apps' pages (the company page's fit card)."""

from django import template

from touchbase.crm.permissions import can_edit

from ..models import Answer
from ..qualifiers import custom_field_names

register = template.Library()


@register.simple_tag
def qualifier_form(company, user) -> dict:
    """What the company page's qualifier form shows: the answer, the tags, the custom fields, and who may edit."""
    qualifier = getattr(company, "qualifier", None)
    custom = qualifier.custom if qualifier else {}
    return {
        "can_edit": can_edit(user if getattr(user, "is_authenticated", False) else None, company),
        "willing": qualifier.willing_to_be_measured if qualifier else Answer.UNKNOWN,
        "answers": Answer.choices,
        "tags": qualifier.tags if qualifier else [],
        "tags_text": ", ".join(qualifier.tags) if qualifier else "",
        "custom": [(name, custom.get(name, "")) for name in custom_field_names(company)],
    }
