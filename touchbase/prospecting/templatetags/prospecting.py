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


@register.inclusion_tag("prospecting/_person_fit.html")
def person_fit(person) -> dict:
    """A person's lead tier: their company's tier, score and why, and whether they are a key contact.

    A key contact is someone whose title meets a title criterion of the framework in force; the
    card then says what is missing to reach them (email, phone), as the tier list does.
    """
    from ..services import framework_current, scorer_for

    company = person.company
    fit = getattr(company, "fit", None) if company is not None else None
    key_contact = bool(person.title) and bool(scorer_for(framework_current()).title_mask(person.title))
    return {"person": person, "company": company, "fit": fit, "key_contact": key_contact,
            "gaps": [name for name in ("email", "phone") if not getattr(person, name)] if key_contact else []}
