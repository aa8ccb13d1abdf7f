"""A team register: who is signed in, what their role lets them do, and who is in which role.

The server enforces the roles (db/team_security.py); this module sets them up, reads them so
the app can grey out what a role may not do, and turns the server's refusals into words.
Nothing here is a second line of defence: a refusal the app did not foresee still comes from
the server, and `refusal_for` explains it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from db.server import is_server_url, without_password
from db.team_security import (
    ROLE_KINDS,
    TEAM_SCHEMA,
    TeamRoles,
    database_statements,
    literal,
    quoted,
    register_relations,
    roles_for_database,
    security_statements,
)
from ropa.errors import (
    ConflictError,
    RegisterBusyError,
    RegisterFileError,
    RopaError,
    ValidationError,
)
from ropa.identity import current_user
from ropa.wording import count_of

if TYPE_CHECKING:
    from ropa.register import Register

INSUFFICIENT_PRIVILEGE = "42501"
SERIALIZATION_FAILURE = "40001"
TEXT_TOO_LONG = "22001"
LOCK_NOT_AVAILABLE = "55P03"
QUERY_CANCELED = "57014"

ROLE_WORDS = {
    "viewer": "a viewer, who may read the register but not change it",
    "editor": "an editor, who may change the activities of their business functions only",
    "dpo": "a DPO, who may change everything",
}

# What a refused table is, in the words of the app.
_TABLE_WORDS = {
    "organisation": "change the organisation's details",
    "library_items": "change the libraries (add, rename, merge or delete items)",
    "notices": "change notices",
    "notice_sections": "change notices",
    "notice_activities": "change which activities a notice covers",
    "notice_versions": "publish notices",
    "change_history": "change the register",
    "alembic_version": "upgrade the register",
}


class TeamPermissionError(RopaError):
    """The server refused a change that the signed-in login's role does not allow."""


class ConnectionLostError(RopaError):
    """The team register's server could not be reached; nothing was saved."""


class PasswordNeeded(RopaError):  # noqa: N818 (a question for the user, not a failure)
    """The server asks for a password that the PostgreSQL password file does not hold."""


# What the desktop layer may ask about a register's location without reaching into db/.
__all__ = ["ConnectionLostError", "PasswordNeeded", "is_server_url", "without_password"]


def function_key(name: str) -> str:
    """A business function as the server matches it (ropa_team.function_key)."""
    return " ".join(name.split()).lower()


@dataclass(frozen=True)
class Membership:
    """Who the register's server says is signed in, and their role there.

    `team` is False for a register file, or a server database that was never set up with
    `ropa team init`: then nothing is held back here (a file's own permissions rule it).
    """

    login: str
    role: str | None
    functions: tuple[str, ...] = ()
    team: bool = True

    @classmethod
    def unrestricted(cls, login: str) -> Membership:
        return cls(login, None, (), team=False)

    @property
    def is_dpo(self) -> bool:
        return not self.team or self.role == "dpo"

    @property
    def may_write(self) -> bool:
        return self.is_dpo or (self.role == "editor" and bool(self.functions))

    def may_edit_function(self, business_function: str) -> bool:
        if self.is_dpo:
            return True
        if self.role != "editor":
            return False
        return function_key(business_function) in {function_key(f) for f in self.functions}

    def describe(self) -> str:
        """For the status bar: "bob (editor: Finance, HR)"."""
        if not self.team:
            return self.login
        if self.role is None:
            return f"{self.login} (no role in this register)"
        if self.role == "editor":
            return f"{self.login} (editor: {', '.join(self.functions) or 'no functions yet'})"
        return f"{self.login} ({'DPO' if self.role == 'dpo' else self.role})"

    def role_words(self) -> str:
        if self.role is None:
            return "who has no role in this register"
        if self.role == "editor":
            functions = ", ".join(self.functions) or "no business function yet"
            return f"an editor of {functions}, who may change those functions' activities only"
        return ROLE_WORDS[self.role]


