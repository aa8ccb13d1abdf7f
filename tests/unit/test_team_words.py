"""Every refusal in setting up and using a team register is words, never a traceback: from
the real command line (a subprocess), on a real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import psycopg

from db.team_security import roles_for_database
from tests.helpers.cli import ROOT, run_ropa
from tests.helpers.register_files import copy_register_file
from tests.helpers.team_register import Logins, Team, as_login, database_of


def said(*arguments: str) -> str:
    result = run_ropa(*arguments)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def test_set_up_refusals_are_words(logins: Logins, postgres_url: str, postgres_server: str) -> None:
    admin = logins.make("admin", "CREATEROLE")
    url = logins.owned_database(postgres_url, admin)
    # The first DPO's login does not exist.
    assert "There is no login nobody_here on the server" in said(
        "team", "init", url, "--dpo", "nobody_here"
    )
    # A day-to-day login cannot set a register up.
    person = logins.make("person")
    assert "may not create roles" in said("team", "init", as_login(url, person), "--dpo", person)
    # Roles made beforehand by the IT team: one that can sign in is named, with what to do.
    roles = roles_for_database(database_of(url))
    with psycopg.connect(postgres_server, autocommit=True) as superuser:
        superuser.execute(f'CREATE ROLE "{roles.editor}" LOGIN')
    logins.made.append(roles.editor)
    assert f"A role named {roles.editor} exists already" in said(
        "team", "init", url, "--dpo", person
    )
    # Made as the README's would be (NOLOGIN, no rights), they are used.
    with psycopg.connect(postgres_server, autocommit=True) as superuser:
        superuser.execute(f'ALTER ROLE "{roles.editor}" NOLOGIN')
    assert run_ropa("team", "init", url, "--dpo", person).returncode == 0
    # Run again with the DPO made a viewer of it (as the issue found), init still works.
    assert run_ropa("team", "init", url).returncode == 0
    # A port that is not a number.
    broken = url.replace(url.split("@", 1)[1].split("/", 1)[0], "127.0.0.1:port")
    for arguments in (["team", "list", "--db", broken], ["check", "--db", broken]):
        result = run_ropa(*arguments)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "the port, after the server's name" in result.stderr
    assert "the port, after the server's name" in said("team", "init", broken)


def test_an_editor_is_refused_an_import_as_in_the_app(
    team: Team, tmp_path: Path, _example_register_file: Path
) -> None:
    workbook = tmp_path / "register.xlsx"
    # The example register, copied from the run's (conftest) rather than written afresh.
    demo = copy_register_file(_example_register_file, tmp_path / "demo.ropa")
    assert run_ropa("export", str(workbook), "--db", str(demo)).returncode == 0
    assert "Only a DPO may import into the register" in said(
        "import", str(workbook), "--db", team.url_for(team.editor)
    )
    assert "Only a DPO may import" in said(
        "import", str(workbook), "--dry-run", "--db", team.url_for(team.viewer)
    )
    with team.open_as(team.dpo) as register:
        assert len(register.activity_list.summaries()) == 2


def test_demo_to_a_server_address_is_refused_and_writes_no_folder(team: Team) -> None:
    before = {path.name for path in ROOT.iterdir()}
    message = said("demo", team.url_for(team.dpo))
    assert "server's address" in message and "ropa copy" in message
    assert {path.name for path in ROOT.iterdir()} == before
    assert not (ROOT / "postgresql:").exists()
