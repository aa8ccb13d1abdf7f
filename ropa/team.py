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
    literal,
    quoted,
    register_relations,
    roles_for_database,
    security_statements,
)
from ropa.errors import RegisterFileError, RopaError, ValidationError
from ropa.identity import current_user
from ropa.wording import count_of

if TYPE_CHECKING:
    from ropa.register import Register

INSUFFICIENT_PRIVILEGE = "42501"

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
            if login in groups:  # the DPO group holds the others to hand them out
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
        with self._driver() as driver, driver.transaction():
            roles = _require_team(driver, self._shown())
            me = _membership(driver)
            if not me.is_dpo:
                raise TeamPermissionError(
                    f"Only a DPO of this register may add people to it or change their role; "
                    f"you are signed in as {me.login}, {me.role_words()}."
                )
            if role != "dpo" and login == me.login and _dpo_count(driver, roles) <= 1:
                raise ValidationError(
                    f"{login} is the register's only DPO: make someone else DPO first, so that "
                    "someone can still manage the team."
                )
            _ensure_login(driver, login)
            for kind in ROLE_KINDS:
                if kind != role:
                    driver.execute(f"REVOKE {quoted(roles.of(kind))} FROM {quoted(login)}")
            admin = " WITH ADMIN OPTION" if role == "dpo" else ""
            driver.execute(f"GRANT {quoted(roles.of(role))} TO {quoted(login)}{admin}")
            driver.execute(f"DELETE FROM {TEAM_SCHEMA}.editor_functions WHERE login = %s", (login,))
            for name in functions:
                driver.execute(
                    f"INSERT INTO {TEAM_SCHEMA}.editor_functions (login, business_function) "
                    "VALUES (%s, %s)",
                    (login, name),
                )
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


def init_team_register(url: str) -> Membership:
    """Make the database at `url` a team register, with the login in `url` as its DPO.

    An empty database gets a new register first; one that holds a register keeps it (its
    change history then gains nothing but the server's stamp on new lines).  Run again, it
    brings the grants and policies up to date (after a schema upgrade, say).  All or
    nothing: one transaction.
    """
    from ropa.register import Register

    with Register.open(url) as register:
        service = TeamService(register)
        with service._driver() as driver, driver.transaction():
            set_up_team(driver, without_password(url))
        return service.membership()


def refresh_team_within(connection: Any) -> None:
    """After a schema upgrade (run by the tables' owner) on a team register, in the upgrade's
    own transaction (a SQLAlchemy connection): the grants, policies and triggers again, so
    that tables a migration added are covered too.  Nothing for a register with no team."""
    driver = connection.connection.driver_connection
    if driver.execute(f"SELECT to_regnamespace({literal(TEAM_SCHEMA)})").fetchone()[0]:
        set_up_team(driver, "the upgraded register")


def set_up_team_after_copy(connection: Any) -> None:
    """`ropa copy`'s server set-up (a SQLAlchemy connection inside the copy's transaction):
    the copied register becomes a team register with the person copying as its DPO.  The
    copied history keeps its names: the server's stamp applies to lines written after."""
    set_up_team(connection.connection.driver_connection, "the target database")


def set_up_team(driver: Any, shown: str) -> None:
    """Roles, grants, policies and triggers, in the caller's transaction on `driver` (a
    psycopg connection signed in as the tables' owner, who becomes the first DPO)."""
    login, superuser, may_create_roles, database = driver.execute(
        "SELECT session_user, rolsuper, rolcreaterole, current_database() FROM pg_roles "
        "WHERE rolname = session_user"
    ).fetchone()
    _check_owner(driver, login, superuser, shown)
    first_time = not driver.execute(
        f"SELECT to_regnamespace({literal(TEAM_SCHEMA)}) IS NOT NULL"
    ).fetchone()[0]
    roles = roles_for_database(database)
    for kind in ROLE_KINDS:
        _ensure_group(driver, roles.of(kind), login, may_create_roles or superuser)
    if first_time:
        _take_back_earlier_roles(driver, roles, database)
    for kind in ("viewer", "editor"):
        driver.execute(f"GRANT {quoted(roles.of(kind))} TO {quoted(roles.dpo)} WITH ADMIN OPTION")
    driver.execute(f"GRANT {quoted(roles.dpo)} TO {quoted(login)} WITH ADMIN OPTION")
    tables, sequences = register_relations(driver)
    for statement in security_statements(roles, tables, sequences):
        driver.execute(statement)