@dataclass(frozen=True)
class TeamMember:
    login: str
    role: str
    functions: tuple[str, ...] = field(default=())
    can_sign_in: bool = True


class TeamService:
    """The team of a register on a PostgreSQL server."""

    def __init__(self, register: Register) -> None:
        if register.server_url is None:
            raise ValidationError(
                f"{register.path.name} is a register file, not a team register on a server: "
                "its team is whoever may open the file."
            )
        self.register = register

    # --- reading -------------------------------------------------------------------------

    def membership(self) -> Membership:
        with self._driver() as driver:
            return _membership(driver)

    def members(self) -> list[TeamMember]:
        with self._driver() as driver:
            roles = _require_team(driver, self._shown())
            groups = {roles.of(kind): kind for kind in ROLE_KINDS}
            rows = driver.execute(
                "SELECT m.rolname, g.rolname, m.rolcanlogin FROM pg_auth_members a "
                "JOIN pg_roles m ON m.oid = a.member JOIN pg_roles g ON g.oid = a.roleid "
                "WHERE g.rolname = ANY(%s) ORDER BY m.rolname",
                (list(groups),),
            ).fetchall()
            functions = _editor_functions(driver)
        found: dict[str, TeamMember] = {}
        rank = {kind: number for number, kind in enumerate(ROLE_KINDS)}
        for login, group, can_sign_in in rows:
            if login in groups or login == roles.owner:  # the owner holds the groups
                continue
            kind = groups[group]
            if login in found and rank[found[login].role] >= rank[kind]:
                continue
            found[login] = TeamMember(
                login,
                kind,
                tuple(functions.get(login, ())) if kind == "editor" else (),
                can_sign_in,
            )
        return list(found.values())

    # --- changing ------------------------------------------------------------------------

    def add_user(self, login: str, role: str, functions: Sequence[str] = ()) -> TeamMember:
        """Give `login` a role (replacing any other it had here); create the login when the
        server lets the signed-in DPO create logins.  An editor needs business functions."""
        login = login.strip()
        functions = _clean_functions(functions)
        _check_role_request(login, role, functions)
        import psycopg

        with self._driver() as driver:
            _require_team(driver, self._shown())
            me = _membership(driver)
            if not me.is_dpo:
                raise TeamPermissionError(
                    f"Only a DPO of this register may add people to it or change their role; "
                    f"you are signed in as {me.login}, {me.role_words()}."
                )
            try:
                # The server checks and records it (ropa_team.set_member): the history line
                # is written whatever client asks.
                driver.execute(
                    f"SELECT {TEAM_SCHEMA}.set_member(%s, %s, %s)", (login, role, list(functions))
                )
            except psycopg.Error as error:
                reason = (error.diag.message_primary or str(error)).strip()
                kind = ValidationError if error.sqlstate == "23514" else TeamPermissionError
                raise kind(f"{reason} Nothing was changed.") from error
        return TeamMember(login, role, tuple(functions))

    def unknown_functions(self, functions: Iterable[str]) -> list[str]:
        """Those of `functions` that no activity of the register belongs to (yet)."""
        with self._driver() as driver:
            rows = driver.execute("SELECT DISTINCT business_function FROM activities").fetchall()
        known = {function_key(row[0]) for row in rows}
        return [name for name in functions if function_key(name) not in known]

    # --- internals -----------------------------------------------------------------------

    def _shown(self) -> str:
        return without_password(self.register.server_url or "")

    @contextlib.contextmanager
    def _driver(self) -> Iterator[Any]:
        """A psycopg connection of the register's pool (its own statements, no SQLAlchemy)."""
        pooled = self.register.engine.raw_connection()
        try:
            driver = pooled.driver_connection
            assert driver is not None
            driver.rollback()
            driver.autocommit = True
            try:
                yield driver
            finally:
                driver.autocommit = False
        finally:
            pooled.close()


