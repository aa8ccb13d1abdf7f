"""The roles of a team register, enforced by PostgreSQL itself.

Four roles per register database, named after it so that being DPO of one register gives
nothing in another (roles are cluster-wide, grants are per database):

    owner    owns the tables, functions, triggers and policies; NOLOGIN, so nobody signs in
             as it.  The IT team's administrator login becomes it (SET ROLE) only while
             `ropa team init` sets the register up or upgrades it, and is no member of it
             afterwards.
    viewer   reads everything
    editor   also changes the activities (and their rows: bases, conditions, transfers,
             retention, own fields, links) of the business functions granted to that login
             (ropa_team.editor_functions), and nothing else; may not approve, and may not
             delete, retire or move the review dates of an activity once it was approved
    dpo      everything in the register: approvals, notices and publishing, libraries, the
             organisation's details, and who is in which role (through ropa_team.set_member)

A person's login is a member of one group, which may alter, disable or bypass nothing: none
of them owns a table, and a login with CREATEROLE, BYPASSRLS or superuser is never given a
role (it could make itself the owner).  Grants decide which tables a group may touch at all;
row level security decides which activities an editor may touch; triggers refuse what a
policy cannot say loudly or at all.

The change history is written by the server alone: every change to an activity, its rows,
the organisation, the libraries, the notices and the team writes its lines from a trigger
(SECURITY DEFINER: no member may insert into the history), stamped with session_user and
the server's clock, whoever made it and however.  Nobody may change or remove a line.
What a client could falsify is set by the server too: when an activity or a notice was made
and changed, who approved an activity and who published a notice version; and a value the
app cannot read (outside its enums and the reference law's codes) is refused.

Everything here runs in one transaction (PostgreSQL's DDL and CREATE ROLE are transactional),
so applying it again after a schema upgrade simply brings the grants up to date.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from db.activity_tables import ACTIVITY_CHILD_TABLES as _ACTIVITY_CHILDREN
from db.activity_tables import ACTIVITY_TABLE_NAMES
from db.enums import Role, Status
from db.storage_options import LONGEST_BUSY_WAIT_SECONDS, SQLITE_IN_PROCESS

TEAM_SCHEMA = "ropa_team"
# Every committed change is announced here, so that the other people's windows read the
# register again (ropa/team_watch.py).  The listener trusts nothing in it: it looks for new
# history lines before it says anything changed.
CHANGE_CHANNEL = "ropa_register_changed"
ROLE_KINDS = ("viewer", "editor", "dpo")

# The register's tables by what may write them, from their one description
# (db/activity_tables.py).  An activity's own rows name it by activity_id; basis_legislation
# hangs off a lawful basis.
ACTIVITY_CHILD_TABLES = tuple(child.table for child in _ACTIVITY_CHILDREN)
# Every table of an activity's rows but its own: the child tables and the rows under theirs.
ACTIVITY_ROW_TABLES = ACTIVITY_TABLE_NAMES[1:]
ACTIVITY_TABLES = ACTIVITY_TABLE_NAMES
HISTORY_TABLE = "change_history"
SCHEMA_VERSION_TABLE = "alembic_version"

# The version of the protections `team init` installs: raised whenever they change in a way
# a register set up earlier must be given (they reach it only when team init runs again).
# 1: before the version was stamped. 2: nobody else may create in the schema public; server
# clock and login for times, approvers and publishers; the vocabularies guarded; a history
# value cut past 20,000 characters carries a fingerprint of the whole.
PROTECTIONS_VERSION = 2

# The longest text a history line keeps of one value (a whole row, for a deleted row); a
# longer one is cut, saying how long it was and with a fingerprint of the whole (the start of
# its MD5), so that a change past the cut still shows as old and new values that differ. A
# deleted activity's line may be longer, as it holds the activity with all its rows.
HISTORY_VALUE_CHARS = 20_000
DELETED_ACTIVITY_CHARS = 400_000
# The longest text one field of an activity may hold (a long description is a few thousand
# characters; 64 MB in one cell made every export fail).
ACTIVITY_TEXT_CHARS = 100_000
# How long a save waits for the register's writer lock before it says who holds it: the
# app's busy wait (StorageOptions.busy_wait_seconds), which every session of the app sets as
# WRITER_WAIT_SETTING, in milliseconds (db/server.py session_options). Without the setting
# (a psql session, or an older app) the default; a value out of bounds is brought within
# them, so that no session can be told to wait for ever.
WRITER_WAIT_SETTING = "ropa.writer_wait_ms"

# Server settings for every session in a register database (ALTER DATABASE ... SET): a
# psql session left open in a transaction cannot hold the team up for long.  The app's own
# sessions set shorter ones (db/server.py).
DATABASE_SETTINGS = {
    "lock_timeout": "10s",
    "idle_in_transaction_session_timeout": "5min",
}


# The shipped reference law (resources/law), whose codes some columns hold; read here, not
# through ropa/, which db/ never imports.
_LAW_DIR = Path(__file__).resolve().parent.parent / "resources" / "law"


def _law_entries(name: str) -> list[dict[str, Any]]:
    with (_LAW_DIR / f"{name}.json").open(encoding="utf-8") as handle:
        entries: list[dict[str, Any]] = json.load(handle)
    return entries


def _law_codes(name: str) -> tuple[str, ...]:
    return tuple(str(entry["code"]) for entry in _law_entries(name))


@dataclass(frozen=True)
class Vocabulary:
    """Every value the app reads in `table`.`column`; with `when`, only for the rows whose
    column `when[0]` holds `when[1]` (a condition's code depends on its scheme)."""

    table: str
    column: str
    allowed: tuple[str, ...]
    when: tuple[str, str] | None = None


@cache
def column_vocabularies() -> tuple[Vocabulary, ...]:
    """The app's enums and the codes of the reference law, by the columns that hold them
    ("" where a column may be left unanswered).  A value outside them made export and check
    fail for everyone (review3 finding 2), so the server refuses it."""
    schedule1 = tuple(str(entry["paragraph"]) for entry in _law_entries("schedule1_conditions"))
    return (
        Vocabulary("activities", "role", tuple(Role)),
        Vocabulary("activities", "status", tuple(Status)),
        Vocabulary("activities", "article10_basis", ("", *_law_codes("article10_bases"))),
        Vocabulary("activity_lawful_bases", "basis", _law_codes("lawful_bases")),
        Vocabulary("activity_conditions", "scheme", ("article9", "schedule1")),
        Vocabulary(
            "activity_conditions",
            "code",
            _law_codes("article9_conditions"),
            when=("scheme", "article9"),
        ),
        Vocabulary("activity_conditions", "code", schedule1, when=("scheme", "schedule1")),
        Vocabulary("transfers", "mechanism", ("", *_law_codes("transfer_mechanisms"))),
        # Article 46(1A)(a)(ii)'s data protection test: met, not met, or not recorded.
        Vocabulary("transfers", "data_protection_test", ("", "yes", "no")),
    )


@dataclass(frozen=True)
class TeamRoles:
    """The role names of one register database."""

    viewer: str
    editor: str
    dpo: str
    owner: str

    def of(self, kind: str) -> str:
        return str(getattr(self, kind))

    @property
    def groups(self) -> list[str]:
        return [self.viewer, self.editor, self.dpo]


def roles_for_database(database: str) -> TeamRoles:
    """Role names for `database`: readable, at most 63 bytes, and distinct for every
    database name (a short hash of the exact name keeps "HR" and "hr" apart)."""
    slug = re.sub(r"[^a-z0-9]+", "_", database.lower()).strip("_")[:30] or "register"
    digest = hashlib.sha256(database.encode("utf-8")).hexdigest()[:8]
    prefix = f"ropa_{slug}_{digest}"
    return TeamRoles(f"{prefix}_viewer", f"{prefix}_editor", f"{prefix}_dpo", f"{prefix}_owner")


def quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def database_statements(roles: TeamRoles, database: str) -> list[str]:
    """Run by the database's owner (the IT team's administrator login) before it becomes
    the owner role: who may connect at all, and what the owner role may create."""
    db = quoted(database)
    groups = ", ".join(quoted(group) for group in roles.groups)
    o = quoted(roles.owner)
    return [
        # No role, no entry: a login with no role in the register cannot even connect, so it
        # can neither hold locks nor use up the register's connections nor send signals.
        f"REVOKE CONNECT, TEMPORARY ON DATABASE {db} FROM PUBLIC",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {groups}",
        f"GRANT CONNECT, CREATE ON DATABASE {db} TO {o}",
        # The register's tables live in public, and its statements find functions and
        # operators there: nobody else may create any (PostgreSQL 14 and earlier let PUBLIC,
        # and an upgraded server keeps that). Where the administrator cannot take the right
        # away, team init refuses (ropa/team.py). The members' groups get USAGE by name, here:
        # the owner role, which grants the rest, holds no grant option on the schema.
        "REVOKE ALL ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {groups}",
        f"GRANT USAGE, CREATE ON SCHEMA public TO {o}",
        *[
            f"ALTER DATABASE {db} SET {name} = {literal(value)}"
            for name, value in DATABASE_SETTINGS.items()
        ],
    ]


def security_statements(roles: TeamRoles, tables: list[str], sequences: list[str]) -> list[str]:
    """The statements that make a register database a team register (or bring it up to
    date): run as the owner role (SET ROLE), which holds the groups WITH ADMIN OPTION."""
    v, e, d, o = (
        quoted(roles.viewer),
        quoted(roles.editor),
        quoted(roles.dpo),
        quoted(roles.owner),
    )
    s = TEAM_SCHEMA
    statements = [
        f"CREATE SCHEMA IF NOT EXISTS {s}",
        f"REVOKE ALL ON SCHEMA {s} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {s} TO {v}, {e}, {d}",
        f"""CREATE TABLE IF NOT EXISTS {s}.editor_functions (
                login name NOT NULL,
                business_function text NOT NULL,
                PRIMARY KEY (login, business_function))""",
        # Changed only through set_member (which writes the history line): no DPO edits it.
        f"REVOKE ALL ON {s}.editor_functions FROM PUBLIC",
        f"REVOKE ALL ON {s}.editor_functions FROM {v}, {e}, {d}",
        f"GRANT SELECT ON {s}.editor_functions TO {v}, {e}, {d}",
        # One row, locked by whoever saves (take_writer_lock); nobody else may touch it.
        f"CREATE TABLE IF NOT EXISTS {s}.writer_lock (id integer PRIMARY KEY CHECK (id = 1))",
        f"INSERT INTO {s}.writer_lock VALUES (1) ON CONFLICT DO NOTHING",
        f"REVOKE ALL ON {s}.writer_lock FROM PUBLIC",
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
            # The owner's triggers write the history, and upgrades run as the owner.
            f"CREATE POLICY team_owner ON {t} FOR ALL TO {o} USING (true) WITH CHECK (true)",
        ]
        if table in (HISTORY_TABLE, SCHEMA_VERSION_TABLE):
            # The history is written by the server's triggers alone; the schema version by
            # the owner's upgrades.
            continue
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
            f"REVOKE ALL ON SEQUENCE {q} FROM {v}, {e}, {d}",
        ]
        if sequence.removesuffix("_id_seq") == HISTORY_TABLE:
            continue  # only the owner's triggers write history lines
        statements.append(f"GRANT USAGE ON SEQUENCE {q} TO {d}")
        if sequence.removesuffix("_id_seq") in ACTIVITY_TABLES:
            statements.append(f"GRANT USAGE ON SEQUENCE {q} TO {e}")
    return statements + _triggers(roles) + _history(tables) + _announcements(tables)


