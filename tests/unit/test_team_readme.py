"""The README's steps for the IT team, run as written, in order, on a throwaway cluster of
their own (role names such as alice are the README's, and roles are cluster-wide).

Only the server's address changes: dbserver:5432 becomes the cluster's, and the server's own
tools reach it through PGHOST, PGPORT and PGUSER, as the README says.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from db.team_security import roles_for_database
from ropa.demo import write_demo
from tests.helpers import pg_cluster

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def readme_steps(marker: str) -> list[str]:
    """The commands of the fenced block after `<!-- it-steps: marker -->`."""
    text = README.read_text(encoding="utf-8")
    found = re.search(rf"<!-- it-steps: {re.escape(marker)} -->\s*```\n(.*?)```", text, re.S)
    assert found, f"the README has no block marked it-steps: {marker}"
    commands = []
    for line in found.group(1).splitlines():
        command = re.split(r"\s{2,}#", line)[0].strip()
        if command:
            commands.append(command)
    return commands


@pytest.fixture(scope="module")
def cluster() -> Iterator[pg_cluster.Cluster]:
    if pg_cluster.server_bin() is None:
        pytest.skip("no PostgreSQL server is installed")
    started = pg_cluster.start()
    try:
        yield started
    finally:
        pg_cluster.stop(started.folder)


def run_step(command: str, cluster: pg_cluster.Cluster, folder: Path) -> str:
    words = shlex.split(command.replace("dbserver:5432", f"127.0.0.1:{cluster.port}"))
    bin_dir = pg_cluster.server_bin()
    assert bin_dir is not None
    if words[0] == "ropa":
        words = [sys.executable, str(ROOT / "main.py"), *words[1:]]
    else:
        assert words[0] in ("createuser", "createdb", "psql"), command
        words[0] = str(bin_dir / words[0])
    env = dict(
        os.environ,
        PGHOST="127.0.0.1",
        PGPORT=str(cluster.port),
        PGUSER=pg_cluster.SUPERUSER,
        QT_QPA_PLATFORM="offscreen",
    )
    result = subprocess.run(
        words, capture_output=True, text=True, env=env, cwd=folder, timeout=120, check=False
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}{result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stdout


def test_the_readmes_it_steps_run_as_written(cluster: pg_cluster.Cluster, tmp_path: Path) -> None:
    said = [run_step(command, cluster, tmp_path) for command in readme_steps("new register")]
    assert said[-2].splitlines() == ["alice\tdpo", "bob\teditor  Finance", "carol\tviewer"]
    server = f"postgresql://postgres@127.0.0.1:{cluster.port}"
    owner = roles_for_database("ropa").owner
    with psycopg.connect(f"{server}/ropa") as admin:
        assert admin.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'activities'")
        (table_owner,) = admin.execute(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'activities'"
        ).fetchone() or ("",)
        assert table_owner == owner
        rights = admin.execute(
            "SELECT rolname, rolcanlogin, rolcreaterole, rolconnlimit FROM pg_roles "
            "WHERE rolname IN ('alice', 'bob', 'carol', 'ropa_admin') ORDER BY 1"
        ).fetchall()
    # No day-to-day login may create roles; the IT team's login is switched off.
    assert rights == [
        ("alice", True, False, 10),
        ("bob", True, False, 10),
        ("carol", True, False, 10),
        ("ropa_admin", False, True, 3),
    ]
    with (
        psycopg.connect(f"postgresql://alice@127.0.0.1:{cluster.port}/ropa") as alice,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        alice.execute("ALTER TABLE activities NO FORCE ROW LEVEL SECURITY")

    # An existing register brought to the server, as the README's second block has it.
    with write_demo(tmp_path / "hr-register.ropa") as example:
        count = len(example.activity_list.summaries())
    for command in readme_steps("existing register"):
        run_step(command, cluster, tmp_path)
    with psycopg.connect(f"postgresql://alice@127.0.0.1:{cluster.port}/ropa_hr") as alice:
        assert alice.execute("SELECT count(*) FROM activities").fetchone() == (count,)
        (table_owner,) = alice.execute(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'activities'"
        ).fetchone() or ("",)
        assert table_owner == roles_for_database("ropa_hr").owner
    assert not any(path.name.startswith("postgres") for path in tmp_path.iterdir())
