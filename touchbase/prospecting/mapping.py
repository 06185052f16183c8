"""Which column of a lead list holds which field.

Exports from HubSpot, Salesforce and Pipedrive are recognised by their headers and mapped with no
questions; any other file is mapped by header similarity; a TOML file can name columns outright:

    kind = "people"            # optional: people or companies
    [columns]
    "E-mail Address" = "email"
    "Org" = "company"

A companies file may also fill custom fields, each named as `custom.<name>`:

    "CRM in use" = "custom.crm_used"
"""

import difflib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .framework import CUSTOM_FIELD, MAX_CUSTOM_FIELDS

PEOPLE_FIELDS = ("email", "first_name", "last_name", "full_name", "phone", "title", "company", "website",
                 "country")
COMPANY_FIELDS = ("name", "domain", "website", "industry", "employee_count", "country", "notes",
                  "willing_to_be_measured", "tags")
PRESETS = ("hubspot", "salesforce", "pipedrive")
# A column mapped to "custom.crm_used" fills the company's custom field crm_used (companies only).
CUSTOM_PREFIX = "custom."

# Synonyms as headers come, after `normal_header`. A person's "company" is a company's "name".
SYNONYMS = {
    "email": ["email", "e mail", "email address", "e mail address", "mail", "work email", "business email",
              "primary email", "email 1"],
    "first_name": ["first name", "firstname", "first", "given name", "forename", "vorname", "prenom"],
    "last_name": ["last name", "lastname", "last", "surname", "family name", "nachname", "nom"],
    "full_name": ["name", "full name", "contact name", "contact", "person", "person name"],
    "phone": ["phone", "phone number", "telephone", "tel", "mobile", "mobile phone", "cell", "work phone",
              "direct phone", "business phone", "telefon"],
    "title": ["title", "job title", "position", "role", "job role", "jobtitle", "designation"],
    "company": ["company", "company name", "organization", "organisation", "account", "account name",
                "employer", "firma", "org"],
    "website": ["website", "web site", "url", "homepage", "web", "company website", "website url", "site"],
    "domain": ["domain", "company domain", "domain name", "company domain name", "email domain"],
    "country": ["country", "country region", "country code", "nation", "land", "pays", "billing country",
                "mailing country", "hq country"],
    "industry": ["industry", "sector", "vertical", "branche", "market"],
    "employee_count": ["employees", "employee count", "number of employees", "headcount", "head count",
                       "company size", "size", "staff", "num employees", "no of employees"],
    "notes": ["notes", "note", "description", "comments", "comment", "about"],
    "willing_to_be_measured": ["willing to be measured", "measured", "willing to measure", "measurable",
                               "open to measurement"],
    "tags": ["tags", "labels", "tag", "segments"],
    "name": ["name", "company", "company name", "account name", "organization", "organisation",
             "organization name", "business name"],
}

PRESET_HEADERS = {
    "hubspot": {
        "first name": "first_name", "last name": "last_name", "email": "email", "phone number": "phone",
        "mobile phone number": "phone", "job title": "title", "company name": "company",
        "associated company": "company", "website url": "website", "country region": "country",
        "company domain name": "domain", "industry": "industry", "number of employees": "employee_count",
        "description": "notes",
    },
    "salesforce": {
        "first name": "first_name", "last name": "last_name", "email": "email", "phone": "phone",
        "mobile": "phone", "title": "title", "account name": "company", "company": "company",
        "company account": "company", "mailing country": "country", "billing country": "country",
        "country": "country", "website": "website", "industry": "industry", "employees": "employee_count",
        "description": "notes",
    },
    "pipedrive": {
        "person name": "full_name", "person first name": "first_name", "person last name": "last_name",
        "person email": "email", "person email work": "email", "person phone": "phone",
        "person phone work": "phone", "person job title": "title", "person organization": "company",
        "organization name": "company", "organization address country": "country",
        "organization website": "website", "organization industry": "industry",
        "organization number of employees": "employee_count", "organization employee count": "employee_count",
        "person notes": "notes", "organization notes": "notes",
    },
}
_SIGNATURES = {
    "hubspot": {"record id", "country region", "contact owner", "company owner", "company domain name",
                "lifecycle stage"},
    "salesforce": {"account name", "mailing country", "billing country", "contact id", "account id", "lead source",
                   "lead id", "account owner"},
}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


class MappingError(ValueError):
    pass


def normal_header(header: str) -> str:
    return _NON_ALNUM.sub(" ", header.lower()).strip()


def custom_name_for(header: str) -> str:
    """A custom field name made from a header, by framework.CUSTOM_FIELD's rule: "CRM in use" -> "crm_in_use"."""
    ascii_header = unicodedata.normalize("NFKD", header.casefold()).encode("ascii", "ignore").decode()
    name = _NON_ALNUM.sub("_", ascii_header).strip("_")
    if name and not name[0].isalpha():
        name = f"field_{name}"
    name = name[:40].rstrip("_")
    return name if CUSTOM_FIELD.match(name) else ""


@dataclass
class Mapping:
    kind: str
    source: str
    columns: dict[str, int] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    guessed: bool = False  # kind was auto and nothing pointed at people

    def as_dict(self) -> dict[str, str]:
        return {name: self.headers[i] for name, i in self.columns.items()}

    @property
    def custom_columns(self) -> list[tuple[str, int]]:
        """(custom field name, column index) of each column mapped to a custom field."""
        return [(name.removeprefix(CUSTOM_PREFIX), i) for name, i in self.columns.items()
                if name.startswith(CUSTOM_PREFIX)]

    @property
    def ignored(self) -> list[str]:
        used = set(self.columns.values())
        return [h for i, h in enumerate(self.headers) if h and i not in used]