def _drop_policies(table: str) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS {name} ON public.{quoted(table)}"
        for name in (
            "team_read",
            "team_dpo",
            "team_owner",
            "team_append",
            "team_editor_append",
            "team_upgrade",
        )
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


_FIXED_PATH = "SET search_path = pg_catalog, pg_temp"
# The server's clock, in UTC like every timestamp the app stores (db/models.py utc_now).
_SERVER_CLOCK = "(now() AT TIME ZONE 'UTC')"
# A row's times by the server's clock, whatever the client sent (in a BEFORE INSERT OR UPDATE
# row trigger): when it was made, and when it last changed.
_SERVER_TIMES = f"""IF TG_OP = 'INSERT' THEN
                    NEW.created_at := {_SERVER_CLOCK};
                    NEW.updated_at := NEW.created_at;
                ELSIF TG_OP = 'UPDATE' THEN
                    NEW.created_at := OLD.created_at;
                    NEW.updated_at := {_SERVER_CLOCK};
                END IF;"""
# Every RAISE of the register's own names its schema (SCHEMA = 'ropa_team', read back as
# diag.schema_name): the app tells its own refusals, worded in English here, from the
# server's, whose message text follows lc_messages and is never read to decide anything.
_OWN = f"SCHEMA = {literal(TEAM_SCHEMA)}"
_REFUSE = f"RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', {_OWN}, MESSAGE ="


