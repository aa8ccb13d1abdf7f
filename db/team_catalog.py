"""What the PostgreSQL server's catalog says about a team register, and the role statements.

ropa/team.py and ropa/team_membership.py say what they need (who is a member of which group,
may this login set a register up, which objects someone else owns, give the owner role to a
login); this module says how, in SQL over pg_roles, pg_auth_members, pg_database, pg_class,
pg_proc and pg_depend, and in GRANT, REVOKE, CREATE ROLE and SET ROLE statements.  The
register's own rules (grants on tables, policies, triggers) are db/team_security.py's.

Every function takes psycopg's connection (`driver`: the one under SQLAlchemy's, or a team
register pool's) inside the caller's transaction, and returns plain values.  Names go to the
server as parameters; where SQL cannot take a parameter (a role in GRANT), a name is quoted
as an identifier by `quoted`, never formatted in as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from db.team_security import (
    TEAM_SCHEMA,
    TeamRoles,
    database_statements,
    literal,
    quoted,
    register_relations,
    security_statements,
)

if TYPE_CHECKING:
    from psycopg import Connection

    Driver = Connection[Any]
else:
    Driver = Any

# PostgreSQL 16 split a role grant into its INHERIT and SET options.
_SPLIT_GRANT_OPTIONS = 160000


def _one(driver: Driver, statement: str, parameters: Sequence[Any] = ()) -> tuple[Any, ...]:
    row = driver.execute(statement, parameters or None).fetchone()
    # A SELECT with no FROM, or over session_user's own row, always yields one row.
    assert row is not None, statement
    return tuple(row)


# --- who is signed in ----------------------------------------------------------------------


@dataclass(frozen=True)
class SessionLogin:
    """The login of this session, whether it is a superuser, and whether the database holds
    a team register at all (its team schema)."""

    login: str
    superuser: bool
    team: bool


def session_login(driver: Driver) -> SessionLogin:
    login, superuser, team = _one(
        driver,
        "SELECT session_user, (SELECT rolsuper FROM pg_roles WHERE rolname = session_user), "
        f"to_regnamespace({literal(TEAM_SCHEMA)}) IS NOT NULL",
    )
    return SessionLogin(str(login), bool(superuser), bool(team))


def held_role_kinds(driver: Driver) -> list[str]:
    """The kinds of the register's groups the current role holds (directly or through
    another), most powerful first: dpo, editor, viewer."""
    rows = driver.execute(
        "SELECT kind FROM unnest(ARRAY['dpo', 'editor', 'viewer']) AS kind "
        f"WHERE pg_has_role(current_user, {TEAM_SCHEMA}.group_role(kind), 'USAGE')"
    ).fetchall()
    return [str(row[0]) for row in rows]


def editor_functions(driver: Driver) -> dict[str, list[str]]:
    """Each editor's login -> the business functions they may edit, in order."""
    rows = driver.execute(
        f"SELECT login, business_function FROM {TEAM_SCHEMA}.editor_functions "
        "ORDER BY login, business_function"
    ).fetchall()
    found: dict[str, list[str]] = {}
    for login, name in rows:
        found.setdefault(str(login), []).append(str(name))
    return found


# --- the team's groups and their members ---------------------------------------------------


def team_schema_exists(driver: Driver) -> bool:
    """Whether the database was set up as a team register (it holds the team's schema)."""
    return bool(_one(driver, f"SELECT to_regnamespace({literal(TEAM_SCHEMA)}) IS NOT NULL")[0])


def installed_protections(driver: Driver) -> int:
    """The version of the protections team init last installed (1: before it was stamped)."""
    function = f"{TEAM_SCHEMA}.protections_version()"
    if _one(driver, f"SELECT to_regprocedure({literal(function)})")[0] is None:
        return 1
    return int(_one(driver, f"SELECT {function}")[0])


def team_roles(driver: Driver) -> TeamRoles:
    """The group roles of this register, as its server names them (ropa_team.group_role)."""
    row = _one(
        driver,
        f"SELECT {TEAM_SCHEMA}.group_role('viewer'), {TEAM_SCHEMA}.group_role('editor'), "
        f"{TEAM_SCHEMA}.group_role('dpo'), {TEAM_SCHEMA}.group_role('owner')",
    )
    return TeamRoles(*(str(name) for name in row))


@dataclass(frozen=True)
class GroupMember:
    login: str
    group: str
    can_sign_in: bool
    granted_by: str = ""  # the role that granted the membership, as the server recorded it


