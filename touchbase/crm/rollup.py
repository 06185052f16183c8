"""The triggers that keep TouchDay and FirstReply equal to counting the touches, and the recount.

Triggers rather than the touch services, because touches are also written
where no service runs: deletes that cascade from a person or a company, bulk
loads (the demo, the benches, an import), the admin, and a deleted user's
touches set to nobody. The trigger runs in the writing statement's own
transaction, so a rollback takes the count back with it.

Migration 0005 installs them; a later change here needs a migration that calls
`install` again (each statement replaces what it defines).
"""

SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS crm_touch_rollup_insert",
    "DROP TRIGGER IF EXISTS crm_touch_rollup_delete",
    "DROP TRIGGER IF EXISTS crm_touch_rollup_update",
    """CREATE TRIGGER crm_touch_rollup_insert AFTER INSERT ON crm_touch BEGIN
        {add};
    END""",
    """CREATE TRIGGER crm_touch_rollup_delete AFTER DELETE ON crm_touch BEGIN
        {remove};
    END""",
    """CREATE TRIGGER crm_touch_rollup_update AFTER UPDATE OF happened_at, by_id, kind, direction, person_id
        ON crm_touch
        WHEN OLD.happened_at IS NOT NEW.happened_at OR OLD.by_id IS NOT NEW.by_id OR OLD.kind IS NOT NEW.kind
          OR OLD.direction IS NOT NEW.direction OR OLD.person_id IS NOT NEW.person_id BEGIN
        {remove};
        {add};
    END""",
]

# NEW's touch counted, and made its person's first reply if it is inbound and earlier (ties: lower id).
_SQLITE_ADD = """
    INSERT INTO crm_touchday (day, "by", kind, direction, touches)
    VALUES (date(NEW.happened_at), coalesce(NEW.by_id, 0), NEW.kind, NEW.direction, 1)
    ON CONFLICT (day, "by", kind, direction) DO UPDATE SET touches = touches + 1;
    INSERT INTO crm_firstreply (person_id, touch_id, happened_at, "by")
    SELECT NEW.person_id, NEW.id, NEW.happened_at, coalesce(NEW.by_id, 0)
    WHERE NEW.direction = 'in' AND NEW.person_id IS NOT NULL
    ON CONFLICT (person_id) DO UPDATE SET touch_id = excluded.touch_id, happened_at = excluded.happened_at,
        "by" = excluded."by"
    WHERE (excluded.happened_at, excluded.touch_id) < (crm_firstreply.happened_at, crm_firstreply.touch_id)"""

# OLD's touch uncounted; if it was its person's first reply, the next one (if any) takes its place.
_SQLITE_REMOVE = """
    UPDATE crm_touchday SET touches = touches - 1
    WHERE day = date(OLD.happened_at) AND "by" = coalesce(OLD.by_id, 0) AND kind = OLD.kind
      AND direction = OLD.direction;
    DELETE FROM crm_firstreply WHERE person_id = OLD.person_id AND touch_id = OLD.id;
    INSERT INTO crm_firstreply (person_id, touch_id, happened_at, "by")
    SELECT person_id, id, happened_at, coalesce(by_id, 0) FROM crm_touch
    WHERE OLD.direction = 'in' AND person_id = OLD.person_id AND direction = 'in'
      AND NOT EXISTS (SELECT 1 FROM crm_firstreply WHERE person_id = OLD.person_id)
    ORDER BY happened_at, id LIMIT 1"""

SQLITE_TRIGGERS = [s.format(add=_SQLITE_ADD, remove=_SQLITE_REMOVE) for s in SQLITE_TRIGGERS]