def _functions(roles: TeamRoles) -> list[str]:
    s = TEAM_SCHEMA
    # The checks run as the caller and read only what every member may read; search_path
    # is pinned so that nobody can slip a table of their own in.  Functions that must do
    # more than the caller may (lock, record, hand out roles) are SECURITY DEFINER, owned
    # by the owner role, and callable only by the groups that need them.
    fixed = _FIXED_PATH
    default_wait_ms = SQLITE_IN_PROCESS.busy_wait_ms
    longest_wait_ms = round(LONGEST_BUSY_WAIT_SECONDS * 1000)
    kinds = (*ROLE_KINDS, "owner")
    groups = ", ".join(f"({literal(kind)}, {literal(roles.of(kind))})" for kind in kinds)
    every_group = ", ".join(quoted(group) for group in roles.groups)
    writers = f"{quoted(roles.editor)}, {quoted(roles.dpo)}"
    return [
        f"""CREATE OR REPLACE FUNCTION {s}.group_role(kind text) RETURNS name
            LANGUAGE sql IMMUTABLE {fixed} AS $$
            SELECT role::name FROM (VALUES {groups}) AS g(kind, role) WHERE g.kind = $1 $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.protections_version() RETURNS integer
            LANGUAGE sql IMMUTABLE {fixed} AS $$ SELECT {PROTECTIONS_VERSION} $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.function_key(name text) RETURNS text
            LANGUAGE sql IMMUTABLE {fixed} AS $$
            SELECT lower(regexp_replace(btrim($1), '\\s+', ' ', 'g')) $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.is_dpo() RETURNS boolean
            LANGUAGE sql STABLE {fixed} AS $$
            SELECT pg_has_role(current_user, {literal(roles.dpo)}, 'USAGE') $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.is_owner() RETURNS boolean
            LANGUAGE sql STABLE {fixed} AS $$
            SELECT current_user = {literal(roles.owner)}::name $$""",
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
        f"""CREATE OR REPLACE FUNCTION {s}.bounded(value text, most integer) RETURNS text
            LANGUAGE sql IMMUTABLE {fixed} AS $$
            SELECT CASE WHEN $1 IS NULL THEN ''
                WHEN length($1) <= $2 THEN $1
                ELSE left($1, $2) || format(
                    ' [cut here: %s characters in all, fingerprint %s]',
                    length($1), left(md5($1), 12))
            END $$""",
        # Whether an activity id was ever used (its history names it) or lies beyond what
        # the id sequence has handed out: an id is never given twice, so an old activity's
        # history never attaches to a new one.
        f"""CREATE OR REPLACE FUNCTION {s}.activity_id_taken(activity integer)
            RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER {fixed} AS $$
            DECLARE
                handed_out bigint;
            BEGIN
                EXECUTE format('SELECT last_value FROM %s',
                    pg_get_serial_sequence('public.activities', 'id')) INTO handed_out;
                RETURN activity > handed_out OR EXISTS (
                    SELECT 1 FROM public.{HISTORY_TABLE} h
                    WHERE h.entity_type = 'activity' AND h.entity_id = activity);
            END $$""",
        f"REVOKE ALL ON FUNCTION {s}.activity_id_taken(integer) FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {s}.activity_id_taken(integer) TO {writers}",
        # The register's one writer at a time: a row lock only this function can take.  A
        # save that waits longer than its wait (WRITER_WAIT_SETTING) is told who holds it.
        # Taken without an exception block (a subtransaction would lock the row under an id
        # of its own, which pg_locks does not show): tried, and tried again until the wait
        # is up, then the holder is named from the row's locker.
        f"""CREATE OR REPLACE FUNCTION {s}.take_writer_lock() RETURNS void
            LANGUAGE plpgsql SECURITY DEFINER {fixed} AS $$
            DECLARE
                holder text;
                wait_ms integer := least(greatest(coalesce(nullif(current_setting(
                    {literal(WRITER_WAIT_SETTING)}, true), '')::integer, {default_wait_ms}),
                    1), {longest_wait_ms});
                give_up timestamptz := clock_timestamp() + wait_ms * interval '1 millisecond';
            BEGIN
                -- A viewer writes nothing, so never waits for or holds up anyone: the
                -- grants then refuse whatever it tries, in their own words.
                IF NOT (pg_has_role(session_user, {literal(roles.editor)}, 'USAGE')
                        OR pg_has_role(session_user, {literal(roles.dpo)}, 'USAGE')) THEN
                    RETURN;
                END IF;
                LOOP
                    PERFORM 1 FROM {s}.writer_lock WHERE id = 1 FOR UPDATE SKIP LOCKED;
                    IF FOUND THEN
                        RETURN;
                    END IF;
                    EXIT WHEN clock_timestamp() > give_up;
                    PERFORM pg_sleep(0.05);
                END LOOP;
                SELECT string_agg(DISTINCT a.usename, ', ') INTO holder
                    FROM {s}.writer_lock w
                    JOIN pg_locks l ON l.locktype = 'transactionid'
                        AND l.transactionid = w.xmax AND l.granted
                    JOIN pg_stat_activity a ON a.pid = l.pid
                    WHERE w.id = 1;
                RAISE EXCEPTION USING ERRCODE = 'lock_not_available', {_OWN}, MESSAGE = format(
                    'The register is busy: %s is saving to it and has not finished after %s s. '
                    'Nothing was changed; wait a moment and save again.',
                    coalesce(holder, 'someone'),
                    rtrim(rtrim(to_char(wait_ms / 1000.0, 'FM99990.999'), '0'), '.'));
            END $$""",
        f"REVOKE ALL ON FUNCTION {s}.take_writer_lock() FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {s}.take_writer_lock() TO {every_group}",
        *_membership_functions(roles),
    ]


