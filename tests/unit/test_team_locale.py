"""A team register on a server that speaks French: the app's refusals keep their own words.

The server words its errors in its lc_messages; the app must tell them apart by SQLSTATE,
by the schema its own RAISEs name, by the statement it sent and by libpq's record of a
sign-in, never by the server's English. The team register's database is switched to French
(ALTER DATABASE: the test cluster is shared with tests running alongside); refusals at the
door come before any database's settings apply, so they are tried on a throwaway cluster of
their own that speaks French throughout. Each test first shows the server really says it in
French, so that none of them can pass on an English server by accident.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from db.team_security import literal
from ropa.errors import RegisterBusyError
from ropa.records import ActivityRecord
from ropa.register import Register
from ropa.team import PasswordNeeded, TeamPermissionError, TeamService
from ropa.team_connect import connect_team_register
from tests.helpers import pg_cluster
from tests.helpers.team_register import CHILDREN, Logins, Team, database_of, make_team
from tests.helpers.waits import SHORT_WAIT
from tests.postgres import with_database

FRENCH = "fr_FR.UTF-8"
PASSWORD = "mot de passe correct"


def _require_french() -> None:
    translations = Path("/usr/share/locale/fr/LC_MESSAGES")
    if not any(path.name.startswith("postgres") for path in translations.iterdir()):
        pytest.fail("PostgreSQL's French translations are not installed (postgresql-15 has them)")
    locales = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower()
    if "fr_fr.utf8" not in locales.split():
        pytest.fail(f"{FRENCH} is missing: .ci/run makes it (localedef -i fr_FR -f UTF-8)")


@pytest.fixture
def french_team(team: Team, postgres_server: str) -> Team:
    """The team register, whose database speaks French to every connection made into it
    (ALTER DATABASE: the cluster is shared with tests running alongside, which it leaves
    alone)."""
    _require_french()
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(
            f'ALTER DATABASE "{database_of(team.url)}" SET lc_messages TO {literal(FRENCH)}'
        )
    return team


@pytest.fixture
def french_cluster() -> Iterator[str]:
    """A throwaway cluster of this test's own that speaks French from the door on: a
    refusal at sign-in comes before any database's settings apply."""
    _require_french()
    cluster = pg_cluster.start()
    try:
        with psycopg.connect(cluster.url, autocommit=True) as admin:
            admin.execute(f"ALTER SYSTEM SET lc_messages TO {literal(FRENCH)}")
            admin.execute("SELECT pg_reload_conf()")
        for _attempt in range(200):  # the server reloads its configuration on its own time
            with psycopg.connect(cluster.url, autocommit=True) as check:
                if check.execute("SHOW lc_messages").fetchone() == (FRENCH,):
                    break
            time.sleep(0.05)
        else:
            raise AssertionError("the test cluster never took lc_messages in French")
        yield cluster.url
    finally:
        pg_cluster.stop(cluster.folder)


def _server_says(url: str, sql: str) -> str:
    with psycopg.connect(url, autocommit=True) as connection, pytest.raises(psycopg.Error) as e:
        connection.execute(sql)
    return str(e.value)


def test_refusals_on_a_french_server_keep_the_apps_words(french_team: Team) -> None:
    team = french_team
    # The server speaks French: an editor's row-level security refusal, in its words.
    said = _server_says(
        team.url_for(team.editor),
        f"UPDATE activities SET business_function = 'x', version = version + 1 "
        f"WHERE id = {team.finance_id}",
    )
    assert "sécurité au niveau ligne" in said and "row-level security" not in said
    with team.open_as(team.editor) as register:
        with pytest.raises(TeamPermissionError) as moved:
            register.activities.update(team.finance_id, {"business_function": CHILDREN})
        with pytest.raises(TeamPermissionError) as created:
            register.activities.create(ActivityRecord(name="New", business_function=CHILDREN))
        with pytest.raises(TeamPermissionError) as library:
            register.activities.update(team.finance_id, {"purposes": ["A purpose nobody had"]})
    for refusal in (moved, created):
        assert "your role may not add or move an activity into a business function you are not" in (
            str(refusal.value)
        )
    assert "your role may not change the libraries" in str(library.value)
    # The change history is append-only: even a DPO's grants refuse a change to it.
    with team.open_as(team.dpo) as register:
        lines_before = len(register.history.changes())
    with (
        team.open_as(team.dpo) as register,
        pytest.raises(TeamPermissionError) as dpo,
        register.transaction() as session,
    ):
        session.execute(text("DELETE FROM change_history"))
    assert "your role may not change the register" in str(dpo.value)
    # The register's own refusals (its triggers' RAISEs) are quoted in their English words.
    with (
        team.open_as(team.editor) as register,
        pytest.raises(TeamPermissionError) as approval,
        register.transaction() as session,
    ):
        session.execute(
            text(
                "UPDATE activities SET status = 'approved', version = version + 1 "
                f"WHERE id = {team.finance_id}"
            )
        )
    assert str(approval.value).startswith(
        "The server refused the change: Only a DPO may approve an activity"
    )
    with team.open_as(team.dpo) as register:
        assert len(register.history.changes()) == lines_before


