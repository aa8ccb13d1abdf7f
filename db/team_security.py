"""The roles of a team register, enforced by PostgreSQL itself.

Three group roles per register database, named after it so that being DPO of one register
gives nothing in another (roles are cluster-wide, grants are per database):

    viewer   reads everything
    editor   also changes the activities (and their rows: bases, conditions, transfers,
             retention, own fields, links) of the business functions granted to that login
             (ropa_team.editor_functions), and nothing else; may not approve
    dpo      everything: approvals, notices and publishing, libraries, the organisation's
             details, and who is in which role

A login is a member of one group. Grants decide which tables a group may touch at all; row
level security decides which activities an editor may touch; triggers refuse what a policy
cannot say loudly or at all (only a DPO approves, or changes an approved activity or its rows
while it stays approved; an editor's UPDATE or DELETE of another function's activity is
refused with an error rather than silently matching no row; an editor's change to an activity
commits only with a line about it in the change history).  The change history is
append-only and each line names the server's own login (session_user) and the server's clock,
whatever the client sent.  Every table has FORCE ROW LEVEL SECURITY, so the
login that owns the tables (whoever ran `ropa team init`) meets the same policies as a DPO.

Everything here runs in one transaction (PostgreSQL's DDL and CREATE ROLE are transactional),
so applying it again after a schema upgrade simply brings the grants up to date.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

TEAM_SCHEMA = "ropa_team"
# Every committed change is announced here (the payload names the table), so that the other
# people's windows read the register again (ropa/team_watch.py).
CHANGE_CHANNEL = "ropa_register_changed"
ROLE_KINDS = ("viewer", "editor", "dpo")

# The register's tables by what may write them.  An activity's own rows name it by
# activity_id; basis_legislation hangs off a lawful basis.
ACTIVITY_CHILD_TABLES = (
    "activity_links",
    "activity_lawful_bases",
    "activity_conditions",
    "transfers",
    "retention_rules",
    "activity_extra_fields",
)
ACTIVITY_TABLES = ("activities", *ACTIVITY_CHILD_TABLES, "basis_legislation")
HISTORY_TABLE = "change_history"
SCHEMA_VERSION_TABLE = "alembic_version"

# Columns that may change while an activity stays approved (Mark reviewed sets the review
# dates; every save bumps the version and time): the trigger below compares the rest.
_REVIEW_ONLY_COLUMNS = ("last_reviewed", "next_review", "version", "updated_at")


@dataclass(frozen=True)
class TeamRoles:
    """The group role names of one register database."""

    viewer: str
    editor: str
    dpo: str

    def of(self, kind: str) -> str:
        return str(getattr(self, kind))


def roles_for_database(database: str) -> TeamRoles:
    """Group role names for `database`: readable, at most 63 bytes, and distinct for every
    database name (a short hash of the exact name keeps "HR" and "hr" apart)."""
    slug = re.sub(r"[^a-z0-9]+", "_", database.lower()).strip("_")[:30] or "register"
    digest = hashlib.sha256(database.encode("utf-8")).hexdigest()[:8]
    prefix = f"ropa_{slug}_{digest}"
    return TeamRoles(f"{prefix}_viewer", f"{prefix}_editor", f"{prefix}_dpo")


def quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def security_statements(roles: TeamRoles, tables: list[str], sequences: list[str]) -> list[str]:
    """The statements that make a register database a team register (or bring it up to
    date): run by the tables' owner, who must be allowed to create roles."""
    v, e, d = (quoted(roles.viewer), quoted(roles.editor), quoted(roles.dpo))
    s = TEAM_SCHEMA
    statements = [
        f"CREATE SCHEMA IF NOT EXISTS {s}",
        f"REVOKE ALL ON SCHEMA {s} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {s} TO {v}, {e}, {d}",
        f"GRANT USAGE ON SCHEMA public TO {v}, {e}, {d}",
        f"""CREATE TABLE IF NOT EXISTS {s}.editor_functions (
                login name NOT NULL,
                business_function text NOT NULL,
                PRIMARY KEY (login, business_function))""",
        f"REVOKE ALL ON {s}.editor_functions FROM PUBLIC",
        f"GRANT SELECT ON {s}.editor_functions TO {v}, {e}, {d}",
        f"GRANT INSERT, UPDATE, DELETE ON {s}.editor_functions TO {d}",
        *_functions(roles),
    ]
    for table in tables:
        t = f"public.{quoted(table)}"
        statements += [
            f"REVOKE ALL ON {t} FROM PUBLIC",
            f"REVOKE ALL ON {t} FROM {v}, {e}, {d}",
            f"GRANT SELECT ON {t} TO {v}, {e}, {d}",
            f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY",
            *_drop_policies(table),
            f"CREATE POLICY team_read ON {t} FOR SELECT TO {v}, {e}, {d} USING (true)",
        ]
        if table == HISTORY_TABLE:
            # Append-only, for everyone: no UPDATE or DELETE policy at all.  An editor writes
            # lines only about activities they may edit, or one gone by then (deleting an
            # activity writes its "delete" line after the row is removed).
            statements += [
                f"GRANT INSERT ON {t} TO {e}, {d}",
                f"CREATE POLICY team_append ON {t} FOR INSERT TO {d} "
                "WITH CHECK (changed_by = session_user)",
                f"""CREATE POLICY team_editor_append ON {t} FOR INSERT TO {e}
                    WITH CHECK (changed_by = session_user AND entity_type = 'activity'
                        AND entity_id IS NOT NULL
                        AND ({TEAM_SCHEMA}.may_edit_activity(entity_id) OR NOT EXISTS (
                            SELECT 1 FROM public.activities a WHERE a.id = entity_id)))""",
            ]
        elif table == SCHEMA_VERSION_TABLE:
            # Changed only by the owner's schema upgrades.
            statements.append(f"CREATE POLICY team_upgrade ON {t} FOR ALL TO {d} USING (true)")
        else:
            statements += [
                f"GRANT INSERT, UPDATE, DELETE ON {t} TO {d}",
                f"CREATE POLICY team_dpo ON {t} FOR ALL TO {d} USING (true) WITH CHECK (true)",
            ]
        if table in ACTIVITY_TABLES:
            statements += [
                f"GRANT INSERT, UPDATE, DELETE ON {t} TO {e}",
                *_editor_policies(table, e),
            ]
    for sequence in sequences:
        q = f"public.{quoted(sequence)}"
        statements += [
            f"REVOKE ALL ON SEQUENCE {q} FROM PUBLIC",
            f"GRANT USAGE ON SEQUENCE {q} TO {d}",
        ]
        if sequence.removesuffix("_id_seq") in (*ACTIVITY_TABLES, HISTORY_TABLE):
            statements.append(f"GRANT USAGE ON SEQUENCE {q} TO {e}")
    return statements + _triggers() + _announcements(tables)