def members_of_groups(driver: Driver, groups: Sequence[str]) -> list[GroupMember]:
    """Every direct member of `groups` (logins and roles alike), ordered by member name."""
    rows = driver.execute(
        "SELECT m.rolname, g.rolname, m.rolcanlogin, pg_get_userbyid(a.grantor) "
        "FROM pg_auth_members a "
        "JOIN pg_roles m ON m.oid = a.member JOIN pg_roles g ON g.oid = a.roleid "
        "WHERE g.rolname = ANY(%s) ORDER BY m.rolname",
        (list(groups),),
    ).fetchall()
    return [
        GroupMember(str(login), str(group), bool(can), str(grantor or ""))
        for login, group, can, grantor in rows
    ]


def roles_in_history(driver: Driver) -> set[tuple[str, str]]:
    """(login, role) for every role the history records given (set_member writes a line)."""
    rows = driver.execute(
        "SELECT entity_label, new_value FROM change_history "
        "WHERE entity_type = 'team' AND field = 'role'"
    ).fetchall()
    return {(str(login), str(kind)) for login, kind in rows}


def logins_in_group(driver: Driver, group: str) -> tuple[str, ...]:
    """The logins (roles that can sign in) directly in `group`, by name."""
    rows = driver.execute(
        "SELECT m.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
        "JOIN pg_roles m ON m.oid = a.member WHERE g.rolname = %s AND m.rolcanlogin "
        "ORDER BY 1",
        (group,),
    ).fetchall()
    return tuple(str(row[0]) for row in rows)


def memberships_outside(
    driver: Driver, groups: Sequence[str], ours: Sequence[str]
) -> list[tuple[str, str]]:
    """(group, member) for every member of `groups` that is not one of `ours`, by member."""
    rows = driver.execute(
        "SELECT g.rolname, m.rolname FROM pg_auth_members a "
        "JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member "
        "WHERE g.rolname = ANY(%s) AND NOT m.rolname = ANY(%s) ORDER BY 2, 1",
        (list(groups), list(ours)),
    ).fetchall()
    return [(str(group), str(member)) for group, member in rows]


def admin_option_holders(
    driver: Driver, groups: Sequence[str], owner: str
) -> list[tuple[str, str]]:
    """(group, member) for every member but `owner` holding one of `groups` WITH ADMIN
    OPTION."""
    rows = driver.execute(
        "SELECT g.rolname, m.rolname FROM pg_auth_members a "
        "JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member "
        "WHERE g.rolname = ANY(%s) AND a.admin_option AND m.rolname <> %s",
        (list(groups), owner),
    ).fetchall()
    return [(str(group), str(member)) for group, member in rows]


def set_member(driver: Driver, login: str, kind: str, functions: Sequence[str]) -> None:
    """Give `login` the role `kind` through the register's own function, which checks the
    request and writes the history line (ropa_team.set_member, db/team_security.py)."""
    driver.execute(f"SELECT {TEAM_SCHEMA}.set_member(%s, %s, %s)", (login, kind, list(functions)))


def assign_first_dpo(driver: Driver, login: str) -> None:
    """Make `login` a DPO during set-up, as the owner role (ropa_team.assign_role)."""
    driver.execute(f"SELECT {TEAM_SCHEMA}.assign_role(%s, 'dpo', '{{}}')", (login,))


def business_functions_in_use(driver: Driver) -> list[str]:
    """The business functions the register's activities belong to, as stored."""
    rows = driver.execute("SELECT DISTINCT business_function FROM activities").fetchall()
    return [str(row[0]) for row in rows]


# --- the login that sets a register up ------------------------------------------------------


@dataclass(frozen=True)
class Administrator:
    """What the server says of the login setting a register up, and of the database."""

    login: str
    superuser: bool
    may_create_roles: bool
    database: str
    database_owner: str
    owns_database: bool


def administrator(driver: Driver) -> Administrator:
    row = _one(
        driver,
        "SELECT session_user, r.rolsuper, r.rolcreaterole, current_database(), "
        "pg_get_userbyid(d.datdba), pg_has_role(session_user, d.datdba, 'MEMBER') "
        "FROM pg_roles r, pg_database d "
        "WHERE r.rolname = session_user AND d.datname = current_database()",
    )
    login, superuser, may_create_roles, database, database_owner, owns_database = row
    return Administrator(
        str(login),
        bool(superuser),
        bool(may_create_roles),
        str(database),
        str(database_owner),
        bool(owns_database),
    )


def session_is_member_of(driver: Driver, role: str) -> bool:
    """Whether the session's login is a member of `role` (directly or through another)."""
    return bool(_one(driver, "SELECT pg_has_role(session_user, %s, 'MEMBER')", (role,))[0])


@dataclass(frozen=True)
class TablesOwner:
    """Who owns the register's tables, and whether the session's role may act as it (only
    the owner may alter a table, so only it can upgrade the register)."""

    owner: str
    may_alter: bool


