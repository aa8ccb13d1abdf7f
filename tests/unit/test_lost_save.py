"""Saves reach the register file whatever else in the process opens it (issue: lost saves).

On POSIX, closing any file descriptor on the register drops every lock SQLite holds on it in
that process; another process then believes it is alone, checkpoints and deletes the WAL, and
later saves go into a deleted file. Each test here runs three processes on one real file: a
holder that saves, is disturbed as the app is (a plain open, Qt guessing the file's type, the
app's real main window with a real Qt file dialog on the folder, and the issue's own steps:
Notices, Export…, a PDF beside the register through the app's save dialog), and saves again
while a second process runs command-line commands; then the holder dies without closing anything,
and this test process, the third, reads the file.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ropa.register import Register

REPO = Path(__file__).resolve().parents[2]
DISTURBANCES = ["open", "mime", "dialog", "export"]

pytestmark = pytest.mark.skipif(
    os.name == "nt", reason="Windows locks belong to the handle, not the process"
)


def _cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _hold_and_save(register_path: Path, mode: str, disturbance: str, tmp_path: Path) -> str:
    """Run the holder (tests/helpers/save_holder.py) with CLI commands between its saves;
    what it said of its second save."""
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    with subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.save_holder", str(register_path), mode, disturbance],
        cwd=REPO,
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdin is not None and holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        # The second process: each command opens and closes the register.
        assert _cli("check", "--db", str(register_path)).returncode in {0, 1}
        exported = _cli("export", str(tmp_path / "out.xlsx"), "--db", str(register_path))
        assert exported.returncode == 0, exported.stderr
        holder.stdin.write("go\n")
        holder.stdin.flush()
        said = holder.stdout.readline().strip()
    return said


def _held_references(register_path: Path) -> list[str]:
    connection = sqlite3.connect(register_path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = connection.execute(
            "SELECT reference FROM activities WHERE reference LIKE 'HOLD-%' ORDER BY reference"
        )
        return [row[0] for row in rows]
    finally:
        connection.close()


@pytest.fixture
def held_register(register_path: Path) -> Path:
    Register.open(register_path).close()
    return register_path


@pytest.mark.slow
@pytest.mark.parametrize("disturbance", DISTURBANCES)
def test_the_apps_way_keeps_every_save(
    held_register: Path, disturbance: str, tmp_path: Path
) -> None:
    said = _hold_and_save(held_register, "apart", disturbance, tmp_path)

    assert said == "saved"
    assert _held_references(held_register) == ["HOLD-1", "HOLD-2"]


@pytest.mark.slow
@pytest.mark.parametrize("disturbance", DISTURBANCES)
def test_inside_one_process_the_rollback_journal_keeps_the_save_too(
    held_register: Path, disturbance: str, tmp_path: Path
) -> None:
    """SQLite in the disturbed process itself lost the second save while registers were kept
    in WAL mode: another process, believing itself alone, checkpointed and deleted the WAL.
    Under the rollback journal (issue 19) there is no WAL to delete: every save is in the
    file as it commits, and the confirmation from outside finds it there."""
    said = _hold_and_save(held_register, "inside", disturbance, tmp_path)

    assert said == "saved"
    assert _held_references(held_register) == ["HOLD-1", "HOLD-2"]