def _drop_policies(table: str) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS {name} ON public.{quoted(table)}"
        for name in ("team_read", "team_dpo", "team_append", "team_editor_append", "team_upgrade")
    ] + [
        f"DROP POLICY IF EXISTS team_editor_{verb} ON public.{quoted(table)}"
        for verb in ("insert", "update", "delete")
    ]


def _editor_policies(table: str, editor: str) -> list[str]:
    """Which rows an editor may write: those of an activity of one of their functions.

    UPDATE and DELETE see every row, and the guard triggers refuse another function's rows
    with an error: a policy alone would make the statement match no row and report success
    (and the app's save would fail half-way with nothing said).  The new row is checked by
    the policy in every case, so nothing can be moved into a function the editor lacks.
    """
    t = f"public.{quoted(table)}"
    if table == "activities":
        mine = f"{TEAM_SCHEMA}.may_edit_function(business_function)"
    elif table == "basis_legislation":
        mine = f"{TEAM_SCHEMA}.may_edit_basis(basis_id)"
    else:
        mine = f"{TEAM_SCHEMA}.may_edit_activity(activity_id)"
    return [
        f"CREATE POLICY team_editor_insert ON {t} FOR INSERT TO {editor} WITH CHECK ({mine})",
        f"CREATE POLICY team_editor_update ON {t} FOR UPDATE TO {editor} "
        f"USING (true) WITH CHECK ({mine})",
        f"CREATE POLICY team_editor_delete ON {t} FOR DELETE TO {editor} USING (true)",
    ]