def test_busy_registers_on_a_french_server_keep_the_apps_words(french_team: Team) -> None:
    team = french_team
    # The writer lock held in psql by the editor: the register's own words name who.
    with psycopg.connect(team.url_for(team.editor)) as editor:
        editor.execute("SELECT ropa_team.take_writer_lock()")
        with (
            Register.open(team.url_for(team.dpo), options=SHORT_WAIT) as register,
            pytest.raises(RegisterBusyError, match=f"{team.editor} is saving"),
        ):
            register.activities.update(team.children_id, {"owner": "Waited"})
        editor.rollback()
    # A table locked in psql: the server's own lock timeout, in French, worded by the app.
    with psycopg.connect(team.url_for(team.editor)) as editor:
        editor.execute("LOCK TABLE activities IN ACCESS EXCLUSIVE MODE")
        said = _server_says(
            team.url_for(team.dpo), "SET lock_timeout = 100; SELECT count(*) FROM activities"
        )
        assert "verrou" in said and "lock" not in said.lower().replace("lock_timeout", "")
        with (
            Register.open(team.url_for(team.dpo), options=SHORT_WAIT) as register,
            pytest.raises(RegisterBusyError, match="is busy: someone holds a lock"),
        ):
            register.activities.update(team.children_id, {"owner": "Waited"})
        editor.rollback()


def _write_server_file(admin: psycopg.Connection, path: str, lines: list[str]) -> None:
    assert not any("\t" in line or "\\" in line for line in lines)
    admin.execute(
        psycopg.sql.SQL(
            "COPY (SELECT line FROM unnest({}::text[]) WITH ORDINALITY AS t(line, n) "
            "ORDER BY n) TO {}"
        ).format(psycopg.sql.Literal(lines), psycopg.sql.Literal(path))
    )
    admin.execute("SELECT pg_reload_conf()")


def test_a_wrong_password_on_a_french_server_is_asked_again(
    french_cluster: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    french_server = french_cluster
    with psycopg.connect(french_server, autocommit=True) as admin:
        admin.execute("CREATE DATABASE ropa_team_fr TEMPLATE template0")
    logins = Logins(french_server)
    team = make_team(logins, with_database(french_server, "ropa_team_fr"))
    login = logins.make("pw", f"PASSWORD '{PASSWORD}'")
    stranger = logins.make("stranger")
    with Register.open(team.url) as register:
        TeamService(register).add_user(login, "viewer")
    url = team.url_for(login)
    with psycopg.connect(french_server, autocommit=True) as admin:
        (hba,) = admin.execute("SHOW hba_file").fetchone() or ("",)
        (original,) = admin.execute("SELECT pg_read_file(%s)", (hba,)).fetchone() or ("",)
        kept = [line.replace("\t", " ") for line in original.splitlines() if line.strip()]
        kept = [line for line in kept if not line.lstrip().startswith("#")]
        _write_server_file(admin, hba, [f"host all {login} 127.0.0.1/32 scram-sha-256", *kept])
        try:
            wrong_url = url.replace(f"{login}@", f"{login}:wrong@")
            said = ""
            for _attempt in range(200):  # until the server has reloaded pg_hba.conf
                try:
                    psycopg.connect(wrong_url, connect_timeout=5).close()
                except psycopg.OperationalError as error:
                    said = str(error)
                    break
                time.sleep(0.05)
            assert "authentification par mot de passe" in said, said
            with pytest.raises(PasswordNeeded, match=f"asks for the password of {login}"):
                connect_team_register(url)
            with pytest.raises(PasswordNeeded) as wrong:
                connect_team_register(url, "wrong")
            assert str(wrong.value).startswith(
                f"The server did not let {login} in with that password (it said: "
            )
            assert "authentification par mot de passe" in str(wrong.value)
            register, membership = connect_team_register(url, PASSWORD)
            with register:
                assert membership.role == "viewer"
        finally:
            _write_server_file(admin, hba, kept)
    # A login kept out of the database (no CONNECT privilege), told apart without the words.
    with pytest.raises(TeamPermissionError, match=f"{stranger} has no role in the team"):
        Register.open(team.url_for(stranger))
