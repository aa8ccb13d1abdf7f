"""A team register: who is signed in, what their role lets them do, and who is in which role.

The server enforces the roles (db/team_security.py); this module sets them up and lists and
changes who is in them, asking the server's catalog and granting roles through
db/team_catalog.py (the SQL lives there; this module decides and words).  Who is signed in
(ropa/team_membership.py), so that the app can grey out what a role may not do, and the
server's refusals in words (ropa/team_refusals.py) live apart, because the register's
transaction needs them and this module imports the register's seeding.  Nothing here is a
second line of defence: a refusal the app did not foresee still comes from the server, and
`refusal_for` explains it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from db import team_catalog as catalog
from db.server import is_server_url, without_password
from db.storage_options import SQLITE_IN_PROCESS, StorageOptions
from db.team_security import (
    PROTECTIONS_VERSION,
    ROLE_KINDS,
    TeamRoles,
    quoted,
    roles_for_database,
)
from ropa.errors import RegisterBusyError, RegisterFileError, RopaError, ValidationError
from ropa.team_membership import (
    ROLE_WORDS,
    Membership,
    function_key,
    login_of,
    membership_of,
    read_membership,
    team_driver,
)
from ropa.team_refusals import (
    ConnectionLostError,
    TeamPermissionError,
    busy_words,
    is_connection_lost,
    lost_connection_words,
    reading_refusal,
    refusal_for,
    refusal_on_open,
)
from ropa.wording import count_of

if TYPE_CHECKING:
    from ropa.store import Store


class PasswordNeeded(RopaError):  # noqa: N818 (a question for the user, not a failure)
    """The server asks for a password that the PostgreSQL password file does not hold."""


# What the desktop layer may ask about a register's location without reaching into db/.
__all__ = ["ConnectionLostError", "PasswordNeeded", "is_server_url", "without_password"]
# Moved to their own modules (see above), still found here by their callers.
__all__ += [
    "ROLE_WORDS",
    "Membership",
    "TeamPermissionError",
    "busy_words",
    "function_key",
    "lost_connection_words",
    "membership_of",
    "reading_refusal",
    "refusal_for",
    "refusal_on_open",
]


@dataclass(frozen=True)
class TeamMember:
    login: str
    role: str
    functions: tuple[str, ...] = field(default=())
    can_sign_in: bool = True
    # The role that gave this role outside ROPA desk (a GRANT in psql by a login that may
    # create roles), leaving no line in the history; "" when ROPA desk gave it.
    given_outside_by: str = ""


class TeamService:
    """The team of a register on a PostgreSQL server."""

    def __init__(self, store: Store) -> None:
        if store.server_url is None:
            raise ValidationError(
                f"{store.path.name} is a register file, not a team register on a server: "
                "its team is whoever may open the file."
            )
        self.store = store

    # --- reading -------------------------------------------------------------------------

    def membership(self) -> Membership:
        with self._driver() as driver:
            return read_membership(driver)

    def members(self) -> list[TeamMember]:
        with self._driver() as driver:
            roles = _require_team(driver, self._shown())
            groups = {roles.of(kind): kind for kind in ROLE_KINDS}
            memberships = catalog.members_of_groups(driver, list(groups))
            functions = catalog.editor_functions(driver)
            recorded = catalog.roles_in_history(driver)
        found: dict[str, TeamMember] = {}
        rank = {kind: number for number, kind in enumerate(ROLE_KINDS)}
        for held in memberships:
            login = held.login
            if login in groups or login == roles.owner:  # the owner holds the groups
                continue
            kind = groups[held.group]
            if login in found and rank[found[login].role] >= rank[kind]:
                continue
            # ROPA desk gives roles as the owner role, with a history line (set_member); a
            # register an earlier version set up has the line though the DPO granted it.
            outside = held.granted_by != roles.owner and (login, kind) not in recorded
            found[login] = TeamMember(
                login,
                kind,
                tuple(functions.get(login, ())) if kind == "editor" else (),
                held.can_sign_in,
                held.granted_by if outside else "",
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
            me = read_membership(driver)
            if not me.is_dpo:
                raise TeamPermissionError(
                    f"Only a DPO of this register may add people to it or change their role; "
                    f"you are signed in as {me.login}, {me.role_words()}."
                )
            try:
                # The server checks and records it (ropa_team.set_member): the history line
                # is written whatever client asks.
                catalog.set_member(driver, login, role, functions)
            except psycopg.Error as error:
                reason = (error.diag.message_primary or str(error)).strip()
                kind = ValidationError if error.sqlstate == "23514" else TeamPermissionError
                raise kind(f"{reason} Nothing was changed.") from error
        return TeamMember(login, role, tuple(functions))

    def unknown_functions(self, functions: Iterable[str]) -> list[str]:
        """Those of `functions` that no activity of the register belongs to (yet)."""
        with self._driver() as driver:
            known = {function_key(name) for name in catalog.business_functions_in_use(driver)}
        return [name for name in functions if function_key(name) not in known]

    # --- internals -----------------------------------------------------------------------

    def _shown(self) -> str:
        return without_password(self.store.server_url or "")

    def _driver(self) -> contextlib.AbstractContextManager[Any]:
        return team_driver(self.store)


@dataclass(frozen=True)
class TeamSetUp:
    """What `ropa team init` (or a copy onto a server) left: the register's DPOs, and the
    role that owns it, which nobody signs in as."""

    database: str
    administrator: str
    owner: str
    dpos: tuple[str, ...]


def init_team_register(
    url: str, first_dpo: str | None = None, *, options: StorageOptions = SQLITE_IN_PROCESS
) -> TeamSetUp:
    """Make the database at `url` a team register (or bring one up to date), signed in as
    the IT team's administrator login; `first_dpo` is given the DPO role.

    An empty database gets a new register first; one that holds a register keeps it.  The
    tables, functions and policies then belong to the register's owner role, which nobody
    signs in as; the administrator becomes it only for this set-up and is no member of it
    afterwards.  All or nothing: one transaction, which waits for a lock another session
    holds as long as `options` say (busy_wait_seconds: the command line's --wait).
    """
    import psycopg
    from sqlalchemy.exc import DBAPIError

    from db.server import make_server_engine

    shown = without_password(url)
    engine = make_server_engine(url, lock_wait_ms=options.busy_wait_ms)
    try:
        with engine.begin() as connection:
            # An upgrade of a large register may take a while; waiting for a lock may not.
            connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
            return set_up_team_register(connection, shown, first_dpo=first_dpo)
    except (DBAPIError, psycopg.Error) as error:
        raise _set_up_refusal(shown, error, options.busy_wait_seconds) from error
    finally:
        engine.dispose()


def protections_note(driver: Any) -> str:
    """What opening a team register says when the protections team init installed in it
    are older than this version's ("" when they are current, or it is no team register)."""
    if not catalog.team_schema_exists(driver):
        return ""
    if catalog.installed_protections(driver) >= PROTECTIONS_VERSION:
        return ""
    return (
        "This team register's protections were set up by an earlier version of ROPA desk and "
        "lack this version's: nobody but the register may create functions in its database, "
        "the server itself records who approved or published and when, and values outside "
        "the register's lists are refused. To give them to it, ask the IT team to run ropa "
        "team init on this register's database again, with their administrator login (see "
        "the README). The register opens and saves as before meanwhile."
    )


def refresh_team_within(connection: Any) -> None:
    """After a schema upgrade on a team register, in the upgrade's own transaction (a
    SQLAlchemy connection): the grants, policies and triggers again, so that tables a
    migration added are covered too.  Nothing for a register with no team."""
    if catalog.team_schema_exists(connection.connection.driver_connection):
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
    admin = catalog.administrator(driver)
    login, superuser, database = admin.login, admin.superuser, admin.database
    _check_administrator(admin, shown)
    roles = roles_for_database(database)
    first_time = not catalog.team_schema_exists(driver)
    for kind in (*ROLE_KINDS, "owner"):
        _ensure_group(driver, roles.of(kind), shown)
    if first_time:
        _take_back_earlier_roles(driver, roles, database)
    _become_able_to_act_as(driver, roles.owner, login, superuser)
    catalog.grant_groups_to_owner(driver, roles)
    catalog.apply_database_settings(driver, roles, database)
    _refuse_others_creating_in_public(driver, roles, login, shown)
    _refuse_planted_objects(driver, roles, shown)
    _take_back_admin_options(driver, roles)
    _take_ownership(driver, roles.owner, login, superuser)
    catalog.act_as(driver, roles.owner)
    _create_or_upgrade(connection, shown)
    catalog.apply_security(driver, roles)
    if first_dpo:
        catalog.assign_first_dpo(driver, first_dpo.strip())
    catalog.stop_acting(driver)
    if not superuser:
        catalog.revoke_role(driver, roles.owner, login)
    dpos = catalog.logins_in_group(driver, roles.dpo)
    if require_dpo and not dpos:
        raise ValidationError(
            f"The register at {shown} has no DPO yet: name the first one, a person's own "
            f"login, with ropa team init {shown} --dpo LOGIN. Nothing was changed."
        )
    return TeamSetUp(database, login, roles.owner, dpos)


def _check_administrator(admin: catalog.Administrator, shown: str) -> None:
    login = admin.login
    if admin.superuser:
        return
    if not admin.may_create_roles:
        raise TeamPermissionError(
            f"Setting up a team register is done with the IT team's administrator login, one "
            f"that may create roles (CREATEROLE) and owns the database; {login} may not create "
            f"roles. Ask the IT team to run ropa team init {shown} --dpo LOGIN with that login. "
            "Nothing was changed."
        )
    if not admin.owns_database:
        raise TeamPermissionError(
            f"The database at {shown} belongs to {admin.database_owner}, not to {login}: set it up "
            f"with the login that owns it (the IT team creates it with createdb --owner "
            f"{login} ...). Nothing was changed."
        )


def _refuse_others_creating_in_public(
    driver: Any, roles: TeamRoles, login: str, shown: str
) -> None:
    """A function or operator planted in the schema public runs as whoever's statement finds
    it, a DPO's included: nobody but the owner role may create there. database_statements
    and this take the right away where this login can (an earlier version gave it to the
    DPO who set the register up); where it cannot (the right was granted by another role,
    such as the superuser owning the schema after an upgrade), refused."""
    for who in catalog.creators_in_public(driver):
        if who != roles.owner:  # PUBLIC's went with database_statements where it could
            catalog.revoke_create_in_public(driver, who)
    others = [who for who in catalog.creators_in_public(driver) if who != roles.owner]
    if not others:
        return
    who = (
        "anyone who can sign in to the server"
        if "PUBLIC" in others
        else "the roles " + ", ".join(others)
    )
    revoke = ", ".join("PUBLIC" if who == "PUBLIC" else quoted(who) for who in others)
    raise TeamPermissionError(
        f"In the database at {shown}, {who} may create functions and operators in the schema "
        "public, where the register's tables are (PostgreSQL 14 and earlier allowed everyone "
        "by default, and an upgraded server keeps it). One planted there runs as whoever's "
        f"statement finds it, a DPO's included, and {login} cannot take that right away. Ask "
        f"the server's administrator to run REVOKE CREATE ON SCHEMA public FROM {revoke}; in "
        f"that database, then run ropa team init again. Nothing was changed."
    )


def _refuse_planted_objects(driver: Any, roles: TeamRoles, shown: str) -> None:
    """A register makes only tables in the schema public: a function, operator, type or
    collation there that the owner role did not make may be waiting to run as a DPO."""
    planted = catalog.objects_in_public_not_made_by(driver, roles.owner)
    if not planted:
        return
    listed = "; ".join(f"{thing.name} ({thing.kind}, {thing.owner})" for thing in planted)
    raise TeamPermissionError(
        f"The database at {shown} holds in the schema public what the register did not make: "
        f"{listed}. A function or operator there runs as whoever's statement finds it, a "
        "DPO's included, so ROPA desk does not set up or bring up to date a team register "
        "beside it. Ask the server's administrator to look at each (who made it, and why) "
        "and drop it, then run ropa team init again. Nothing was changed."
    )


def _become_able_to_act_as(driver: Any, owner: str, login: str, superuser: bool) -> None:
    """Make `login` a member of the owner role for this transaction (taken back at its end):
    on PostgreSQL 16 and later a CREATEROLE login has ADMIN on the roles it created, but may
    SET ROLE to one only once granted SET."""
    if superuser:
        return
    import psycopg

    try:
        catalog.grant_set_role(driver, owner, login)
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
    for group, member in catalog.admin_option_holders(driver, roles.groups, roles.owner):
        catalog.revoke_admin_option(driver, group, member)
        if member in roles.groups:
            catalog.revoke_role(driver, group, member)


def _take_ownership(driver: Any, owner: str, login: str, superuser: bool) -> None:
    """Everything of the register belongs to the owner role: tables a copy or an upgrade
    just made, and a register whose tables an earlier version gave to the DPO who set it
    up (that login then owns nothing of it any more)."""
    import psycopg

    objects = catalog.objects_not_owned_by(driver, owner)
    borrowed: list[str] = []
    try:
        for previous in sorted({thing.owner for thing in objects} - {login}):
            if superuser or catalog.session_is_member_of(driver, previous):
                continue
            catalog.grant_role(driver, previous, login)
            borrowed.append(previous)
    except psycopg.errors.InsufficientPrivilege as error:
        raise TeamPermissionError(
            f"The register's tables belong to {previous}, and {login} may not hand them to "
            f"the register's owner role. Ask the IT team to run ropa team init as a superuser "
            "once. Nothing was changed."
        ) from error
    for thing in objects:
        catalog.give_to(driver, thing, owner)
    for previous in borrowed:
        catalog.revoke_role(driver, previous, login)


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


def _set_up_refusal(shown: str, error: BaseException, waited_seconds: float) -> RopaError:
    """The server's refusal during set-up, in words; `waited_seconds`: the session's
    lock_timeout, after which a lock held by someone else is given up on."""
    original = getattr(error, "orig", None) or error
    state = getattr(original, "sqlstate", None)
    diag = getattr(original, "diag", None)
    reason = (getattr(diag, "message_primary", None) or str(original)).strip()
    if state == "55P03":
        return RegisterBusyError(
            f"The register at {shown} is in use: someone holds its tables (a session left in a "
            f"transaction, or a save in progress), and set-up gave up after waiting "
            f"{waited_seconds:g} s rather than hold everyone else up. Nothing was "
            "changed; try again, or ask the IT team to look at pg_stat_activity."
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
    import psycopg

    found = catalog.memberships_outside(driver, groups, ours)
    try:
        catalog.revoke_roles(driver, found)
        # A REVOKE not ours to make may only warn: what is left is what the server says.
        kept = catalog.memberships_outside(driver, groups, ours)
    except psycopg.errors.InsufficientPrivilege:
        kept = found
    if left := sorted({member for _group, member in kept}):
        raise TeamPermissionError(
            f"The roles of an earlier team register in a database named {database} are still "
            f"held by {', '.join(left)}, and your login may not take them back. Ask the IT "
            f"team to remove those roles ({', '.join(groups)}), then set this register up "
            "again (ropa team init); no one was given a role in it."
        )


def _require_team(driver: Any, shown: str) -> TeamRoles:
    if not catalog.team_schema_exists(driver):
        raise ValidationError(
            f"The register at {shown} is not set up as a team register yet. Run "
            f"ropa team init {shown.replace(login_of(shown) + '@', 'ADMIN@', 1)} --dpo LOGIN "
            "first, with the IT team's administrator login."
        )
    return catalog.team_roles(driver)


def _ensure_group(driver: Any, name: str, shown: str) -> None:
    """Create the role `name` (NOLOGIN) unless it exists; one made beforehand (by the IT
    team, say) is used only if nobody can sign in as it and it holds no power of its own."""
    existing = catalog.existing_role(driver, name)
    if existing is None:
        catalog.create_group_role(driver, name)
        return
    can_sign_in = existing.can_sign_in
    if can_sign_in or existing.powerful:
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


def with_password(url: str, password: str | None) -> str:
    if not password:
        return url
    from urllib.parse import quote, urlsplit, urlunsplit

    parts = urlsplit(without_password(url))
    login, _at, host = parts.netloc.rpartition("@")
    netloc = f"{login}:{quote(password, safe='')}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