def _functions(roles: TeamRoles) -> list[str]:
    s = TEAM_SCHEMA
    # The functions run as the caller (never SECURITY DEFINER) and read only what every
    # member may read; search_path is pinned so that nobody can slip a table of their own in.
    fixed = "SET search_path = pg_catalog, pg_temp"
    groups = ", ".join(f"({literal(kind)}, {literal(roles.of(kind))})" for kind in ROLE_KINDS)
    return [
        f"""CREATE OR REPLACE FUNCTION {s}.group_role(kind text) RETURNS name
            LANGUAGE sql IMMUTABLE {fixed} AS $$
            SELECT role::name FROM (VALUES {groups}) AS g(kind, role) WHERE g.kind = $1 $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.function_key(name text) RETURNS text
            LANGUAGE sql IMMUTABLE {fixed} AS $$
            SELECT lower(regexp_replace(btrim($1), '\\s+', ' ', 'g')) $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.is_dpo() RETURNS boolean
            LANGUAGE sql STABLE {fixed} AS $$
            SELECT pg_has_role(current_user, {literal(roles.dpo)}, 'USAGE') $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.may_edit_function(business_function text)
            RETURNS boolean LANGUAGE sql STABLE {fixed} AS $$
            SELECT {s}.is_dpo() OR (
                pg_has_role(current_user, {literal(roles.editor)}, 'USAGE')
                AND EXISTS (
                    SELECT 1 FROM {s}.editor_functions f
                    WHERE f.login = current_user
                    AND {s}.function_key(f.business_function) = {s}.function_key($1))) $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.may_edit_activity(activity integer)
            RETURNS boolean LANGUAGE sql STABLE {fixed} AS $$
            SELECT EXISTS (
                SELECT 1 FROM public.activities a
                WHERE a.id = $1 AND {s}.may_edit_function(a.business_function)) $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.may_edit_basis(basis integer)
            RETURNS boolean LANGUAGE sql STABLE {fixed} AS $$
            SELECT EXISTS (
                SELECT 1 FROM public.activity_lawful_bases b
                WHERE b.id = $1 AND {s}.may_edit_activity(b.activity_id)) $$""",
    ]