def _membership_functions(roles: TeamRoles) -> list[str]:
    """Who is in which role, changed only here: each change writes its history line.

    `assign_role` does the work as the owner (who holds the groups WITH ADMIN OPTION) and
    is callable by nobody else; `set_member` lets a DPO call it.  No member holds a group
    WITH ADMIN OPTION, so no one can GRANT a role past the history.
    """
    s = TEAM_SCHEMA
    kinds = {kind: literal(roles.of(kind)) for kind in ROLE_KINDS}
    all_roles = ", ".join(literal(name) for name in (*roles.groups, roles.owner))
    return [
        f"""CREATE OR REPLACE FUNCTION {s}.role_of(person name) RETURNS text
            LANGUAGE sql STABLE {_FIXED_PATH} AS $$
            SELECT kind FROM unnest(ARRAY['dpo', 'editor', 'viewer']) AS kind
            WHERE EXISTS (
                SELECT 1 FROM pg_auth_members m
                JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member
                WHERE r.rolname = person AND g.rolname = {s}.group_role(kind))
            LIMIT 1 $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.assign_role(
                person name, kind text, functions text[]) RETURNS void
            LANGUAGE plpgsql {_FIXED_PATH} AS $$
            DECLARE
                target pg_roles%ROWTYPE;
                before text;
                group_name name;
            BEGIN
                IF kind NOT IN ('viewer', 'editor', 'dpo') THEN
                    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', {_OWN},
                        MESSAGE = format('The role must be viewer, editor or dpo, not %s.', kind);
                END IF;
                SELECT * INTO target FROM pg_roles WHERE rolname = person;
                IF NOT FOUND THEN
                    RAISE EXCEPTION USING ERRCODE = 'undefined_object', {_OWN}, MESSAGE = format(
                        'There is no login %s on the server. Ask the IT team to create it '
                        '(createuser --connection-limit=10 %s), then add it again.',
                        person, person);
                END IF;
                IF person IN ({all_roles}) OR NOT target.rolcanlogin THEN
                    {_REFUSE} format('%s is not a person''s login (it cannot sign in).', person);
                END IF;
                IF target.rolsuper OR target.rolcreaterole OR target.rolbypassrls THEN
                    {_REFUSE} format(
                        '%s may create roles or bypass the server''s rules (superuser, '
                        'CREATEROLE or BYPASSRLS), so the register''s rules could not hold '
                        'it. Give the person a login of their own without those rights '
                        '(the IT team keeps the administrator login for set-up only).',
                        person);
                END IF;
                before := {s}.role_of(person);
                IF before = 'dpo' AND kind <> 'dpo' AND (
                    SELECT count(*) FROM pg_auth_members m
                    JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid
                    WHERE g.rolname = {kinds["dpo"]} AND r.rolcanlogin) <= 1
                THEN
                    RAISE EXCEPTION USING ERRCODE = 'check_violation', {_OWN}, MESSAGE = format(
                        '%s is the register''s only DPO: make someone else DPO first, so '
                        'that someone can still manage the team.', person);
                END IF;
                FOREACH group_name IN ARRAY ARRAY[{", ".join(kinds.values())}]::name[] LOOP
                    IF group_name <> {s}.group_role(kind) THEN
                        EXECUTE format('REVOKE %I FROM %I', group_name, person);
                    END IF;
                END LOOP;
                EXECUTE format('GRANT %I TO %I', {s}.group_role(kind), person);
                DELETE FROM {s}.editor_functions f WHERE f.login = person;
                INSERT INTO {s}.editor_functions (login, business_function)
                    SELECT DISTINCT person, btrim(name) FROM unnest(functions) AS name
                    WHERE btrim(name) <> '';
                INSERT INTO public.{HISTORY_TABLE}
                    (entity_type, entity_id, entity_label, action, field, old_value, new_value)
                    VALUES ('team', NULL, person, 'role', 'role', coalesce(before, ''), kind);
            END $$""",
        f"REVOKE ALL ON FUNCTION {s}.assign_role(name, text, text[]) FROM PUBLIC",
        f"""CREATE OR REPLACE FUNCTION {s}.set_member(
                person name, kind text, functions text[]) RETURNS void
            LANGUAGE plpgsql SECURITY DEFINER {_FIXED_PATH} AS $$
            BEGIN
                IF NOT pg_has_role(session_user, {kinds["dpo"]}, 'USAGE') THEN
                    {_REFUSE} format('Only a DPO of this register may add people to it or '
                        'change their role; %s is not one.', session_user);
                END IF;
                PERFORM {s}.assign_role(person, kind, functions);
            END $$""",
        f"REVOKE ALL ON FUNCTION {s}.set_member(name, text, text[]) FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {s}.set_member(name, text, text[]) TO {quoted(roles.dpo)}",
    ]