def register_tables_owner(driver: Driver) -> TablesOwner:
    """Read from the register's schema-version table, which every register has."""
    owner, may_alter = _one(
        driver,
        "SELECT tableowner, pg_has_role(tableowner, 'USAGE') FROM pg_tables "
        "WHERE schemaname = 'public' AND tablename = 'alembic_version'",
    )
    return TablesOwner(str(owner), bool(may_alter))


# --- roles: made, granted, taken back -------------------------------------------------------


@dataclass(frozen=True)
class ExistingRole:
    can_sign_in: bool
    # superuser, CREATEROLE, CREATEDB, BYPASSRLS or REPLICATION: any power of its own
    powerful: bool


def existing_role(driver: Driver, name: str) -> ExistingRole | None:
    """The role `name` if the server has one by that name; None otherwise."""
    row = driver.execute(
        "SELECT rolcanlogin, rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls "
        "OR rolreplication FROM pg_roles WHERE rolname = %s",
        (name,),
    ).fetchone()
    return None if row is None else ExistingRole(bool(row[0]), bool(row[1]))


def create_group_role(driver: Driver, name: str) -> None:
    """A role nobody can sign in as."""
    driver.execute(f"CREATE ROLE {quoted(name)} NOLOGIN")


def grant_role(driver: Driver, role: str, member: str) -> None:
    driver.execute(f"GRANT {quoted(role)} TO {quoted(member)}")


def revoke_role(driver: Driver, role: str, member: str) -> None:
    driver.execute(f"REVOKE {quoted(role)} FROM {quoted(member)}")


def revoke_roles(driver: Driver, memberships: Sequence[tuple[str, str]]) -> None:
    """REVOKE each (role, member), all or none: in a savepoint, so that a refusal
    (psycopg.errors.InsufficientPrivilege, raised to the caller) leaves the caller's
    transaction usable."""
    with driver.transaction():
        for role, member in memberships:
            revoke_role(driver, role, member)


def revoke_admin_option(driver: Driver, role: str, member: str) -> None:
    driver.execute(f"REVOKE ADMIN OPTION FOR {quoted(role)} FROM {quoted(member)}")


def grant_groups_to_owner(driver: Driver, roles: TeamRoles) -> None:
    """The owner role holds every group WITH ADMIN OPTION: only it (through the register's
    set_member) changes who is in them."""
    groups = ", ".join(quoted(group) for group in roles.groups)
    driver.execute(f"GRANT {groups} TO {quoted(roles.owner)} WITH ADMIN OPTION")


def grant_set_role(driver: Driver, role: str, login: str) -> None:
    """Let `login` SET ROLE to `role` without inheriting its rights (on PostgreSQL 16 and
    later a CREATEROLE login has ADMIN on the roles it created, but may act as one only once
    granted SET).  In a savepoint: a refusal (psycopg.errors.InsufficientPrivilege, raised to
    the caller) leaves the caller's transaction usable."""
    version = int(_one(driver, "SHOW server_version_num")[0])
    option = " WITH INHERIT FALSE, SET TRUE" if version >= _SPLIT_GRANT_OPTIONS else ""
    with driver.transaction():
        driver.execute(f"GRANT {quoted(role)} TO {quoted(login)}{option}")


def act_as(driver: Driver, role: str) -> None:
    """Act as `role` until the transaction ends or `stop_acting` (SET LOCAL ROLE)."""
    driver.execute(f"SET LOCAL ROLE {quoted(role)}")


def stop_acting(driver: Driver) -> None:
    driver.execute("RESET ROLE")


# --- what the register consists of, and who owns it ----------------------------------------


@dataclass(frozen=True)
class OwnedObject:
    kind: str  # TABLE, SEQUENCE, FUNCTION or SCHEMA, as ALTER ... OWNER TO names it
    name: str  # already quoted (schema.name, or a function's signature)
    owner: str


def objects_not_owned_by(driver: Driver, owner: str) -> list[OwnedObject]:
    """The register's tables, views, sequences of its own (not those a column owns), the
    team's functions and its schema, where another role than `owner` owns them."""
    rows = driver.execute(
        "SELECT 'TABLE', format('%%I.%%I', n.nspname, c.relname), pg_get_userbyid(c.relowner) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname IN ('public', %s) AND c.relkind IN ('r', 'p', 'v') "
        "AND pg_get_userbyid(c.relowner) <> %s "
        "UNION ALL SELECT 'SEQUENCE', format('%%I.%%I', n.nspname, c.relname), "
        "pg_get_userbyid(c.relowner) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname IN ('public', %s) AND c.relkind = 'S' "
        "AND pg_get_userbyid(c.relowner) <> %s "
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d "
        "WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')) "
        "UNION ALL SELECT 'FUNCTION', p.oid::regprocedure::text, pg_get_userbyid(p.proowner) "
        "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = %s AND pg_get_userbyid(p.proowner) <> %s "
        "UNION ALL SELECT 'SCHEMA', quote_ident(n.nspname), pg_get_userbyid(n.nspowner) "
        "FROM pg_namespace n WHERE n.nspname = %s AND pg_get_userbyid(n.nspowner) <> %s",
        (TEAM_SCHEMA, owner, TEAM_SCHEMA, owner, TEAM_SCHEMA, owner, TEAM_SCHEMA, owner),
    ).fetchall()
    return [OwnedObject(str(kind), str(name), str(previous)) for kind, name, previous in rows]