def _take_back_earlier_roles(driver: Any, roles: TeamRoles, database: str) -> None:
    """The group roles are named after the database and outlive it (roles belong to the whole
    server): a register set up in a database whose name an earlier team register had (dropped
    and made again, or copied into) must not hand that register's people their old roles."""
    groups = [roles.of(kind) for kind in ROLE_KINDS]

    def earlier_members() -> list[tuple[str, str]]:
        return [
            (group, member)
            for group, member in driver.execute(
                "SELECT g.rolname, m.rolname FROM pg_auth_members a "
                "JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member "
                "WHERE g.rolname = ANY(%s) AND NOT m.rolname = ANY(%s) ORDER BY 2, 1",
                (groups, groups),
            ).fetchall()
        ]

    import psycopg

    found = earlier_members()
    try:
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
    if reason.startswith(("Only a DPO", "Every change to an activity")):
        message = f"The server refused the change: {reason}{who}"
    else:
        message = f"The server refused the change: your role may not {what}.{who}"
    return TeamPermissionError(
        f"{message} Nothing was changed. Ask a DPO of this register if the change is needed."
    )


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
            f"ropa team init {shown} first (as the login that is to be its first DPO)."
        )
    row = driver.execute(
        f"SELECT {TEAM_SCHEMA}.group_role('viewer'), {TEAM_SCHEMA}.group_role('editor'), "
        f"{TEAM_SCHEMA}.group_role('dpo')"
    ).fetchone()
    return TeamRoles(*row)


def _dpo_count(driver: Any, roles: TeamRoles) -> int:
    row = driver.execute(
        "SELECT count(*) FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
        "JOIN pg_roles m ON m.oid = a.member WHERE g.rolname = %s AND m.rolcanlogin",
        (roles.dpo,),
    ).fetchone()
    return int(row[0])


def _role_exists(driver: Any, name: str) -> bool:
    row = driver.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
    return row is not None


def _ensure_login(driver: Any, login: str) -> None:
    """Create the login (without a password: the IT team sets how it signs in) if missing."""
    if _role_exists(driver, login):
        return
    import psycopg

    try:
        with driver.transaction():
            driver.execute(f"CREATE ROLE {quoted(login)} LOGIN")
    except psycopg.errors.InsufficientPrivilege as error:
        raise TeamPermissionError(
            f"There is no login {login} on the server, and yours may not create logins. Ask the "
            f"IT team to create it (createuser {login}), then add it to the team again."
        ) from error


def _ensure_group(driver: Any, name: str, login: str, may_create_roles: bool) -> None:
    if _role_exists(driver, name):
        return
    if not may_create_roles:
        raise TeamPermissionError(
            f"Your login {login} may not create roles, which setting up a team register needs "
            f"(three, one for each of viewer, editor and DPO). Ask the IT team to let it "
            f"(ALTER ROLE {login} CREATEROLE), or to run ropa team init themselves."
        )
    driver.execute(f"CREATE ROLE {quoted(name)} NOLOGIN")


def _check_owner(driver: Any, login: str, superuser: bool, shown: str) -> None:
    row = driver.execute(
        "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'activities'"
    ).fetchone()
    if row is not None and row[0] != login and not superuser:
        raise TeamPermissionError(
            f"The register's tables at {shown} belong to {row[0]}, not to you ({login}): only "
            f"their owner can set up its roles. Run ropa team init as {row[0]}."
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
