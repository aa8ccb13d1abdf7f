"""A team register's server refusals, in words: what the role may not do, a lock held too
long, a lost connection.

The register's transaction and readings word their errors with these, so nothing here may
import the register (ropa/register.py imports this lazily, as its first refusal needs it).
PostgreSQL's error codes (SQLSTATE) tell most kinds apart; which table a refusal names and a
login refused at the door are still read from the server's message text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.server import without_password
from ropa.errors import ConflictError, RegisterBusyError, RopaError, ValidationError
from ropa.team_membership import login_of, membership_of

if TYPE_CHECKING:
    from ropa.store import Store

INSUFFICIENT_PRIVILEGE = "42501"
SERIALIZATION_FAILURE = "40001"
TEXT_TOO_LONG = "22001"
LOCK_NOT_AVAILABLE = "55P03"
QUERY_CANCELED = "57014"

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


def refusal_for(store: Store, error: BaseException) -> RopaError | None:
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
        url = store.server_url or ""
        return ConnectionLostError(
            lost_connection_words(url, original) + " This change was not saved."
        )
    state = getattr(original, "sqlstate", None)
    if state in (SERIALIZATION_FAILURE, TEXT_TOO_LONG, LOCK_NOT_AVAILABLE):
        # The server's version check, its limit on a field's length, or its writer lock
        # (which names who holds it): the server's own words say what happened.
        words = (original.diag.message_primary or str(original)).strip()  # type: ignore[union-attr]
        kinds: dict[str, type[RopaError]] = {
            SERIALIZATION_FAILURE: ConflictError,
            TEXT_TOO_LONG: ValidationError,
            LOCK_NOT_AVAILABLE: RegisterBusyError,
        }
        if state == LOCK_NOT_AVAILABLE and not words.startswith("The register is busy"):
            return RegisterBusyError(busy_words(store.server_url or ""))
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
        me = membership_of(store)
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
        login = login_of(url)
        return TeamPermissionError(
            f"{login} has no role in the team register at {without_password(url)}, so the "
            "server does not let it in. Ask a DPO of the register to add it (ropa team add-user "
            f"{login} --role viewer|editor|dpo --db {without_password(url)})."
        )
    return None


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
