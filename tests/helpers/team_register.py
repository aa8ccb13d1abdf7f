"""A team register on the test cluster, with real logins in each role (tests of ropa/team.py
and of the app on a team register share it). A pytest plugin (tests/conftest.py): the
fixtures `logins` (logins made for one test, dropped after it) and `team`."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from db.team_security import roles_for_database
from ropa.records import ActivityRecord, TransferEntry
from ropa.register import Register
from ropa.team import TeamService, init_team_register
from ropa.team_watch import ChangeWatcher, WatchEvents
from tests.postgres import with_database

FINANCE = "Finance"
CHILDREN = "Children's services"
# The application name of a window's change watcher (ropa/team_watch.py).
WATCHING = "ROPA desk (watching for changes)"


def as_login(url: str, login: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"{login}@{host}", parts.path, parts.query, ""))


def database_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


@dataclass
class Team:
    """A team register set up by the IT team's administrator login, with a DPO, an editor
    of Finance and a viewer, and one activity of each of two business functions."""

    dpo: str
    editor: str
    viewer: str
    url: str
    finance_id: int
    children_id: int
    admin: str = ""

    def url_for(self, login: str) -> str:
        return as_login(self.url, login)

    def open_as(self, login: str) -> Register:
        return Register.open(self.url_for(login))


class Logins:
    """Server logins made for one test (roles are cluster-wide: each name is unique), and
    dropped with everything granted to them afterwards."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.prefix = f"t{uuid.uuid4().hex[:8]}"
        self.made: list[str] = []
        self.databases: list[str] = []

    def make(self, name: str, options: str = "") -> str:
        login = f"{self.prefix}_{name}"
        with psycopg.connect(self.server, autocommit=True) as admin:
            admin.execute(f'CREATE ROLE "{login}" LOGIN {options}')
        self.made.append(login)
        return login

    def owned_database(self, url: str, owner: str) -> str:
        """Hand the (empty) database at `url` to `owner`, as `createdb --owner` would."""
        with psycopg.connect(self.server, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{database_of(url)}" OWNER TO "{owner}"')
        self.databases.append(database_of(url))
        return as_login(url, owner)

    @classmethod
    def for_a_test(cls, server: str) -> Iterator[Logins]:
        """The logins of one test (a fixture's body): dropped when it ends, however."""
        made = cls(server)
        try:
            yield made
        finally:
            made.drop()

    def drop(self) -> None:
        with psycopg.connect(self.server, autocommit=True) as admin:
            (superuser,) = admin.execute("SELECT current_user").fetchone() or ("",)
            groups = [
                role
                for database in self.databases
                for role in vars(roles_for_database(database)).values()
            ]
            everyone = ", ".join(f'"{name}"' for name in [*self.made, *groups])
            existing = {
                row[0] for row in admin.execute("SELECT datname FROM pg_database").fetchall()
            }
            for database in set(self.databases) & existing:
                with psycopg.connect(
                    with_database(self.server, database), autocommit=True
                ) as inside:
                    inside.execute(f"DROP OWNED BY {everyone} CASCADE")
                admin.execute(f'ALTER DATABASE "{database}" OWNER TO "{superuser}"')
            for name in [*groups, *self.made]:
                admin.execute(f'DROP ROLE IF EXISTS "{name}"')


def make_team(logins: Logins, empty_database_url: str) -> Team:
    """As the README has it: the IT team's administrator login (CREATEROLE, owning the
    database) sets the register up and names the DPO, a person's own login."""
    admin = logins.make("admin", "CREATEROLE")
    dpo = logins.make("dpo")
    admin_url = logins.owned_database(empty_database_url, admin)
    assert init_team_register(admin_url, dpo).dpos == (dpo,)
    url = as_login(admin_url, dpo)
    editor = logins.make("editor")
    viewer = logins.make("viewer")
    with Register.open(url) as register:
        finance = register.activities.create(
            ActivityRecord(
                name="Payroll",
                business_function=FINANCE,
                transfers=[TransferEntry("United States", "adequacy", "")],
            )
        )
        children = register.activities.create(
            ActivityRecord(
                name="Child protection",
                business_function=CHILDREN,
                transfers=[TransferEntry("Canada", "adequacy", "")],
            )
        )
        team = TeamService(register)
        team.add_user(editor, "editor", [FINANCE])
        team.add_user(viewer, "viewer")
    assert finance.id is not None and children.id is not None
    return Team(dpo, editor, viewer, url, finance.id, children.id, admin)


def end_sessions(server: str, team: Team, application: str = "") -> None:
    """What a restarted server or a dropped network does to the register's connections."""
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid() "
            "AND (%s = '' OR application_name = %s)",
            (database_of(team.url), application, application),
        )


@pytest.fixture
def logins(postgres_server: str) -> Iterator[Logins]:
    yield from Logins.for_a_test(postgres_server)


@pytest.fixture
def team(logins: Logins, postgres_url: str) -> Team:
    return make_team(logins, postgres_url)


@contextmanager
def watching(url: str) -> Iterator[list[str]]:
    """A change watcher (ropa/team_watch.py) listening at `url` on a thread of its own, as a
    window's does, connected before the block runs: the block gets the list of the kinds of
    change it hears. Told to stop after the block, it must end within seconds."""
    heard: list[str] = []
    watcher = ChangeWatcher(url, WatchEvents(heard.append, print, print))
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        assert watcher.connected.wait(10), "the watcher did not connect"
        yield heard
    finally:
        watcher.stop.set()
        thread.join(10)
    assert not thread.is_alive(), "the watcher went on waiting after it was told to stop"


def heard_within(heard: list[str], seconds: float = 10) -> list[str]:
    """`heard` once something is in it, or as it is after `seconds`."""
    deadline = time.monotonic() + seconds
    while not heard and time.monotonic() < deadline:
        time.sleep(0.1)
    return heard