@dataclass(frozen=True)
class TeamSetUp:
    """What `ropa team init` (or a copy onto a server) left: the register's DPOs, and the
    role that owns it, which nobody signs in as."""

    database: str
    administrator: str
    owner: str
    dpos: tuple[str, ...]


def init_team_register(url: str, first_dpo: str | None = None) -> TeamSetUp:
    """Make the database at `url` a team register (or bring one up to date), signed in as
    the IT team's administrator login; `first_dpo` is given the DPO role.

    An empty database gets a new register first; one that holds a register keeps it.  The
    tables, functions and policies then belong to the register's owner role, which nobody
    signs in as; the administrator becomes it only for this set-up and is no member of it
    afterwards.  All or nothing: one transaction.
    """
    import psycopg
    from sqlalchemy.exc import DBAPIError

    from db.server import make_server_engine

    shown = without_password(url)
    engine = make_server_engine(url)
    try:
        with engine.begin() as connection:
            # An upgrade of a large register may take a while; waiting for a lock may not.
            connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
            return set_up_team_register(connection, shown, first_dpo=first_dpo)
    except (DBAPIError, psycopg.Error) as error:
        raise _set_up_refusal(shown, error) from error
    finally:
        engine.dispose()


def refresh_team_within(connection: Any) -> None:
    """After a schema upgrade on a team register, in the upgrade's own transaction (a
    SQLAlchemy connection): the grants, policies and triggers again, so that tables a
    migration added are covered too.  Nothing for a register with no team."""
    driver = connection.connection.driver_connection
    if driver.execute(f"SELECT to_regnamespace({literal(TEAM_SCHEMA)})").fetchone()[0]:
        set_up_team_register(connection, "the upgraded register", require_dpo=False)


def set_up_team_after_copy(connection: Any) -> None:
    """`ropa copy`'s server set-up (a SQLAlchemy connection inside the copy's transaction,
    signed in as the IT team's administrator login): the copied register becomes a team
    register owned by its owner role.  Its first DPO is named afterwards with
    `ropa team init URL --dpo LOGIN`.  The copied history keeps its names."""
    set_up_team_register(connection, "the target database", require_dpo=False)


def set_up_team_register(
    connection: Any, shown: str, *, first_dpo: str | None = None, require_dpo: bool = True
) -> TeamSetUp:
    """Roles, ownership, grants, policies and triggers, in the caller's transaction on
    `connection` (SQLAlchemy), signed in as a login that may create roles and owns the
    database (the IT team's administrator login, or a superuser)."""
    driver = connection.connection.driver_connection
    login, superuser, may_create_roles, database, database_owner, owns_database = driver.execute(
        "SELECT session_user, r.rolsuper, r.rolcreaterole, current_database(), "
        "pg_get_userbyid(d.datdba), pg_has_role(session_user, d.datdba, 'MEMBER') "
        "FROM pg_roles r, pg_database d "
        "WHERE r.rolname = session_user AND d.datname = current_database()"
    ).fetchone()
    _check_administrator(login, superuser, may_create_roles, owns_database, database_owner, shown)
    roles = roles_for_database(database)
    first_time = not driver.execute(
        f"SELECT to_regnamespace({literal(TEAM_SCHEMA)}) IS NOT NULL"
    ).fetchone()[0]
    for kind in (*ROLE_KINDS, "owner"):
        _ensure_group(driver, roles.of(kind), shown)
    if first_time:
        _take_back_earlier_roles(driver, roles, database)
    _become_able_to_act_as(driver, roles.owner, login, superuser)
    groups = ", ".join(quoted(group) for group in roles.groups)
    driver.execute(f"GRANT {groups} TO {quoted(roles.owner)} WITH ADMIN OPTION")
    for statement in database_statements(roles, database):
        driver.execute(statement)
    _take_back_admin_options(driver, roles)
    _take_ownership(driver, roles.owner, login, superuser)
    driver.execute(f"SET LOCAL ROLE {quoted(roles.owner)}")
    _create_or_upgrade(connection, shown)
    tables, sequences = register_relations(driver)
    for statement in security_statements(roles, tables, sequences):
        driver.execute(statement)
    if first_dpo:
        driver.execute(f"SELECT {TEAM_SCHEMA}.assign_role(%s, 'dpo', '{{}}')", (first_dpo.strip(),))
    driver.execute("RESET ROLE")
    if not superuser:
        driver.execute(f"REVOKE {quoted(roles.owner)} FROM {quoted(login)}")
    dpos = tuple(
        row[0]
        for row in driver.execute(
            "SELECT m.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
            "JOIN pg_roles m ON m.oid = a.member WHERE g.rolname = %s AND m.rolcanlogin "
            "ORDER BY 1",
            (roles.dpo,),
        ).fetchall()
    )
    if require_dpo and not dpos:
        raise ValidationError(
            f"The register at {shown} has no DPO yet: name the first one, a person's own "
            f"login, with ropa team init {shown} --dpo LOGIN. Nothing was changed."
        )
    return TeamSetUp(database, login, roles.owner, dpos)


