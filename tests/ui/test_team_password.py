"""Signing in to a team register with a password: from pgpass, or asked for and never kept.

The test cluster trusts loopback logins; for one login of this test the server is told to
ask for a password (a line put first in its pg_hba.conf, through the server's own file
functions, and taken out again afterwards).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql
from pytestqt.qtbot import QtBot

from ropa.register import Register
from ropa.team import PasswordNeeded, TeamService
from ropa.team_connect import connect_team_register
from tests.helpers.prompts import ScriptedPrompts
from tests.helpers.team_register import Logins, Team
from ui.app import APP_STORAGE
from ui.main_window import MainWindow
from ui.settings import AppSettings

pytestmark = pytest.mark.gui

PASSWORD = "correct horse battery staple"


def _write_server_file(admin: psycopg.Connection, path: str, lines: list[str]) -> None:
    # COPY's text format writes one line per row, escaping only tabs and backslashes.
    assert not any("\t" in line or "\\" in line for line in lines)
    admin.execute(
        sql.SQL(
            "COPY (SELECT line FROM unnest({}::text[]) WITH ORDINALITY AS t(line, n) "
            "ORDER BY n) TO {}"
        ).format(sql.Literal(lines), sql.Literal(path))
    )
    admin.execute("SELECT pg_reload_conf()")


@pytest.fixture
def password_login(team: Team, logins: Logins, postgres_server: str) -> Iterator[str]:
    """A viewer of the team register whom the server asks for a password."""
    login = logins.make("pw", f"PASSWORD '{PASSWORD}'")
    with Register.open(team.url) as register:
        TeamService(register).add_user(login, "viewer")
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        hba = admin.execute("SHOW hba_file").fetchone()[0]
        original = admin.execute("SELECT pg_read_file(%s)", (hba,)).fetchone()[0]
        kept = [line.replace("\t", " ") for line in original.splitlines() if line.strip()]
        kept = [line for line in kept if not line.lstrip().startswith("#")]
        _write_server_file(admin, hba, [f"host all {login} 127.0.0.1/32 scram-sha-256", *kept])
        try:
            _wait_until_asked(team.url_for(login))
            yield login
        finally:
            _write_server_file(admin, hba, kept)


def _wait_until_asked(url: str) -> None:
    """The server reloads its configuration on its own time: wait until it asks."""
    for _attempt in range(200):
        try:
            psycopg.connect(url, connect_timeout=5, passfile=os.devnull).close()
        except psycopg.OperationalError as error:
            if "password" in str(error):
                return
        time.sleep(0.05)
    raise AssertionError("the server never began to ask for the password")


@pytest.fixture
def no_pgpass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    passfile = tmp_path / "pgpass"
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    return passfile


def test_the_password_comes_from_pgpass_or_is_asked_for(
    team: Team, password_login: str, no_pgpass: Path
) -> None:
    url = team.url_for(password_login)
    with pytest.raises(PasswordNeeded, match=f"asks for the password of {password_login}"):
        connect_team_register(url)
    with pytest.raises(
        PasswordNeeded, match=f"The server did not let {password_login} in with that password"
    ):
        connect_team_register(url, "wrong")
    register, membership = connect_team_register(url, PASSWORD)
    with register:
        assert membership.role == "viewer"
    parts = urlsplit(url)
    no_pgpass.write_text(f"{parts.hostname}:{parts.port}:*:{password_login}:{PASSWORD}\n")
    no_pgpass.chmod(0o600)
    register, membership = connect_team_register(url)
    with register:
        assert membership.login == password_login


def test_the_app_asks_for_the_password_and_never_keeps_it(
    qtbot: QtBot,
    team: Team,
    password_login: str,
    no_pgpass: Path,
    tmp_path: Path,
    prompts: ScriptedPrompts,
) -> None:
    settings_file = tmp_path / "settings.ini"
    settings = AppSettings.in_file(settings_file)
    own = Register.open(tmp_path / "own.ropa", options=APP_STORAGE)
    window = MainWindow(own, settings)
    qtbot.addWidget(window)
    window.show()
    prompts.expect("text", contains="asks for the password of", answer="wrong")
    prompts.expect("text", contains="in with that password", answer=PASSWORD)
    url = team.url_for(password_login)
    with qtbot.waitSignal(window.register_changed, timeout=20000) as changed:
        window.connect_to(url)
    team_register = changed.args[0]
    window.destroyed.connect(team_register.close)
    assert prompts.texts("text")[1].startswith(
        f"The server did not let {password_login} in with that password"
    )
    assert window.team_label.text() == f"Signed in as {password_login} (viewer)"
    assert PASSWORD not in window.path_label.text()
    settings.sync()
    assert settings.recent_registers()[0] == url
    assert PASSWORD.split()[0] not in settings_file.read_text()
    own.close()
