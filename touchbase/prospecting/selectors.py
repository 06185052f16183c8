"""Big reads for prospecting: company rows streamed in id order with their people's titles.

Companies are read in keyset batches (`id > last ORDER BY id LIMIT n`) rather than through one
long cursor, so memory stays bounded on both databases and the fit rows can be written between
batches without an open SELECT on the same tables (undefined behaviour on SQLite).
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import connection

BATCH = 20_000

_COMPANY_SELECT = """
    SELECT c.id, c.name, c.domain, c.website, c.industry, c.employee_count, c.country, c.notes,
           COALESCE(q.willing_to_be_measured, 'unknown'),
           f.tier, f.framework_id, f.score, CAST(f.met AS TEXT)
    FROM crm_company c
    LEFT JOIN prospecting_qualifier q ON q.company_id = c.id
    LEFT JOIN prospecting_companyfit f ON f.company_id = c.id
"""


def company_batches(*, ids: Iterable[int] | None = None, with_titles: bool = True,
                    batch: int | None = None) -> Iterator[tuple[list[tuple], dict[int, list[str]]]]:
    """Yield (rows, titles by company id) batches.

    Each row is (id, *COMPANY_COLUMNS values, current tier, framework id, score, met as text);
    the current fit values are None for a company never scored.
    """
    batch = batch or BATCH
    with connection.cursor() as cursor:
        if ids is None:
            last = 0
            while True:
                cursor.execute(_COMPANY_SELECT + " WHERE c.id > %s ORDER BY c.id LIMIT %s", [last, batch])
                rows = cursor.fetchall()
                if not rows:
                    return
                titles = _titles(cursor, "company_id BETWEEN %s AND %s", [rows[0][0], rows[-1][0]]) \
                    if with_titles else {}
                yield rows, titles
                last = rows[-1][0]
        else:
            wanted = sorted(set(ids))
            # Small IN lists: SQLite caps the number of parameters of one statement.
            step = min(batch, 900)
            for start in range(0, len(wanted), step):
                chunk = wanted[start:start + step]
                marks = ",".join(["%s"] * len(chunk))
                cursor.execute(_COMPANY_SELECT + f" WHERE c.id IN ({marks}) ORDER BY c.id", chunk)
                rows = cursor.fetchall()
                titles = _titles(cursor, f"company_id IN ({marks})", chunk) if with_titles else {}
                yield rows, titles


def _titles(cursor, where: str, params: list) -> dict[int, list[str]]:
    cursor.execute(f"SELECT company_id, title FROM crm_person WHERE {where} AND title <> ''", params)
    titles: dict[int, list[str]] = defaultdict(list)
    for company_id, title in cursor.fetchall():
        titles[company_id].append(title)
    return titles