def _check_administrator(
    login: str,
    superuser: bool,
    may_create_roles: bool,
    owns_database: bool,
    database_owner: str,
    shown: str,
) -> None:
    if superuser:
        return
    if not may_create_roles:
        raise TeamPermissionError(
            f"Setting up a team register is done with the IT team's administrator login, one "
            f"that may create roles (CREATEROLE) and owns the database; {login} may not create "
            f"roles. Ask the IT team to run ropa team init {shown} --dpo LOGIN with that login. "
            "Nothing was changed."
        )
    if not owns_database:
        raise TeamPermissionError(
            f"The database at {shown} belongs to {database_owner}, not to {login}: set it up "
            f"with the login that owns it (the IT team creates it with createdb --owner "
            f"{login} ...). Nothing was changed."
        )


def _become_able_to_act_as(driver: Any, owner: str, login: str, superuser: bool) -> None:
    """Make `login` a member of the owner role for this transaction (taken back at its end):
    on PostgreSQL 16 and later a CREATEROLE login has ADMIN on the roles it created, but may
    SET ROLE to one only once granted SET."""
    if superuser:
        return
    version = int(driver.execute("SHOW server_version_num").fetchone()[0])
    option = " WITH INHERIT FALSE, SET TRUE" if version >= 160000 else ""
    import psycopg

    try:
        with driver.transaction():
            driver.execute(f"GRANT {quoted(owner)} TO {quoted(login)}{option}")
    except psycopg.errors.InsufficientPrivilege as error:
        raise TeamPermissionError(
            f"The role {owner}, which is to own the register, exists already and {login} may "
            f"not act as it. If the IT team made it beforehand, grant it to this login (GRANT "
            f"{quoted(owner)} TO {quoted(login)} WITH ADMIN OPTION) and run ropa team init "
            "again. Nothing was changed."
        ) from error


def _take_back_admin_options(driver: Any, roles: TeamRoles) -> None:
    """Nobody but the owner holds a group WITH ADMIN OPTION (a register set up by an earlier
    version gave it to DPOs): roles change only through set_member, which records them."""
    held = driver.execute(
        "SELECT g.rolname, m.rolname FROM pg_auth_members a "
        "JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member "
        "WHERE g.rolname = ANY(%s) AND a.admin_option AND m.rolname <> %s",
        (roles.groups, roles.owner),
    ).fetchall()
    for group, member in held:
        driver.execute(f"REVOKE ADMIN OPTION FOR {quoted(group)} FROM {quoted(member)}")
        if member in roles.groups:
            driver.execute(f"REVOKE {quoted(group)} FROM {quoted(member)}")


