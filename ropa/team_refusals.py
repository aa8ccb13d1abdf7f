"""A team register's server refusals, in words: what the role may not do, a lock held too
long, a lost connection.

A team register's store (ropa/storage/server_store.py) words its errors with these, and
passes itself: nothing here imports the register or the store's module.
Nothing here reads the server's message text to decide: it follows the server's lc_messages
(a French server says "droit refusé pour la table"). What kind of refusal it is comes from
the SQLSTATE; whether it is one of the register's own (worded in English by
db/team_security.py) from the schema its RAISE names (diag.schema_name); which table a
refusal of the server's own is about from the statement the app sent. The server's words
are only ever quoted.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from db.server import may_connect, without_password
from db.team_security import ACTIVITY_TABLES, TEAM_SCHEMA
from ropa.errors import ConflictError, RegisterBusyError, RopaError, ValidationError
from ropa.team_membership import login_of, membership_of

if TYPE_CHECKING:
    from ropa.store import Store

INSUFFICIENT_PRIVILEGE = "42501"
SERIALIZATION_FAILURE = "40001"
TEXT_TOO_LONG = "22001"
LOCK_NOT_AVAILABLE = "55P03"
QUERY_CANCELED = "57014"
INVALID_PASSWORD = "28P01"

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


def refusal_for(
    store: Store, error: BaseException, *, committing: bool = False
) -> RopaError | None:
    """The server's refusal of a change, in words (None when `error` is not a refusal).

    Grants refuse whole tables and policies refuse new rows, both as SQLSTATE 42501 with no
    table in the error's fields, so the table is the one the app's statement wrote to (an
    editor holds the grants on the activities' tables, so a refusal there is a policy's);
    the guard triggers give their own reason, marked by the schema their RAISE names; a
    change that matched no row it may touch surfaces from SQLAlchemy as stale data.
    `committing`: the error came from COMMIT itself, so a lost connection leaves unknown
    whether the server committed before it went.
    """
    from sqlalchemy.orm.exc import StaleDataError

    # The fast paths' raw cursors (db/raw.py) raise psycopg's own errors, unwrapped.
    original = getattr(error, "orig", None) or error
    if is_connection_lost(error):
        url = store.server_url or ""
        outcome = (
            " It is not known whether this change was saved: the connection went while the "
            "server was saving it. Once reconnected, look whether the register holds it before "
            "making it again."
            if committing
            else " This change was not saved."
        )
        return ConnectionLostError(lost_connection_words(url, original) + outcome)
    state = getattr(original, "sqlstate", None)
    own = own_words(original)
    if state in (SERIALIZATION_FAILURE, TEXT_TOO_LONG, LOCK_NOT_AVAILABLE):
        # The register's version check, its limit on a field's length, or its writer lock
        # (which names who holds it) say in their own words what happened; the server's own
        # kinds of these get the app's words.
        if state == LOCK_NOT_AVAILABLE:
            return RegisterBusyError(own or busy_words(store.server_url or ""))
        if state == SERIALIZATION_FAILURE:
            return ConflictError(
                own
                or "Someone else changed this at the same time. Nothing was changed: "
                "open it again and redo the change."
            )
        return ValidationError(
            own or "A value is longer than the register's field for it holds; nothing was saved."
        )
    if isinstance(error, StaleDataError):
        refused_table: str | None = None
    elif state == INSUFFICIENT_PRIVILEGE:
        refused_table = _target_table(getattr(error, "statement", None))
    else:
        return None
    try:
        me = membership_of(store)
        who = f" You are signed in as {me.login}, {me.role_words()}."
        role = me.role
    except Exception:  # the explanation must not hide the refusal itself
        who, role = "", None
    if own:
        message = f"The server refused the change: {own}{who}"
    else:
        what = (
            "change rows of an activity outside your business functions"
            if isinstance(error, StaleDataError)
            else _refused_action(refused_table, role)
        )
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
    state = getattr(original, "sqlstate", None)
    if state in (LOCK_NOT_AVAILABLE, QUERY_CANCELED):
        return RegisterBusyError(busy_words(url))
    # Refused at the door (no SQLSTATE there): asked of the server whether the login lacks
    # the database's CONNECT privilege, which only the register's members hold.
    if state is None and _refused_at_the_door(original) and may_connect(url) is False:
        login = login_of(url)
        return TeamPermissionError(
            f"{login} has no role in the team register at {without_password(url)}, so the "
            "server does not let it in. Ask a DPO of the register to add it (ropa team add-user "
            f"{login} --role viewer|editor|dpo --db {without_password(url)})."
        )
    return None


def _refused_at_the_door(error: BaseException) -> bool:
    """Whether `error` is a connection the server answered and refused (libpq's record of
    it: the server was reached and did not ask for a password it lacked)."""
    import psycopg

    pgconn = getattr(error, "pgconn", None)
    return (
        isinstance(error, psycopg.OperationalError)
        and pgconn is not None
        and not pgconn.needs_password
    )


def reading_refusal(store: Store, error: BaseException) -> RopaError | None:
    """A read the server gave up on (a lock held too long, or the statement time limit), in
    words; None for anything else."""
    original = getattr(error, "orig", None) or error
    state = getattr(original, "sqlstate", None)
    if state in (LOCK_NOT_AVAILABLE, QUERY_CANCELED):
        return RegisterBusyError(busy_words(store.server_url or ""))
    if is_connection_lost(error):
        return ConnectionLostError(lost_connection_words(store.server_url or "", original))
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


def own_words(error: BaseException) -> str:
    """The message of a RAISE of the register's own (db/team_security.py names its schema
    in every one), which is worded in English whatever the server's lc_messages; "" for any
    other error."""
    diag = getattr(error, "diag", None)
    if diag is None or getattr(diag, "schema_name", None) != TEAM_SCHEMA:
        return ""
    return str(diag.message_primary or "").strip()


# The table a statement of the app's own writes to: the first name after INSERT INTO,
# UPDATE or DELETE FROM (SQLAlchemy's and db/raw.py's statements, never the server's words).
_TARGET = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:"?public"?\.)?"?(\w+)"?', re.IGNORECASE
)


def _target_table(statement: object) -> str | None:
    found = _TARGET.match(statement) if isinstance(statement, str) else None
    return found.group(1).lower() if found else None


def _refused_action(table: str | None, role: str | None) -> str:
    """What a refused write to `table` was, for a member of `role`: an editor holds the
    grants on the activities' tables, so only a row-level security policy refuses them
    theirs (a row of a business function they are not an editor of)."""
    if table in ACTIVITY_TABLES:
        if role == "editor":
            return "add or move an activity into a business function you are not an editor of"
        return "change these activities"
    if table is not None and table in _TABLE_WORDS:
        return _TABLE_WORDS[table]
    return "make this change"