def creators_in_public(driver: Driver) -> list[str]:
    """Who may create objects in the schema public, besides the role owning it: "PUBLIC"
    (everyone who can sign in) or roles by name."""
    rows = driver.execute(
        "SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' "
        "ELSE pg_get_userbyid(a.grantee) END "
        "FROM pg_namespace n, aclexplode(n.nspacl) a "
        "WHERE n.nspname = 'public' AND a.privilege_type = 'CREATE' AND a.grantee <> n.nspowner"
    ).fetchall()
    return sorted(str(row[0]) for row in rows)


def revoke_create_in_public(driver: Driver, who: str) -> None:
    """Take back the right to create in the schema public (a warning, not an error, where
    this login did not grant it: creators_in_public tells afterwards)."""
    grantee = "PUBLIC" if who == "PUBLIC" else quoted(who)
    driver.execute(f"REVOKE CREATE ON SCHEMA public FROM {grantee}")


@dataclass(frozen=True)
class PlantedObject:
    kind: str  # function, operator, type or collation
    name: str  # with its schema and, for a function or operator, its argument types
    owner: str


def objects_in_public_not_made_by(driver: Driver, owner: str) -> list[PlantedObject]:
    """The functions, operators, types of their own and collations in the schema public that
    `owner` does not own (an extension's aside): a register makes only tables there."""
    not_extension = (
        "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = {oid} AND d.deptype = 'e')"
    )
    rows = driver.execute(
        "SELECT 'function', format('public.%%s(%%s)', p.proname, "
        "pg_get_function_identity_arguments(p.oid)), pg_get_userbyid(p.proowner) "
        "FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace "
        "AND pg_get_userbyid(p.proowner) <> %s AND " + not_extension.format(oid="p.oid") + " "
        "UNION ALL SELECT 'operator', format('public.%%s(%%s, %%s)', o.oprname, "
        "format_type(o.oprleft, NULL), format_type(o.oprright, NULL)), "
        "pg_get_userbyid(o.oprowner) FROM pg_operator o "
        "WHERE o.oprnamespace = 'public'::regnamespace "
        "AND pg_get_userbyid(o.oprowner) <> %s AND " + not_extension.format(oid="o.oid") + " "
        "UNION ALL SELECT 'type', format('public.%%I', t.typname), pg_get_userbyid(t.typowner) "
        "FROM pg_type t LEFT JOIN pg_class c ON c.oid = t.typrelid "
        "WHERE t.typnamespace = 'public'::regnamespace AND t.typelem = 0 "
        "AND (t.typrelid = 0 OR c.relkind = 'c') "
        "AND pg_get_userbyid(t.typowner) <> %s AND " + not_extension.format(oid="t.oid") + " "
        "UNION ALL SELECT 'collation', format('public.%%I', l.collname), "
        "pg_get_userbyid(l.collowner) FROM pg_collation l "
        "WHERE l.collnamespace = 'public'::regnamespace "
        "AND pg_get_userbyid(l.collowner) <> %s AND " + not_extension.format(oid="l.oid") + " "
        "ORDER BY 2",
        (owner, owner, owner, owner),
    ).fetchall()
    return [PlantedObject(str(kind), str(name), str(by)) for kind, name, by in rows]


def give_to(driver: Driver, thing: OwnedObject, owner: str) -> None:
    # The kind is one of this module's four words and the name came quoted from the server.
    driver.execute(f"ALTER {thing.kind} {thing.name} OWNER TO {quoted(owner)}")


def apply_database_settings(driver: Driver, roles: TeamRoles, database: str) -> None:
    """Who may connect to `database`, what the owner role may create in it, and its
    session settings (db/team_security.py's database_statements)."""
    for statement in database_statements(roles, database):
        driver.execute(statement)


def apply_security(driver: Driver, roles: TeamRoles) -> None:
    """The grants, policies, triggers and history of db/team_security.py, over the
    register's tables and sequences as they are now."""
    tables, sequences = register_relations(driver)
    for statement in security_statements(roles, tables, sequences):
        driver.execute(statement)