def _take_ownership(driver: Any, owner: str, login: str, superuser: bool) -> None:
    """Everything of the register belongs to the owner role: tables a copy or an upgrade
    just made, and a register whose tables an earlier version gave to the DPO who set it
    up (that login then owns nothing of it any more)."""
    import psycopg

    objects = driver.execute(
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
    borrowed: list[str] = []
    try:
        for previous in sorted({row[2] for row in objects} - {login}):
            if (
                superuser
                or driver.execute(
                    "SELECT pg_has_role(session_user, %s, 'MEMBER')", (previous,)
                ).fetchone()[0]
            ):
                continue
            driver.execute(f"GRANT {quoted(previous)} TO {quoted(login)}")
            borrowed.append(previous)
    except psycopg.errors.InsufficientPrivilege as error:
        raise TeamPermissionError(
            f"The register's tables belong to {previous}, and {login} may not hand them to "
            f"the register's owner role. Ask the IT team to run ropa team init as a superuser "
            "once. Nothing was changed."
        ) from error
    for kind, name, _previous in objects:
        driver.execute(f"ALTER {kind} {name} OWNER TO {quoted(owner)}")
    for previous in borrowed:
        driver.execute(f"REVOKE {quoted(previous)} FROM {quoted(login)}")


def _create_or_upgrade(connection: Any, shown: str) -> None:
    """As the owner role: create the register in an empty database, or upgrade it."""
    from sqlalchemy import inspect
    from sqlalchemy.orm import Session

    from db.schema import head_revision, stored_revision, upgrade_within
    from ropa.starter import ensure_organisation_row, seed_new_register

    tables = set(inspect(connection).get_table_names())
    revision = None
    if "alembic_version" in tables:
        revision = stored_revision(connection.connection.driver_connection)
    elif tables:
        raise RegisterFileError(
            f"The database {shown} holds tables but no ROPA desk register. Name an empty "
            "database, or the one that holds the register; nothing was changed."
        )
    if revision != head_revision():
        upgrade_within(connection)
    with Session(bind=connection) as session:
        if revision is None:
            seed_new_register(session)
        else:
            ensure_organisation_row(session)
        session.flush()


def _set_up_refusal(shown: str, error: BaseException) -> RopaError:
    """The server's refusal during set-up, in words."""
    original = getattr(error, "orig", None) or error
    state = getattr(original, "sqlstate", None)
    diag = getattr(original, "diag", None)
    reason = (getattr(diag, "message_primary", None) or str(original)).strip()
    if state == "55P03":
        return RegisterBusyError(
            f"The register at {shown} is in use: someone holds its tables (a session left in a "
            "transaction, or a save in progress), and set-up gave up after waiting 10 seconds "
            "rather than hold everyone else up. Nothing was changed; try again, or ask the IT "
            "team to look at pg_stat_activity."
        )
    if state is None or state.startswith(("08", "28", "3D")) or is_connection_lost(error):
        return RegisterFileError(
            f"Cannot connect to {shown} ({reason.splitlines()[0] if reason else 'no answer'}). "
            "Check the address (postgresql://LOGIN@HOST:PORT/DATABASE), that the server is "
            "running, and the password file (pgpass). Nothing was changed."
        )
    return TeamPermissionError(
        f"The server refused the set-up of {shown}: {reason} Nothing was changed."
    )


def _take_back_earlier_roles(driver: Any, roles: TeamRoles, database: str) -> None:
    """The group roles are named after the database and outlive it (roles belong to the whole
    server): a register set up in a database whose name an earlier team register had (dropped
    and made again, or copied into) must not hand that register's people their old roles."""
    groups = roles.groups
    ours = [*groups, roles.owner]

    def earlier_members() -> list[tuple[str, str]]:
        return [
            (group, member)
            for group, member in driver.execute(
                "SELECT g.rolname, m.rolname FROM pg_auth_members a "
                "JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member "
                "WHERE g.rolname = ANY(%s) AND NOT m.rolname = ANY(%s) ORDER BY 2, 1",
                (groups, ours),
            ).fetchall()
        ]

    import psycopg

    found = earlier_members()
    try:
        with driver.transaction():
            for group, member in found:
                driver.execute(f"REVOKE {quoted(group)} FROM {quoted(member)}")
        kept = earlier_members()  # a REVOKE not ours to make may only warn
    except psycopg.errors.InsufficientPrivilege:
        kept = found
    if left := sorted({member for _group, member in kept}):
        raise TeamPermissionError(
            f"The roles of an earlier team register in a database named {database} are still "
            f"held by {', '.join(left)}, and your login may not take them back. Ask the IT "
            f"team to remove those roles ({', '.join(groups)}), then set this register up "
            "again (ropa team init); no one was given a role in it."
        )


def refusal_for(register: Register, error: BaseException) -> RopaError | None:
    """The server's refusal of a change, in words (None when `error` is not a refusal).

    Grants refuse whole tables ("permission denied for table library_items"), policies refuse
    new rows ("new row violates row-level security policy"), the guard trigger gives its own
    reason; a change that matched no row it may touch (an editor's row of another function)
    surfaces from SQLAlchemy as stale data.
    """
    from sqlalchemy.orm.exc import StaleDataError

    # The fast paths' raw cursors (db/raw.py) raise psycopg's own errors, unwrapped.
    original = getattr(error, "orig", None) or error
    if is_connection_lost(error):
        url = register.server_url or ""
        return ConnectionLostError(
            lost_connection_words(url, original) + " This change was not saved."
        )
    state = getattr(original, "sqlstate", None)
    if state in (SERIALIZATION_FAILURE, TEXT_TOO_LONG, LOCK_NOT_AVAILABLE):
        # The server's version check, its limit on a field's length, or its writer lock
        # (which names who holds it): the server's own words say what happened.
        words = (original.diag.message_primary or str(original)).strip()  # type: ignore[union-attr]
        kinds = {
            SERIALIZATION_FAILURE: ConflictError,
            TEXT_TOO_LONG: ValidationError,
            LOCK_NOT_AVAILABLE: RegisterBusyError,
        }
        if state == LOCK_NOT_AVAILABLE and not words.startswith("The register is busy"):
            return RegisterBusyError(busy_words(register.server_url or ""))
        return kinds[state](words)
    if isinstance(error, StaleDataError):
        what = "change rows of an activity outside your business functions"
        reason = ""
    elif getattr(original, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
        reason = original.diag.message_primary or ""  # type: ignore[union-attr]
        what = _refused_action(reason)
    else:
        return None
    try:
        me = TeamService(register).membership()
        who = f" You are signed in as {me.login}, {me.role_words()}."
    except Exception:  # the explanation must not hide the refusal itself
        who = ""
    if reason.startswith(("Only a DPO", "An activity id", "The change history")):
        message = f"The server refused the change: {reason}{who}"
    else:
        message = f"The server refused the change: your role may not {what}.{who}"
    return TeamPermissionError(
        f"{message} Nothing was changed. Ask a DPO of this register if the change is needed."
    )


def busy_words(url: str) -> str:
    return (
        f"The team register at {without_password(url)} is busy: someone holds a lock on its "
        "tables (a session left open in a transaction, or a long change), and ROPA desk gave up "
        "waiting after a few seconds rather than hang. Nothing was changed; try again in a "
        "moment, and if it stays busy ask the IT team to look at pg_stat_activity."
    )


def refusal_on_open(url: str, error: BaseException) -> RopaError | None:
    """Why a team register could not be opened, in words, when the server said why: a
    login with no role in it (it may not even connect), or a lock held too long."""
    original = getattr(error, "orig", None) or error
    text = str(original)
    if getattr(original, "sqlstate", None) in (LOCK_NOT_AVAILABLE, QUERY_CANCELED):
        return RegisterBusyError(busy_words(url))
    if "CONNECT privilege" in text or "permission denied for database" in text:
        login = _login_of(url)
        return TeamPermissionError(
            f"{login} has no role in the team register at {without_password(url)}, so the "
            "server does not let it in. Ask a DPO of the register to add it (ropa team add-user "
            f"{login} --role viewer|editor|dpo --db {without_password(url)})."
        )
    return None


def reading_refusal(register: Register, error: BaseException) -> RopaError | None:
    """A read the server gave up on (a lock held too long, or the statement time limit), in
    words; None for anything else."""
    original = getattr(error, "orig", None) or error
    state = getattr(original, "sqlstate", None)
    if state in (LOCK_NOT_AVAILABLE, QUERY_CANCELED):
        return RegisterBusyError(busy_words(register.server_url or ""))
    if is_connection_lost(error):
        return ConnectionLostError(lost_connection_words(register.server_url or "", original))
    return None


def is_connection_lost(error: BaseException) -> bool:
    """Whether `error` says the server went away (rather than refusing a statement)."""
    import psycopg

    if getattr(error, "connection_invalidated", False):
        return True
    original = getattr(error, "orig", None) or error
    if not isinstance(original, psycopg.OperationalError):
        return False
    state = original.sqlstate
    # No SQLSTATE: the client lost the socket. 08: connection exceptions; 57P: the server
    # shut down or ended the session.
    return state is None or state.startswith(("08", "57P"))


def lost_connection_words(url: str, error: BaseException) -> str:
    text = str(error).strip()
    reason = text.splitlines()[0] if text else "no answer"
    return (
        f"The connection to the team register at {without_password(url)} was lost ({reason}). "
        "What you type is kept; ROPA desk reconnects by itself and you can save again then."
    )


def _refused_action(reason: str) -> str:
    if "row-level security" in reason:
        if '"change_history"' in reason:
            return "change the register"
        return "add or move an activity into a business function you are not an editor of"
    for table, words in _TABLE_WORDS.items():
        if f"table {table}" in reason or f"sequence {table}_id_seq" in reason:
            return words
    if "activit" in reason or any(f" {t}" in reason for t in ("transfers", "retention_rules")):
        return "change these activities"
    return "make this change"


def _membership(driver: Any) -> Membership:
    login, superuser, is_team = driver.execute(
        "SELECT session_user, (SELECT rolsuper FROM pg_roles WHERE rolname = session_user), "
        f"to_regnamespace({literal(TEAM_SCHEMA)}) IS NOT NULL"
    ).fetchone()
    if not is_team:
        return Membership.unrestricted(login)
    if superuser:
        return Membership(login, "dpo")
    held = driver.execute(
        f"SELECT kind FROM unnest(ARRAY['dpo', 'editor', 'viewer']) AS kind "
        f"WHERE pg_has_role(current_user, {TEAM_SCHEMA}.group_role(kind), 'USAGE')"
    ).fetchall()
    kinds = [row[0] for row in held]
    role = kinds[0] if kinds else None
    functions: tuple[str, ...] = ()
    if role == "editor":
        functions = tuple(_editor_functions(driver).get(login, ()))
    return Membership(login, role, functions)


def _editor_functions(driver: Any) -> dict[str, list[str]]:
    rows = driver.execute(
        f"SELECT login, business_function FROM {TEAM_SCHEMA}.editor_functions "
        "ORDER BY login, business_function"
    ).fetchall()
    found: dict[str, list[str]] = {}
    for login, name in rows:
        found.setdefault(login, []).append(name)
    return found


def _require_team(driver: Any, shown: str) -> TeamRoles:
    found = driver.execute(f"SELECT to_regnamespace({literal(TEAM_SCHEMA)}) IS NOT NULL")
    if not found.fetchone()[0]:
        raise ValidationError(
            f"The register at {shown} is not set up as a team register yet. Run "
            f"ropa team init {shown.replace(_login_of(shown) + '@', 'ADMIN@', 1)} --dpo LOGIN "
            "first, with the IT team's administrator login."
        )
    row = driver.execute(
        f"SELECT {TEAM_SCHEMA}.group_role('viewer'), {TEAM_SCHEMA}.group_role('editor'), "
        f"{TEAM_SCHEMA}.group_role('dpo'), {TEAM_SCHEMA}.group_role('owner')"
    ).fetchone()
    return TeamRoles(*row)


def _role_exists(driver: Any, name: str) -> bool:
    row = driver.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
    return row is not None


def _ensure_group(driver: Any, name: str, shown: str) -> None:
    """Create the role `name` (NOLOGIN) unless it exists; one made beforehand (by the IT
    team, say) is used only if nobody can sign in as it and it holds no power of its own."""
    row = driver.execute(
        "SELECT rolcanlogin, rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls "
        "OR rolreplication FROM pg_roles WHERE rolname = %s",
        (name,),
    ).fetchone()
    if row is None:
        driver.execute(f"CREATE ROLE {quoted(name)} NOLOGIN")
        return
    can_sign_in, powerful = row
    if can_sign_in or powerful:
        raise TeamPermissionError(
            f"A role named {name} exists already on the server and "
            f"{'can sign in' if can_sign_in else 'holds powers of its own'}: the register's "
            f"roles must be NOLOGIN roles with no other rights. Ask the IT team to make it "
            f"so (ALTER ROLE {quoted(name)} NOLOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB "
            f"NOBYPASSRLS NOREPLICATION) or to drop it, then run ropa team init {shown} again. "
            "Nothing was changed."
        )


def _clean_functions(functions: Sequence[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in functions:
        cleaned = " ".join(name.split())
        if cleaned:
            seen.setdefault(function_key(cleaned), cleaned)
    return list(seen.values())


def _check_role_request(login: str, role: str, functions: Sequence[str]) -> None:
    if not login:
        raise ValidationError("Name the login to add (the name the person signs in with).")
    if role not in ROLE_KINDS:
        raise ValidationError(f"The role must be viewer, editor or dpo, not {role!r}.")
    if role == "editor" and not functions:
        raise ValidationError(
            "An editor edits the activities of some business functions: name at least one "
            "with --function NAME."
        )
    if role != "editor" and functions:
        raise ValidationError(
            f"Only editors are given business functions: a {role} "
            f"{'reads' if role == 'viewer' else 'changes'} every activity. "
            f"Leave out --function ({count_of(len(functions), 'name')} given)."
        )


def membership_of(register: Register) -> Membership:
    """Who is signed in to `register` and their role (everything, for a register file)."""
    if register.server_url is None:
        return Membership.unrestricted(current_user())
    return TeamService(register).membership()


def connect_team_register(url: str, password: str | None = None) -> tuple[Register, Membership]:
    """Open the team register at `url` (never creating one) and read who is signed in.

    The password, when the user typed one, is used for this connection only and is never
    written anywhere; without it libpq reads the PostgreSQL password file as usual.
    Raises PasswordNeeded when the server wants a password it was not given.
    """
    from ropa.register import Register

    try:
        register = Register.open(with_password(url, password), create=False)
    except RegisterFileError as error:
        reason = str(error.__cause__ or "")
        if "no password supplied" in reason or "password authentication failed" in reason:
            wrong = password is not None and "authentication failed" in reason
            raise PasswordNeeded(
                ("That password was not accepted. " if wrong else "")
                + f"The server asks for the password of {_login_of(url)}: the PostgreSQL "
                "password file (pgpass) has none for it. ROPA desk uses it for this "
                "connection only and never stores it."
            ) from error
        raise
    try:
        return register, membership_of(register)
    except BaseException:
        register.close()
        raise


def with_password(url: str, password: str | None) -> str:
    if not password:
        return url
    from urllib.parse import quote, urlsplit, urlunsplit

    parts = urlsplit(without_password(url))
    login, _at, host = parts.netloc.rpartition("@")
    netloc = f"{login}:{quote(password, safe='')}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _login_of(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).username or current_user()