def recognise(headers: list[str]) -> str | None:
    """The CRM a file was exported from, by its headers, or None."""
    normal = {normal_header(h) for h in headers}
    if any(h.startswith(("person ", "organization ")) for h in normal):
        return "pipedrive"
    for preset, signature in _SIGNATURES.items():
        if normal & signature:
            return preset
    return None


def _by_similarity(normal: list[str], fields: tuple[str, ...], taken: dict[str, int]) -> None:
    synonyms = {s: name for name in fields for s in SYNONYMS[name]}
    for exact in (True, False):
        for i, header in enumerate(normal):
            if not header or i in taken.values():
                continue
            if exact:
                name = synonyms.get(header)
            else:
                close = difflib.get_close_matches(header, synonyms, n=1, cutoff=0.82)
                name = synonyms[close[0]] if close else None
            if name and name not in taken:
                taken[name] = i


def _for_kind(headers: list[str], kind: str, preset: str | None, explicit: dict[str, str]) -> dict[str, int]:
    fields = PEOPLE_FIELDS if kind == "people" else COMPANY_FIELDS
    normal = [normal_header(h) for h in headers]
    taken: dict[str, int] = {}
    for i, header in enumerate(headers):
        name = explicit.get(header) or explicit.get(normal[i])
        if name:
            if kind == "companies" and name == "company":
                name = "name"
            if (name in fields or (kind == "companies" and name.startswith(CUSTOM_PREFIX))) and name not in taken:
                taken[name] = i
    if preset:
        for i, header in enumerate(normal):
            name = PRESET_HEADERS[preset].get(header)
            if kind == "companies" and name == "company":
                name = "name"
            if name in fields and name not in taken and i not in taken.values():
                taken[name] = i
    _by_similarity(normal, fields, taken)
    if "first_name" in taken or "last_name" in taken:
        taken.pop("full_name", None)
    return taken


def _read_toml(path: Path) -> tuple[str | None, dict[str, str]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path.name}: the mapping file cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path.name}: the mapping file is not valid TOML ({exc})") from None
    columns = data.get("columns", {})
    kind = data.get("kind")
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise MappingError(f"{path.name}: [columns] must map each header to a field name")
    known = set(PEOPLE_FIELDS) | set(COMPANY_FIELDS)
    for header, name in columns.items():
        if name.startswith(CUSTOM_PREFIX):
            if not CUSTOM_FIELD.match(name.removeprefix(CUSTOM_PREFIX)):
                raise MappingError(f"{path.name}: column {header!r} maps to {name!r}, which is not a custom field: "
                                   "after custom. comes a name of lower-case letters, digits or _, starting with "
                                   "a letter, up to 40 characters (e.g. custom.crm_used)")
        elif name not in known:
            raise MappingError(f"{path.name}: column {header!r} maps to {name!r}, which is not a field "
                               f"(people: {', '.join(PEOPLE_FIELDS)}; companies: {', '.join(COMPANY_FIELDS)}, "
                               "or custom.<name> for a custom field)")
    custom = {name for name in columns.values() if name.startswith(CUSTOM_PREFIX)}
    if len(custom) > MAX_CUSTOM_FIELDS:
        raise MappingError(f"{path.name}: {len(custom)} custom fields; a company has at most {MAX_CUSTOM_FIELDS}")
    if kind not in (None, "people", "companies"):
        raise MappingError(f"{path.name}: kind must be people or companies, not {kind!r}")
    return kind, columns


def resolve(headers: list[str], *, kind: str = "auto", mapping: str = "auto") -> Mapping:
    """Map the headers to fields; decide people or companies when kind is auto."""
    explicit: dict[str, str] = {}
    if mapping in ("auto", *PRESETS):
        preset = recognise(headers) if mapping == "auto" else mapping
        source = preset or "similarity"
    else:
        file_kind, explicit = _read_toml(Path(mapping))
        preset, source = recognise(headers), Path(mapping).name
        if kind == "auto" and file_kind:
            kind = file_kind
    if kind == "auto":
        people = _for_kind(headers, "people", preset, explicit)
        if {"email", "first_name", "last_name"} & people.keys() or (
                "full_name" in people and "company" in people):
            return Mapping("people", source, people, headers)
        companies = Mapping("companies", source, _for_kind(headers, "companies", preset, explicit), headers)
        if missing_columns(companies) and not missing_columns(Mapping("people", source, people, headers)):
            return Mapping("people", source, people, headers)
        companies.guessed = True
        return companies
    if kind not in ("people", "companies"):
        raise MappingError(f"kind must be people, companies or auto, not {kind!r}")
    return Mapping(kind, source, _for_kind(headers, kind, preset, explicit), headers)


def missing_columns(mapping: Mapping) -> str | None:
    """What the file lacks to be imported as its kind, or None."""
    if mapping.guessed and not {"name", "domain", "website"} & mapping.columns.keys():
        return ("no column holds a person's email or name, nor a company's name, domain or website "
                "(expected e.g. Email, First Name, Company Name, Website)")
    if mapping.kind == "people":
        if not {"email", "first_name", "last_name", "full_name"} & mapping.columns.keys():
            return "no column holds a person's email or name (expected e.g. Email, First Name, Last Name)"
    elif not {"name", "domain", "website"} & mapping.columns.keys():
        return "no column holds a company's name, domain or website (expected e.g. Company Name, Website)"
    return None
