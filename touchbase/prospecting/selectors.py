"""Big reads and writes for prospecting: the lead framework run inside the database.

Scoring a million companies one tuple at a time in Python and sending each fit back takes half a
minute. Here each criterion becomes a SQL condition and a company's criteria met become one
integer, its mask; `framework.Scorer` turns each possible mask into a score, a tier and the met
and missed lists (at most a few thousand of them), and the database joins the two. So Python
states the rules once, the per-company work is SQL, and a test holds the conditions to the
Python rules.
"""

from django.db import connection
from django.db.models import Count
from django.db.models.expressions import RawSQL

from touchbase.crm.models import Person

from .framework import BLANK, Scorer, title_words_match, title_words_regex
from .models import CompanyFit, Qualifier

# The parameters of one statement stay under SQLite's limit (32,766) with room for the criteria.
IDS_PER_STATEMENT = 20_000


def _condition(item: dict, params: list) -> str:
    kind = item["kind"]
    if kind == "in_set":
        column = f"c.{item['field']}"
        lowered = sorted({v.casefold() for v in item["values"]})
        params.extend(lowered)
        params.extend(item["values"])
        marks_lower, marks_exact = ", ".join(["%s"] * len(lowered)), ", ".join(["%s"] * len(item["values"]))
        # SQLite's LOWER folds ASCII only; the exact values catch non-ASCII spellings typed as listed.
        return f"(LOWER({column}) IN ({marks_lower}) OR {column} IN ({marks_exact}))"
    if kind == "in_range":
        parts = ["c.employee_count IS NOT NULL"]
        if item["min"] is not None:
            parts.append("c.employee_count >= %s")
            params.append(item["min"])
        if item["max"] is not None:
            parts.append("c.employee_count <= %s")
            params.append(item["max"])
        return "(" + " AND ".join(parts) + ")"
    if kind == "present":
        if item["field"] == "employee_count":
            return "(c.employee_count IS NOT NULL)"
        return f"(c.{item['field']} <> '')"
    if kind == "answer_yes":
        return "(q.willing_to_be_measured = 'yes')"
    if kind == "has_tag":
        # Tags are stored as framework.tag_text makes them, so an exact match is the rule.
        if connection.vendor == "postgresql":
            params.append(list(item["tags"]))
            return "(q.tags ?| %s::text[])"
        params.extend(item["tags"])
        return (f"(q.tags <> '[]' AND EXISTS (SELECT 1 FROM json_each(q.tags) t "
                f"WHERE t.value IN ({', '.join(['%s'] * len(item['tags']))})))")
    if kind == "custom_value":
        if connection.vendor == "postgresql":
            value, key = "(q.custom ->> %s)", item["field"]
        else:
            # The field name is a criterion-key-like word (framework.CUSTOM_FIELD), so quoting it is enough.
            value, key = "json_extract(q.custom, %s)", f'$."{item["field"]}"'
        lowered = sorted({v.casefold() for v in item["values"]})
        params.append(key)
        params.extend(lowered)
        params.append(key)
        params.extend(item["values"])
        marks_lower, marks_exact = ", ".join(["%s"] * len(lowered)), ", ".join(["%s"] * len(item["values"]))
        return f"(LOWER({value}) IN ({marks_lower}) OR {value} IN ({marks_exact}))"
    if kind == "custom_present":
        # framework._filled_in: text not blank after trimming BLANK, a number, true or false; JSON null,
        # an object, a list or no such field is not filled in.
        if connection.vendor == "postgresql":
            params.extend([item["field"], item["field"], item["field"], BLANK])
            return ("(jsonb_typeof(q.custom -> %s) IN ('number', 'boolean') OR "
                    "(jsonb_typeof(q.custom -> %s) = 'string' AND BTRIM(q.custom ->> %s, %s) <> ''))")
        path = f'$."{item["field"]}"'
        params.extend([path, path, path, BLANK])
        return ("(json_type(q.custom, %s) IN ('integer', 'real', 'true', 'false') OR "
                "(json_type(q.custom, %s) = 'text' AND TRIM(json_extract(q.custom, %s), %s) <> ''))")
    # One regular expression per title, not one test per word: ten GLOBs over a rebuilt string cost
    # SQLite 2.5 times as much (0.67 s -> 0.27 s CPU on the million-row import's 100,000 companies;
    # 5.2 s -> 1.8 s when no title matches and every person is read).
    params.append(title_words_regex(item["words"]))
    if connection.vendor == "postgresql":
        match = "LOWER(p.title) ~ %s"
    else:
        _sqlite_title_function()
        match = f"{TITLE_FUNCTION}(%s, p.title)"
    return f"EXISTS (SELECT 1 FROM crm_person p WHERE p.company_id = c.id AND p.title <> '' AND {match})"