# PostgreSQL runs a row trigger at the end of its statement, so a DELETE of many touches
# promotes each person's next reply from what is left after the whole statement.
POSTGRES_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION crm_touch_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND OLD.happened_at = NEW.happened_at AND OLD.by_id IS NOT DISTINCT FROM NEW.by_id
           AND OLD.kind = NEW.kind AND OLD.direction = NEW.direction
           AND OLD.person_id IS NOT DISTINCT FROM NEW.person_id THEN
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE crm_touchday SET touches = touches - 1
            WHERE day = (OLD.happened_at AT TIME ZONE 'UTC')::date AND "by" = coalesce(OLD.by_id, 0)
              AND kind = OLD.kind AND direction = OLD.direction;
            IF OLD.direction = 'in' AND OLD.person_id IS NOT NULL THEN
                DELETE FROM crm_firstreply WHERE person_id = OLD.person_id AND touch_id = OLD.id;
                IF FOUND THEN
                    INSERT INTO crm_firstreply (person_id, touch_id, happened_at, "by")
                    SELECT person_id, id, happened_at, coalesce(by_id, 0) FROM crm_touch
                    WHERE person_id = OLD.person_id AND direction = 'in' ORDER BY happened_at, id LIMIT 1;
                END IF;
            END IF;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            INSERT INTO crm_touchday (day, "by", kind, direction, touches)
            VALUES ((NEW.happened_at AT TIME ZONE 'UTC')::date, coalesce(NEW.by_id, 0), NEW.kind, NEW.direction, 1)
            ON CONFLICT (day, "by", kind, direction) DO UPDATE SET touches = crm_touchday.touches + 1;
            IF NEW.direction = 'in' AND NEW.person_id IS NOT NULL THEN
                INSERT INTO crm_firstreply (person_id, touch_id, happened_at, "by")
                VALUES (NEW.person_id, NEW.id, NEW.happened_at, coalesce(NEW.by_id, 0))
                ON CONFLICT (person_id) DO UPDATE SET touch_id = excluded.touch_id,
                    happened_at = excluded.happened_at, "by" = excluded."by"
                WHERE (excluded.happened_at, excluded.touch_id)
                    < (crm_firstreply.happened_at, crm_firstreply.touch_id);
            END IF;
        END IF;
        RETURN NULL;
    END $$""",
    "DROP TRIGGER IF EXISTS crm_touch_rollup ON crm_touch",
    """CREATE TRIGGER crm_touch_rollup
        AFTER INSERT OR DELETE OR UPDATE OF happened_at, by_id, kind, direction, person_id ON crm_touch
        FOR EACH ROW EXECUTE FUNCTION crm_touch_rollup()""",
]

UNINSTALL = {
    "sqlite": ["DROP TRIGGER IF EXISTS crm_touch_rollup_insert", "DROP TRIGGER IF EXISTS crm_touch_rollup_delete",
               "DROP TRIGGER IF EXISTS crm_touch_rollup_update"],
    "postgresql": ["DROP TRIGGER IF EXISTS crm_touch_rollup ON crm_touch",
                   "DROP FUNCTION IF EXISTS crm_touch_rollup()"],
}

_DAY = {"sqlite": "date(happened_at)", "postgresql": "(happened_at AT TIME ZONE 'UTC')::date"}

REBUILD = [
    "DELETE FROM crm_touchday",
    """INSERT INTO crm_touchday (day, "by", kind, direction, touches)
       SELECT {day}, coalesce(by_id, 0), kind, direction, count(*) FROM crm_touch GROUP BY 1, 2, 3, 4""",
    "DELETE FROM crm_firstreply",
    """INSERT INTO crm_firstreply (person_id, touch_id, happened_at, "by")
       SELECT person_id, id, happened_at, coalesce(by_id, 0) FROM (
           SELECT person_id, id, happened_at, by_id,
                  row_number() OVER (PARTITION BY person_id ORDER BY happened_at, id) AS nth
           FROM crm_touch WHERE direction = 'in' AND person_id IS NOT NULL) AS replies
       WHERE nth = 1""",
]


def install(connection) -> None:
    statements = SQLITE_TRIGGERS if connection.vendor == "sqlite" else POSTGRES_TRIGGERS
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for sql in UNINSTALL[connection.vendor]:
            cursor.execute(sql)


def rebuild(connection) -> None:
    """Recount both rollups from the touches; the caller holds a transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Writers wait until the recount commits, so none of their changes falls between its reads.
            cursor.execute("LOCK TABLE crm_touch IN SHARE MODE")
        for sql in REBUILD:
            cursor.execute(sql.format(day=_DAY[connection.vendor]))
