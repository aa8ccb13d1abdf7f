"""Connecting to a team register on a PostgreSQL server, as the Connect dialog does.

Apart from ropa/team.py because it opens a `Register`, which itself imports ropa/team.py to
set a team up again after an upgrade.
"""

from __future__ import annotations

from ropa.errors import RegisterFileError
from ropa.register import Register
from ropa.team import PasswordNeeded, with_password
from ropa.team_membership import Membership, login_of, membership_of


def connect_team_register(url: str, password: str | None = None) -> tuple[Register, Membership]:
    """Open the team register at `url` (never creating one) and read who is signed in.

    The password, when the user typed one, is used for this connection only and is never
    written anywhere; without it libpq reads the PostgreSQL password file as usual.
    Raises PasswordNeeded when the server wants a password it was not given.
    """
    try:
        register = Register.open(with_password(url, password), create=False)
    except RegisterFileError as error:
        reason = str(error.__cause__ or "")
        if "no password supplied" in reason or "password authentication failed" in reason:
            wrong = password is not None and "authentication failed" in reason
            raise PasswordNeeded(
                ("That password was not accepted. " if wrong else "")
                + f"The server asks for the password of {login_of(url)}: the PostgreSQL "
                "password file (pgpass) has none for it. ROPA desk uses it for this "
                "connection only and never stores it."
            ) from error
        raise
    try:
        return register, membership_of(register)
    except BaseException:
        register.close()
        raise