def _triggers() -> list[str]:
    s = TEAM_SCHEMA
    review_only = ", ".join(literal(column) for column in _REVIEW_ONLY_COLUMNS)
    refuse = "RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE ="
    return [
        # Who changed what, by the server's own word.
        f"""CREATE OR REPLACE FUNCTION {s}.stamp_history() RETURNS trigger
            LANGUAGE plpgsql {_FIXED_PATH} AS $$
            BEGIN
                NEW.changed_by := session_user;
                NEW.changed_at := (now() AT TIME ZONE 'UTC');
                RETURN NEW;
            END $$""",
        f"DROP TRIGGER IF EXISTS team_stamp ON public.{HISTORY_TABLE}",
        f"""CREATE TRIGGER team_stamp BEFORE INSERT ON public.{HISTORY_TABLE}
            FOR EACH ROW EXECUTE FUNCTION {s}.stamp_history()""",
        # The activities: an editor's reach, and approval kept to DPOs.
        f"""CREATE OR REPLACE FUNCTION {s}.guard_activity() RETURNS trigger
            LANGUAGE plpgsql {_FIXED_PATH} AS $$
            DECLARE
                label text;
            BEGIN
                IF {s}.is_dpo() THEN
                    IF TG_OP = 'UPDATE' AND NEW.status = 'approved' AND (
                        OLD.status IS DISTINCT FROM 'approved'
                        OR (OLD.changed_since_approval AND NOT NEW.changed_since_approval)
                    ) THEN
                        -- The approver is whoever the server says is signed in.
                        NEW.approved_by := session_user;
                    END IF;
                    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
                END IF;
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    label := btrim(OLD.reference || ' ' || OLD.name);
                    IF NOT {s}.may_edit_function(OLD.business_function) THEN
                        {refuse} format(
                            'Only a DPO or an editor of the business function “%s” may change '
                            'or delete %s; %s is not.',
                            OLD.business_function, label, session_user);
                    END IF;
                    IF TG_OP = 'DELETE' THEN
                        RETURN OLD;
                    END IF;
                ELSE
                    label := btrim(NEW.reference || ' ' || NEW.name);
                END IF;
                IF NEW.status = 'approved' AND (
                    TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'approved'
                ) THEN
                    {refuse} format('Only a DPO may approve an activity (%s).', label);
                END IF;
                IF TG_OP = 'INSERT' AND (NEW.approved_by <> '' OR NEW.approved_on IS NOT NULL)
                    OR TG_OP = 'UPDATE' AND (
                        NEW.approved_by IS DISTINCT FROM OLD.approved_by
                        OR NEW.approved_on IS DISTINCT FROM OLD.approved_on
                        OR (OLD.changed_since_approval AND NOT NEW.changed_since_approval))
                THEN
                    {refuse} format('Only a DPO may record an approval (%s).', label);
                END IF;
                -- Content changed under a standing approval must go back for review.
                IF TG_OP = 'UPDATE' AND OLD.status = 'approved' AND NEW.status = 'approved'
                    AND (to_jsonb(NEW) - ARRAY[{review_only}])
                        IS DISTINCT FROM (to_jsonb(OLD) - ARRAY[{review_only}])
                THEN
                    {refuse} format(
                        'Only a DPO may change %s while it stays approved: send it back for '
                        'review with the change.', label);
                END IF;
                RETURN NEW;
            END $$""",
        "DROP TRIGGER IF EXISTS team_guard ON public.activities",
        f"""CREATE TRIGGER team_guard BEFORE INSERT OR UPDATE OR DELETE ON public.activities
            FOR EACH ROW EXECUTE FUNCTION {s}.guard_activity()""",
        # An activity's own rows: changed or removed only by who may edit the activity.
        f"""CREATE OR REPLACE FUNCTION {s}.guard_activity_row() RETURNS trigger
            LANGUAGE plpgsql {_FIXED_PATH} AS $$
            DECLARE
                activity integer;
                label text;
                business_function text;
            BEGIN
                IF TG_TABLE_NAME = 'basis_legislation' THEN
                    SELECT b.activity_id INTO activity FROM public.activity_lawful_bases b
                    WHERE b.id = OLD.basis_id;
                ELSE
                    activity := OLD.activity_id;
                END IF;
                SELECT btrim(a.reference || ' ' || a.name), a.business_function
                    INTO label, business_function
                    FROM public.activities a WHERE a.id = activity;
                -- A row whose activity is gone is being removed with it (ON DELETE CASCADE).
                IF NOT FOUND OR {s}.may_edit_function(business_function) THEN
                    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
                END IF;
                {refuse} format(
                    'Only a DPO or an editor of the business function “%s” may change or '
                    'delete %s; %s is not.', business_function, label, session_user);
            END $$""",
        *[
            statement
            for table in (*ACTIVITY_CHILD_TABLES, "basis_legislation")
            for statement in (
                f"DROP TRIGGER IF EXISTS team_guard ON public.{table}",
                f"""CREATE TRIGGER team_guard BEFORE UPDATE OR DELETE ON public.{table}
                    FOR EACH ROW EXECUTE FUNCTION {s}.guard_activity_row()""",
            )
        ],
        # An approved activity's own rows are what was approved as much as its fields.  Checked
        # when the transaction commits, for what the rows' activity then is: the app sends an
        # edited activity back for review in the same transaction, and deleting an activity
        # removes its rows before it; but rows changed under an approval that still stands are
        # refused (a DPO's changes are not even queued: the WHEN is checked at once).
        f"""CREATE OR REPLACE FUNCTION {s}.guard_approved_rows() RETURNS trigger
            LANGUAGE plpgsql {_FIXED_PATH} AS $$
            DECLARE
                -- The row's activity before and after (OLD is NULL for an INSERT, NEW for a
                -- DELETE); read through jsonb because basis_legislation has no activity_id.
                activity_ids integer[] := ARRAY[
                    (to_jsonb(OLD) ->> 'activity_id')::integer,
                    (to_jsonb(NEW) ->> 'activity_id')::integer];
                label text;
            BEGIN
                IF TG_TABLE_NAME = 'basis_legislation' THEN
                    SELECT array_agg(b.activity_id) INTO activity_ids
                        FROM public.activity_lawful_bases b
                        WHERE b.id IN ((to_jsonb(OLD) ->> 'basis_id')::integer,
                                       (to_jsonb(NEW) ->> 'basis_id')::integer);
                END IF;
                SELECT btrim(a.reference || ' ' || a.name) INTO label FROM public.activities a
                    WHERE a.status = 'approved' AND a.id = ANY(activity_ids) LIMIT 1;
                IF FOUND THEN
                    {refuse} format(
                        'Only a DPO may change %s while it stays approved: send it back for '
                        'review with the change.', label);
                END IF;
                RETURN NULL;
            END $$""",
        *_checked_at_commit(
            "team_approved", (*ACTIVITY_CHILD_TABLES, "basis_legislation"), "guard_approved_rows"
        ),
        *_recorded_changes(),
    ]