def _row_triggers(trigger: str, when: str, tables: Iterable[str], function: str) -> list[str]:
    """The statements that put the row trigger `trigger` (`when`: "BEFORE UPDATE OR
    DELETE" and the like) on each of `tables` afresh, calling `function`."""
    return [
        statement
        for table in tables
        for statement in (
            f"DROP TRIGGER IF EXISTS {trigger} ON public.{table}",
            f"CREATE TRIGGER {trigger} {when} ON public.{table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        )
    ]


def _triggers(roles: TeamRoles) -> list[str]:
    s = TEAM_SCHEMA
    refuse = _REFUSE
    text_columns = literal(str(ACTIVITY_TEXT_CHARS))
    return [
        # The version check: each change carries the version it was based on, plus one, so
        # a change based on an older version than the stored one (someone saved in between)
        # is refused rather than overwriting it.  After the checks of who may change what,
        # so that a refusal for want of a role says so.
        f"""CREATE OR REPLACE FUNCTION {s}.check_version(old_row public.activities,
                new_row public.activities) RETURNS void
            LANGUAGE plpgsql {_FIXED_PATH} AS $$
            BEGIN
                IF new_row.version IS DISTINCT FROM old_row.version + 1 THEN
                    RAISE EXCEPTION USING ERRCODE = 'serialization_failure', {_OWN},
                        MESSAGE = format(
                        '%s was changed by someone else since this change was based on it '
                        '(it is at version %s; this change gave version %s, not %s). Nothing '
                        'was changed: open it again and redo the change.',
                        btrim(old_row.reference || ' ' || old_row.name), old_row.version,
                        coalesce(new_row.version::text, 'none'), old_row.version + 1);
                END IF;
            END $$""",
        # The activities: an editor's reach, approval kept to DPOs, approved entries kept to
        # DPOs, the version check, and ids never used twice.
        f"""CREATE OR REPLACE FUNCTION {s}.guard_activity() RETURNS trigger
            LANGUAGE plpgsql {_FIXED_PATH} AS $$
            DECLARE
                label text;
                was_approved boolean;
                too_long text;
            BEGIN
                IF {s}.is_owner() THEN
                    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
                END IF;
                -- When it was made and last changed, by the server's clock: the notice check
                -- (NOTICE-STALE) and the publish conflict check trust updated_at, so no
                -- member's client may backdate it.
                {_SERVER_TIMES}
                IF TG_OP <> 'DELETE' THEN
                    SELECT key INTO too_long FROM jsonb_each_text(to_jsonb(NEW))
                        WHERE length(value) > {text_columns}::integer LIMIT 1;
                    IF FOUND THEN
                        RAISE EXCEPTION USING ERRCODE = 'string_data_right_truncation', {_OWN},
                            MESSAGE = format('The %s of %s is longer than %s characters, '
                            'the most one field of an activity may hold; nothing was saved.',
                            too_long, btrim(NEW.reference || ' ' || NEW.name),
                            {text_columns});
                    END IF;
                END IF;
                IF TG_OP = 'UPDATE' AND NEW.id IS DISTINCT FROM OLD.id THEN
                    {refuse} format('An activity keeps its id (%s): its history is filed '
                        'under it.', OLD.id);
                END IF;
                IF TG_OP = 'INSERT' AND {s}.activity_id_taken(NEW.id) THEN
                    {refuse} format('An activity id is given once: %s was used before or has '
                        'not been handed out. Leave the id out and the server gives one.',
                        NEW.id);
                END IF;
                IF {s}.is_dpo() THEN
                    -- The approver is whoever the server says is signed in (the name the
                    -- history stamps, session_user): whenever the approval or the status
                    -- changes, or an activity is added.  An approval that is not being given
                    -- now keeps the approver it had (none, for a new activity).
                    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (
                        NEW.status IS DISTINCT FROM OLD.status
                        OR NEW.approved_by IS DISTINCT FROM OLD.approved_by
                        OR NEW.approved_on IS DISTINCT FROM OLD.approved_on
                        OR NEW.changed_since_approval IS DISTINCT FROM OLD.changed_since_approval))
                    THEN
                        NEW.approved_by := CASE
                            WHEN NEW.status = 'approved' THEN session_user::text
                            WHEN TG_OP = 'UPDATE' THEN OLD.approved_by
                            ELSE '' END;
                    END IF;
                    IF TG_OP = 'UPDATE' THEN
                        PERFORM {s}.check_version(OLD, NEW);
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
                    -- An activity once approved is the DPO's record of it (UK GDPR Art 5(2)):
                    -- sent back for review it keeps its approval date.
                    was_approved := OLD.status = 'approved' OR OLD.approved_on IS NOT NULL;
                    IF TG_OP = 'DELETE' THEN
                        IF was_approved THEN
                            {refuse} format('Only a DPO may delete %s: it was approved. Ask a '
                                'DPO, or send it back for review with the change.', label);
                        END IF;
                        RETURN OLD;
                    END IF;
                    IF was_approved AND NEW.status = 'retired'
                        AND OLD.status IS DISTINCT FROM 'retired'
                    THEN
                        {refuse} format('Only a DPO may retire %s: it was approved.', label);
                    END IF;
                    IF was_approved AND (
                        NEW.last_reviewed IS DISTINCT FROM OLD.last_reviewed
                        OR NEW.next_review IS DISTINCT FROM OLD.next_review)
                    THEN
                        {refuse} format('Only a DPO may change the review dates of %s: it '
                            'was approved.', label);
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
                    AND (to_jsonb(NEW) - ARRAY['version', 'updated_at'])
                        IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['version', 'updated_at'])
                THEN
                    {refuse} format(
                        'Only a DPO may change %s while it stays approved: send it back for '
                        'review with the change.', label);
                END IF;
                IF TG_OP = 'UPDATE' THEN
                    PERFORM {s}.check_version(OLD, NEW);
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
        *_row_triggers(
            "team_guard", "BEFORE UPDATE OR DELETE", ACTIVITY_ROW_TABLES, f"{s}.guard_activity_row"
        ),
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
        *_checked_at_commit("team_approved", ACTIVITY_ROW_TABLES, "guard_approved_rows"),
        # A value outside the app's vocabularies (its enums, the reference law's codes) is
        # refused, naming the column and the value: export and check read every row, so one
        # such value stopped them for everyone.  In a trigger rather than CHECK constraints:
        # it is applied again by every `ropa team init` and upgrade, so the lists follow the
        # law the app ships without a migration of every register file.
        f"""CREATE OR REPLACE FUNCTION {s}.guard_vocabulary() RETURNS trigger
            LANGUAGE plpgsql {_FIXED_PATH} AS $$
            DECLARE
                bad record;
            BEGIN
                -- A row the login may not write at all is left to the policies and guards,
                -- so that a refusal for want of a role says so.
                IF {s}.is_owner() OR NOT (CASE TG_TABLE_NAME
                    WHEN 'activities'
                    THEN {s}.may_edit_function(to_jsonb(NEW) ->> 'business_function')
                    ELSE {s}.may_edit_activity((to_jsonb(NEW) ->> 'activity_id')::integer) END)
                THEN
                    RETURN NEW;
                END IF;
                SELECT v.column_name, to_jsonb(NEW) ->> v.column_name AS value, v.allowed,
                    v.when_column, v.when_value
                    INTO bad
                    FROM (VALUES {_vocabulary_rows()})
                        AS v(table_name, column_name, allowed, when_column, when_value)
                    WHERE v.table_name = TG_TABLE_NAME
                    AND (v.when_column IS NULL
                        OR to_jsonb(NEW) ->> v.when_column = v.when_value)
                    AND NOT coalesce(to_jsonb(NEW) ->> v.column_name, '') = ANY (v.allowed)
                    ORDER BY v.column_name DESC LIMIT 1;
                IF FOUND THEN
                    RAISE EXCEPTION USING ERRCODE = 'check_violation', {_OWN},
                        MESSAGE = format('%s.%s cannot be “%s”%s: ROPA desk knows only %s. '
                        'Nothing was saved.', TG_TABLE_NAME, bad.column_name,
                        coalesce(bad.value, 'nothing'), CASE WHEN bad.when_column IS NULL
                            THEN '' ELSE format(' for %s %s', bad.when_column, bad.when_value)
                            END, array_to_string(
                            array(SELECT coalesce(nullif(a, ''), '(blank)')
                                  FROM unnest(bad.allowed) AS a), ', '));
                END IF;
                RETURN NEW;
            END $$""",
        *_row_triggers(
            "team_vocabulary",
            "BEFORE INSERT OR UPDATE",
            sorted({vocabulary.table for vocabulary in column_vocabularies()}),
            f"{s}.guard_vocabulary",
        ),
        # A notice's times and who published a version, by the server's word as the history
        # is: the notice check compares a version's published_at with the activities'
        # updated_at, and the register says who published.  A published version is frozen.
        f"""CREATE OR REPLACE FUNCTION {s}.stamp_notice() RETURNS trigger
            LANGUAGE plpgsql {_FIXED_PATH} AS $$
            BEGIN
                IF NOT {s}.is_owner() THEN
                    {_SERVER_TIMES}
                END IF;
                RETURN NEW;
            END $$""",
        *_row_triggers("team_stamp", "BEFORE INSERT OR UPDATE", ["notices"], f"{s}.stamp_notice"),
        f"""CREATE OR REPLACE FUNCTION {s}.stamp_notice_version() RETURNS trigger
            LANGUAGE plpgsql {_FIXED_PATH} AS $$
            BEGIN
                IF NOT {s}.is_owner() THEN
                    IF TG_OP = 'INSERT' THEN
                        NEW.published_at := {_SERVER_CLOCK};
                        NEW.published_by := session_user;
                    ELSE
                        NEW.published_at := OLD.published_at;
                        NEW.published_by := OLD.published_by;
                    END IF;
                END IF;
                RETURN NEW;
            END $$""",
        *_row_triggers(
            "team_stamp",
            "BEFORE INSERT OR UPDATE",
            ["notice_versions"],
            f"{s}.stamp_notice_version",
        ),
        # The earlier design's check that an editor wrote a history line: the server writes
        # every line itself now.
        *[f"DROP TRIGGER IF EXISTS team_recorded ON public.{table}" for table in ACTIVITY_TABLES],
        f"DROP FUNCTION IF EXISTS {s}.require_history()",
    ]


def _vocabulary_rows() -> str:
    """column_vocabularies() as the rows of a SQL VALUES list."""
    return ", ".join(
        f"({literal(v.table)}, {literal(v.column)}, "
        f"ARRAY[{', '.join(literal(value) for value in v.allowed)}]::text[], "
        + (f"{literal(v.when[0])}, {literal(v.when[1])})" if v.when else "NULL, NULL)")
        for v in column_vocabularies()
    )


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


# The tables whose rows are things of their own (a line per changed field); every other
# recorded table holds rows of one of them (a line per changed row, the row as JSON).
_ENTITIES = {
    "activities": "activity",
    "organisation": "organisation",
    "library_items": "library_item",
    "notices": "notice",
}
# Columns that change with every save and say nothing of their own.
_UNRECORDED_COLUMNS = ("version", "updated_at", "name_key")


def _history(tables: list[str]) -> list[str]:
    """The history, written by the server: a trigger on every recorded table."""
    s = TEAM_SCHEMA
    h = f"public.{HISTORY_TABLE}"
    skipped = ", ".join(literal(column) for column in _UNRECORDED_COLUMNS)
    entity_cases = "\n".join(
        f"WHEN {literal(table)} THEN {literal(kind)}" for table, kind in _ENTITIES.items()
    )
    insert = (
        f"INSERT INTO {h} (entity_type, entity_id, entity_label, action, field, old_value, "
        "new_value) VALUES"
    )
    recorded = [t for t in tables if t not in (HISTORY_TABLE, SCHEMA_VERSION_TABLE)]
    statements = [
        # Who changed what, by the server's own word.
        f"""CREATE OR REPLACE FUNCTION {s}.stamp_history() RETURNS trigger
            LANGUAGE plpgsql {_FIXED_PATH} AS $$
            BEGIN
                NEW.changed_by := session_user;
                NEW.changed_at := (now() AT TIME ZONE 'UTC');
                RETURN NEW;
            END $$""",
        f"DROP TRIGGER IF EXISTS team_stamp ON {h}",
        f"""CREATE TRIGGER team_stamp BEFORE INSERT ON {h}
            FOR EACH ROW EXECUTE FUNCTION {s}.stamp_history()""",
        # Append-only for everyone, the owner included.
        f"""CREATE OR REPLACE FUNCTION {s}.keep_history() RETURNS trigger
            LANGUAGE plpgsql {_FIXED_PATH} AS $$
            BEGIN
                {_REFUSE} 'The change history is kept as written: no line of it may be '
                    'changed or removed, by anyone.';
            END $$""",
        f"DROP TRIGGER IF EXISTS team_keep ON {h}",
        f"""CREATE TRIGGER team_keep BEFORE UPDATE OR DELETE ON {h}
            FOR EACH ROW EXECUTE FUNCTION {s}.keep_history()""",
        f"DROP TRIGGER IF EXISTS team_keep_all ON {h}",
        f"""CREATE TRIGGER team_keep_all BEFORE TRUNCATE ON {h}
            FOR EACH STATEMENT EXECUTE FUNCTION {s}.keep_history()""",
        f"""CREATE OR REPLACE FUNCTION {s}.record_change() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER {_FIXED_PATH} AS $$
            DECLARE
                old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
                new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
                this_row jsonb := coalesce(new_row, old_row);
                kind text := CASE TG_TABLE_NAME {entity_cases} ELSE NULL END;
                entity integer;
                label text;
                field_name text;
                most integer := {HISTORY_VALUE_CHARS};
            BEGIN
                IF kind IS NOT NULL THEN
                    entity := (this_row ->> 'id')::integer;
                    label := coalesce(this_row ->> 'title', btrim(
                        coalesce(this_row ->> 'reference', '') || ' ' ||
                        coalesce(this_row ->> 'name', '')));
                    IF TG_OP = 'UPDATE' THEN
                        FOR field_name IN SELECT key FROM jsonb_object_keys(new_row) AS key
                            WHERE key NOT IN ({skipped})
                            AND new_row -> key IS DISTINCT FROM old_row -> key ORDER BY key
                        LOOP
                            {insert} (kind, entity, {s}.bounded(label, 500), 'update',
                                field_name, {s}.bounded(old_row ->> field_name, most),
                                {s}.bounded(new_row ->> field_name, most));
                        END LOOP;
                    ELSE
                        {insert} (kind, entity, {s}.bounded(label, 500),
                            CASE TG_OP WHEN 'INSERT' THEN 'create' ELSE 'delete' END, '',
                            {s}.bounded(old_row::text, most), {s}.bounded(new_row::text, most));
                    END IF;
                    RETURN NULL;
                END IF;
                IF TG_TABLE_NAME = 'editor_functions' THEN
                    {insert} ('team', NULL, this_row ->> 'login',
                        CASE TG_OP WHEN 'INSERT' THEN 'add' ELSE 'remove' END,
                        'business function', coalesce(old_row ->> 'business_function', ''),
                        coalesce(new_row ->> 'business_function', ''));
                    RETURN NULL;
                END IF;
                IF TG_TABLE_NAME LIKE 'notice%' THEN
                    kind := 'notice';
                    entity := (this_row ->> 'notice_id')::integer;
                    SELECT n.title INTO label FROM public.notices n WHERE n.id = entity;
                ELSE
                    kind := 'activity';
                    IF TG_TABLE_NAME = 'basis_legislation' THEN
                        SELECT b.activity_id INTO entity FROM public.activity_lawful_bases b
                            WHERE b.id = (this_row ->> 'basis_id')::integer;
                    ELSE
                        entity := (this_row ->> 'activity_id')::integer;
                    END IF;
                    SELECT btrim(a.reference || ' ' || a.name) INTO label
                        FROM public.activities a WHERE a.id = entity;
                END IF;
                -- Removed with its activity or notice, whose delete line holds it.
                IF NOT FOUND OR entity IS NULL THEN
                    RETURN NULL;
                END IF;
                -- Rows added with a new activity are part of its creation.
                IF TG_OP = 'INSERT' AND EXISTS (
                    SELECT 1 FROM public.{HISTORY_TABLE} h
                    WHERE h.entity_type = kind AND h.entity_id = entity
                    AND h.action = 'create' AND h.xmin = pg_current_xact_id()::xid)
                THEN
                    RETURN NULL;
                END IF;
                {insert} (kind, entity, {s}.bounded(label, 500), 'update', TG_TABLE_NAME,
                    {s}.bounded((old_row - ARRAY['id', 'activity_id', 'notice_id'])::text, most),
                    {s}.bounded((new_row - ARRAY['id', 'activity_id', 'notice_id'])::text, most));
                RETURN NULL;
            END $$""",
        # A deleted activity's line holds what was deleted: the activity with its rows, read
        # before the delete removes them.
        f"""CREATE OR REPLACE FUNCTION {s}.record_activity_deletion() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER {_FIXED_PATH} AS $$
            DECLARE
                deleted jsonb := to_jsonb(OLD);
                child text;
                rows jsonb;
            BEGIN
                FOREACH child IN ARRAY ARRAY[{", ".join(literal(t) for t in ACTIVITY_CHILD_TABLES)}]
                LOOP
                    EXECUTE format('SELECT coalesce(jsonb_agg(to_jsonb(c) - ''activity_id''), '
                        '''[]'') FROM public.%I c WHERE c.activity_id = $1', child)
                        INTO rows USING OLD.id;
                    deleted := deleted || jsonb_build_object(child, rows);
                END LOOP;
                {insert} ('activity', OLD.id, {s}.bounded(btrim(OLD.reference || ' ' ||
                    OLD.name), 500), 'delete', '',
                    {s}.bounded(deleted::text, {DELETED_ACTIVITY_CHARS}), '');
                RETURN OLD;
            END $$""",
        "DROP TRIGGER IF EXISTS team_record_deletion ON public.activities",
        f"""CREATE TRIGGER team_record_deletion BEFORE DELETE ON public.activities
            FOR EACH ROW EXECUTE FUNCTION {s}.record_activity_deletion()""",
    ]
    for table in [*recorded, f"{TEAM_SCHEMA}.editor_functions"]:
        qualified = table if "." in table else f"public.{quoted(table)}"
        events = "INSERT OR UPDATE" if table == "activities" else "INSERT OR UPDATE OR DELETE"
        statements += [
            f"DROP TRIGGER IF EXISTS team_record ON {qualified}",
            f"""CREATE TRIGGER team_record AFTER {events} ON {qualified}
                FOR EACH ROW EXECUTE FUNCTION {s}.record_change()""",
        ]
    return statements


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