TITLE_FUNCTION = "touchbase_title_words"


def _sqlite_title_function() -> None:
    """Make `title_words_match` an SQL function of this connection (SQLite has no regular expressions).

    Registered when a statement that needs it is built, on the connection that will run it:
    registering again replaces the same function.
    """
    connection.ensure_connection()
    connection.connection.create_function(TITLE_FUNCTION, 2, title_words_match, deterministic=True)


MASKS = "prospecting_fit_masks"
BEFORE = "prospecting_fit_before"
# Up to this many criteria every mask is tabulated up front; beyond, only the masks that occur.
ALL_MASKS_UP_TO = 12


def mask_select(criteria: list[dict], *, where: str = "", where_params: list | None = None,
                before: str = "prospecting_companyfit") -> tuple[str, list]:
    """SELECT id, mask, and the old_tier, old_framework_id, old_score, old_met and old_scored_at of
    each company's fit in the `before` table (None when it has none)."""
    params: list = []
    bits = [f"CASE WHEN {_condition(item, params)} THEN {1 << bit} ELSE 0 END" for bit, item in enumerate(criteria)]
    params.extend(where_params or [])
    sql = f"""
        SELECT c.id AS id, ({' + '.join(bits)}) AS mask,
               f.tier AS old_tier, f.framework_id AS old_framework_id, f.score AS old_score,
               f.met AS old_met, f.scored_at AS old_scored_at
        FROM crm_company c
        LEFT JOIN prospecting_qualifier q ON q.company_id = c.id
        LEFT JOIN {before} f ON f.company_id = c.id
        WHERE {where or '1 = 1'}
    """
    return sql, params