def _recorded_changes() -> list[str]:
    """An editor's change to an activity or its rows commits only with a history line.

    The app writes the history of every change in the transaction that makes it (ropa/
    history.py); with psql an editor could change an activity and leave no trace.  Checked at
    commit, per changed row, for the activity the row belonged to and the one it belongs to
    now: some line about it must have been written by this transaction (its xmin is this
    transaction's id; a line written inside a savepoint has the savepoint's id and does not
    count, which refuses rather than lets through).  Deleting an activity is recorded by its
    "delete" line, written after the rows are gone.  A DPO is not checked (the WHEN, at
    once): renaming or merging a library item moves activities' links and versions with only
    the item's history line, and schema upgrades are run by the tables' owner, a DPO.
    """
    s = TEAM_SCHEMA
    refuse = "RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE ="
    return [
        f"""CREATE OR REPLACE FUNCTION {s}.require_history() RETURNS trigger
            LANGUAGE plpgsql {_FIXED_PATH} AS $$
            DECLARE
                -- The row's activity before and after (OLD is NULL for an INSERT, NEW for a
                -- DELETE; plpgsql plans this function per table, so each branch names only
                -- columns its tables have).
                before_id integer;
                after_id integer;
                activity integer;
                label text;
            BEGIN
                IF TG_TABLE_NAME = 'activities' THEN
                    before_id := OLD.id;
                    after_id := NEW.id;
                ELSIF TG_TABLE_NAME = 'basis_legislation' THEN
                    -- A basis gone by now was itself a changed row, checked on its own.
                    SELECT b.activity_id INTO before_id FROM public.activity_lawful_bases b
                        WHERE b.id = OLD.basis_id;
                    SELECT b.activity_id INTO after_id FROM public.activity_lawful_bases b
                        WHERE b.id = NEW.basis_id;
                ELSE
                    before_id := OLD.activity_id;
                    after_id := NEW.activity_id;
                END IF;
                FOREACH activity IN ARRAY ARRAY[before_id, after_id] LOOP
                    CONTINUE WHEN activity IS NULL OR EXISTS (
                        SELECT 1 FROM public.{HISTORY_TABLE} h
                        WHERE h.entity_type = 'activity' AND h.entity_id = activity
                        AND h.xmin = pg_current_xact_id()::xid);
                    SELECT btrim(a.reference || ' ' || a.name) INTO label
                        FROM public.activities a WHERE a.id = activity;
                    IF NOT FOUND AND TG_TABLE_NAME = 'activities' THEN
                        label := btrim(OLD.reference || ' ' || OLD.name);
                    END IF;
                    {refuse} format(
                        'Every change to an activity must be recorded in its change history, '
                        'and %s was changed without a line in it. Use ROPA desk, or write the '
                        'history line in the same transaction.',
                        coalesce(label, format('activity %s', activity)));
                END LOOP;
                RETURN NULL;
            END $$""",
        *_checked_at_commit("team_recorded", ACTIVITY_TABLES, "require_history"),
    ]


def _checked_at_commit(trigger: str, tables: tuple[str, ...], function: str) -> list[str]:
    """`trigger` on each of `tables`: `function` runs at commit for every row anyone but a
    DPO inserted, changed or deleted (deferred, so that the whole transaction is seen)."""
    s = TEAM_SCHEMA
    return [
        statement
        for table in tables
        for statement in (
            f"DROP TRIGGER IF EXISTS {trigger} ON public.{table}",
            f"""CREATE CONSTRAINT TRIGGER {trigger}
                AFTER INSERT OR UPDATE OR DELETE ON public.{table}
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                WHEN (NOT {s}.is_dpo()) EXECUTE FUNCTION {s}.{function}()""",
        )
    ]


_FIXED_PATH = "SET search_path = pg_catalog, pg_temp"


def _announcements(tables: list[str]) -> list[str]:
    """A NOTIFY per changing statement (PostgreSQL folds the same one within a transaction
    into one, and delivers it only when the transaction commits)."""
    s = TEAM_SCHEMA
    statements = [
        f"""CREATE OR REPLACE FUNCTION {s}.announce_change() RETURNS trigger
            LANGUAGE plpgsql {_FIXED_PATH} AS $$
            BEGIN
                PERFORM pg_notify({literal(CHANGE_CHANNEL)}, TG_TABLE_NAME);
                RETURN NULL;
            END $$"""
    ]
    for table in tables:
        if table in (HISTORY_TABLE, SCHEMA_VERSION_TABLE):
            continue
        t = f"public.{quoted(table)}"
        statements += [
            f"DROP TRIGGER IF EXISTS team_announce ON {t}",
            f"""CREATE TRIGGER team_announce AFTER INSERT OR UPDATE OR DELETE ON {t}
                FOR EACH STATEMENT EXECUTE FUNCTION {s}.announce_change()""",
        ]
    return statements


def register_relations(connection: Any) -> tuple[list[str], list[str]]:
    """The register's tables and sequences in the public schema (psycopg connection)."""
    rows = connection.execute(
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S') ORDER BY c.relname"
    ).fetchall()
    tables = [name for name, kind in rows if kind in ("r", "p")]
    sequences = [name for name, kind in rows if kind == "S"]
    return tables, sequences
