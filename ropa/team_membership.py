"""Who is signed in to a register, and what their role lets them do.

A register file's user may do everything its file permissions allow; a team register's
server says who is signed in and in which role (db/team_security.py; asked through
db/team_catalog.py). Apart from ropa/team.py
(which sets teams up) so that the refusals (ropa/team_refusals.py), which the register's
transaction words with it, need nothing that imports the register.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from db.team_catalog import editor_functions, held_role_kinds, session_login
from ropa.identity import current_user

if TYPE_CHECKING:
    from ropa.store import Store

ROLE_WORDS = {
    "viewer": "a viewer, who may read the register but not change it",
    "editor": "an editor, who may change the activities of their business functions only",
    "dpo": "a DPO, who may change everything",
}


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


def membership_of(store: Store) -> Membership:
    """Who is signed in to `store` and their role (everything, for a register file)."""
    if store.server_url is None:
        return Membership.unrestricted(current_user())
    with team_driver(store) as driver:
        return read_membership(driver)


@contextlib.contextmanager
def team_driver(store: Store) -> Iterator[Any]:
    """A psycopg connection of a team register's pool, in autocommit for its own statements
    (no SQLAlchemy), handed back to the pool rolled back."""
    pooled = store.engine.raw_connection()
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


def read_membership(driver: Any) -> Membership:
    """Who the server says is signed in on `driver` (psycopg) and their role: the most
    powerful of the register's groups they hold; a superuser is a DPO everywhere."""
    signed_in = session_login(driver)
    if not signed_in.team:
        return Membership.unrestricted(signed_in.login)
    if signed_in.superuser:
        return Membership(signed_in.login, "dpo")
    kinds = held_role_kinds(driver)
    role = kinds[0] if kinds else None
    functions: tuple[str, ...] = ()
    if role == "editor":
        functions = tuple(editor_functions(driver).get(signed_in.login, ()))
    return Membership(signed_in.login, role, functions)


def login_of(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).username or current_user()
