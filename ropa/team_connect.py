"""Connecting to a team register on a PostgreSQL server, as the Connect dialog does.

Apart from ropa/team.py because it opens a `Register`, which itself imports ropa/team.py to
set a team up again after an upgrade.
"""

from __future__ import annotations

from db.storage_options import SQLITE_IN_PROCESS, StorageOptions
from ropa.errors import RegisterFileError
from ropa.register import Register
from ropa.team import PasswordNeeded, with_password
from ropa.team_membership import Membership, login_of, membership_of
from ropa.team_refusals import INVALID_PASSWORD


def connect_team_register(
    url: str, password: str | None = None, *, options: StorageOptions = SQLITE_IN_PROCESS
) -> tuple[Register, Membership]:
    """Open the team register at `url` (never creating one) and read who is signed in.
    `options`: how the process keeps its registers (the register carries them on, so that a
    window on it opens the next register file the same way).

    The password, when the user typed one, is used for this connection only and is never
    written anywhere; without it libpq reads the PostgreSQL password file as usual.
    Raises PasswordNeeded when the server wants a password it was not given.
    """
    try:
        register = Register.open(with_password(url, password), options=options, create=False)
    except RegisterFileError as error:
        cause = error.__cause__
        original = getattr(cause, "orig", None) or cause
        # A refusal at the door carries no SQLSTATE: libpq keeps no error fields for a
        # connection that failed (psycopg's error has sqlstate None, and the server words its
        # FATAL message in its own lc_messages). libpq's own record of the sign-in says what
        # we need, in no words: whether the server asked for a password that was not to hand,
        # and whether it was given one.
        pgconn = getattr(original, "pgconn", None)
        asked = bool(getattr(pgconn, "needs_password", False))
        refused_with_password = (
            password is not None
            and getattr(original, "sqlstate", None) in (None, INVALID_PASSWORD)
            and bool(getattr(pgconn, "used_password", False))
        )
        if asked or refused_with_password:
            # Which refusal it was (the password, or the database after it) only the server's
            # words say, so they are quoted rather than guessed at.
            said = str(original or "").strip().splitlines()
            refused = (
                f"The server did not let {login_of(url)} in with that password (it said: "
                f"{said[0] if said else 'nothing'}). "
                if refused_with_password and not asked
                else ""
            )
            raise PasswordNeeded(
                refused + f"The server asks for the password of {login_of(url)}: the PostgreSQL "
                "password file (pgpass) has none for it. ROPA desk uses it for this "
                "connection only and never stores it."
            ) from error
        raise
    try:
        return register, membership_of(register)
    except BaseException:
        register.close()
        raise