def tier_moves(scorer: Scorer, *, where: str = "", where_params: list | None = None) -> list[tuple]:
    """(tier now or None, tier under this scorer, companies) for every pair that occurs. Writes nothing."""
    select, params = mask_select(scorer.criteria, where=where, where_params=where_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT old_tier, mask, COUNT(*) FROM ({select}) s GROUP BY old_tier, mask", params)
        return [(old, scorer.fit_of_mask(mask).tier, count) for old, mask, count in cursor.fetchall()]


def _masks_table(cursor, scorer: Scorer, *, select: str, params: list) -> None:
    """A temporary table of mask -> score, tier, met, missed, as Python's Scorer computes them."""
    cursor.execute(f"DROP TABLE IF EXISTS {MASKS}")
    cursor.execute(f"CREATE TEMPORARY TABLE {MASKS} (mask BIGINT PRIMARY KEY, score INTEGER, tier VARCHAR(1), "
                   "met TEXT, missed TEXT)")
    if len(scorer.criteria) <= ALL_MASKS_UP_TO:
        masks = range(1 << len(scorer.criteria))
    else:
        cursor.execute(f"SELECT DISTINCT mask FROM ({select}) s", params)
        masks = [row[0] for row in cursor.fetchall()]
    fits = ((mask, fit.score, fit.tier, fit.met_json, fit.missed_json) for mask in masks
            if (fit := scorer.fit_of_mask(mask)))
    cursor.executemany(f"INSERT INTO {MASKS} (mask, score, tier, met, missed) VALUES (%s, %s, %s, %s, %s)",
                       list(fits))


def fits_upsert(cursor, framework, scorer: Scorer, *, now, where: str, where_params: list) -> list[tuple]:
    """Store the fit of the companies `where` selects, skipping rows already equal; return the tier moves."""
    select, params = mask_select(scorer.criteria, where=where, where_params=where_params)
    _masks_table(cursor, scorer, select=select, params=params)
    cursor.execute(f"SELECT s.old_tier, m.tier, COUNT(*) FROM ({select}) s JOIN {MASKS} m ON m.mask = s.mask "
                   "GROUP BY s.old_tier, m.tier", params)
    moves = cursor.fetchall()
    jsonb = "::jsonb" if connection.vendor == "postgresql" else ""
    cursor.execute(f"""
        INSERT INTO prospecting_companyfit (company_id, framework_id, score, tier, met, missed, scored_at)
        SELECT s.id, %s, m.score, m.tier, m.met{jsonb}, m.missed{jsonb}, %s
        FROM ({select}) s JOIN {MASKS} m ON m.mask = s.mask
        WHERE s.old_framework_id IS NULL OR s.old_framework_id <> %s OR s.old_score <> m.score
              OR s.old_met <> m.met{jsonb}
        ON CONFLICT (company_id) DO UPDATE SET framework_id = excluded.framework_id, score = excluded.score,
            tier = excluded.tier, met = excluded.met, missed = excluded.missed, scored_at = excluded.scored_at
    """, [framework.pk, now, *params, framework.pk])
    cursor.execute(f"DROP TABLE {MASKS}")
    return moves


def fits_rebuild(cursor, framework, scorer: Scorer, *, now) -> list[tuple]:
    """Score every company and replace all fits; return the tier moves as `tier_moves` does.

    Replacing is several times faster than upserting a million rows: the old fits are set aside in
    a temporary table, the fit table is emptied and refilled in company order (on SQLite with its
    secondary indexes built once afterwards), and rows whose fit did not change keep scored_at.
    """
    cursor.execute(f"DROP TABLE IF EXISTS {BEFORE}")
    cursor.execute(f"CREATE TEMPORARY TABLE {BEFORE} AS SELECT * FROM prospecting_companyfit")
    cursor.execute(f"CREATE UNIQUE INDEX {BEFORE}_company ON {BEFORE} (company_id)")
    select, params = mask_select(scorer.criteria, before=BEFORE)
    _masks_table(cursor, scorer, select=select, params=params)
    indexes = []
    if connection.vendor == "sqlite":
        # Inside our transaction, holding the write lock: readers keep seeing the old table and indexes.
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                       "AND tbl_name = 'prospecting_companyfit' AND sql IS NOT NULL")
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute("DELETE FROM prospecting_companyfit")
    jsonb = "::jsonb" if connection.vendor == "postgresql" else ""
    cursor.execute(f"""
        INSERT INTO prospecting_companyfit (company_id, framework_id, score, tier, met, missed, scored_at)
        SELECT s.id, %s, m.score, m.tier, m.met{jsonb}, m.missed{jsonb},
               CASE WHEN s.old_framework_id = %s AND s.old_score = m.score AND s.old_met = m.met{jsonb}
                    THEN s.old_scored_at ELSE %s END
        FROM ({select}) s JOIN {MASKS} m ON m.mask = s.mask
        WHERE 1 = 1
    """, [framework.pk, framework.pk, now, *params])
    for _name, sql in indexes:
        cursor.execute(sql)
    cursor.execute(f"SELECT b.tier, f.tier, COUNT(*) FROM prospecting_companyfit f LEFT JOIN {BEFORE} b "
                   "ON b.company_id = f.company_id GROUP BY b.tier, f.tier")
    moves = cursor.fetchall()
    cursor.execute(f"DROP TABLE {BEFORE}")
    cursor.execute(f"DROP TABLE {MASKS}")
    return moves


def id_filters(ids) -> list[tuple[str, list]]:
    """WHERE clauses that cover `ids` in statements small enough for SQLite's parameter limit."""
    wanted = sorted(set(ids))
    return [(f"c.id IN ({', '.join(['%s'] * len(part))})", part)
            for part in (wanted[i:i + IDS_PER_STATEMENT] for i in range(0, len(wanted), IDS_PER_STATEMENT))]


def tier_list(*, tier: str | None = None, tag: str = ""):
    """Scored companies, A first and the best score first within a tier; only those tagged `tag` if given."""
    fits = CompanyFit.objects.select_related("company", "company__owner", "company__qualifier").order_by(
        "tier", "-score", "company__name")
    if tag:
        fits = fits.filter(company_id__in=tagged_company_ids(tag))
    return fits.filter(tier=tier) if tier else fits


def tagged_company_ids(tag: str):
    """The ids of the companies whose qualifier carries `tag` (as `tag_text` stores it), for a `__in` filter."""
    if connection.vendor == "postgresql":
        return Qualifier.objects.filter(tags__contains=[tag]).values("company_id")
    # Django has no JSON `contains` on SQLite
    return RawSQL("SELECT q.company_id FROM prospecting_qualifier q, json_each(q.tags) t WHERE t.value = %s", [tag])


def tier_counts() -> dict[str, int]:
    counts = dict(CompanyFit.objects.values_list("tier").annotate(n=Count("pk")).values_list("tier", "n"))
    return {tier: counts.get(tier, 0) for tier in ("A", "B", "C")}


def key_contacts(company_ids: list[int], scorer: Scorer) -> dict[int, list[Person]]:
    """The people at these companies whose titles meet a title criterion of the framework, by company.

    Each person gets `gaps`: what a seller still has to find ("email", "phone").
    """
    contacts: dict[int, list[Person]] = {}
    if not scorer.needs_titles:
        return contacts
    people = Person.objects.filter(company_id__in=company_ids).exclude(title="").order_by("last_name", "first_name")
    for person in people.only("id", "first_name", "last_name", "email", "phone", "title", "company_id", "owner_id"):
        if scorer.title_mask(person.title):
            person.gaps = [name for name in ("email", "phone") if not getattr(person, name)]
            contacts.setdefault(person.company_id, []).append(person)
    return contacts


def qualifier_vocabulary(*, limit: int = 40) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The tags and the custom field names sellers use, most used first, with how many companies have each.

    What a manager writing a `has_tag`, `custom_value` or `custom_present` criterion needs to spell it as
    the data does.
    """
    if connection.vendor == "postgresql":
        tags = ("SELECT t, COUNT(*) FROM prospecting_qualifier q, jsonb_array_elements_text(q.tags) t "
                "WHERE q.tags <> '[]'::jsonb GROUP BY t ORDER BY COUNT(*) DESC, t LIMIT %s")
    else:
        tags = ("SELECT t.value, COUNT(*) FROM prospecting_qualifier q, json_each(q.tags) t "
                "WHERE q.tags <> '[]' AND t.type = 'text' GROUP BY t.value ORDER BY COUNT(*) DESC, t.value LIMIT %s")
    return _vocabulary(tags, limit), custom_field_names_in_use(limit=limit)


def custom_field_names_in_use(*, limit: int = 40) -> list[tuple[str, int]]:
    """The custom field names companies have, most used first: the companies-import preview offers them."""
    if connection.vendor == "postgresql":
        names = ("SELECT k, COUNT(*) FROM prospecting_qualifier q, jsonb_object_keys(q.custom) k "
                 "WHERE q.custom <> '{}'::jsonb GROUP BY k ORDER BY COUNT(*) DESC, k LIMIT %s")
    else:
        names = ("SELECT t.key, COUNT(*) FROM prospecting_qualifier q, json_each(q.custom) t "
                 "WHERE q.custom <> '{}' GROUP BY t.key ORDER BY COUNT(*) DESC, t.key LIMIT %s")
    return _vocabulary(names, limit)


def _vocabulary(sql: str, limit: int) -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        return [(str(name), count) for name, count in cursor.fetchall()]
