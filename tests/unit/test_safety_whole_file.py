"""The .ropa file alone is the whole register, and a file put in its place is never written
into (issue 19).

Each test runs real processes on real files: a holder (tests/helpers/save_holder.py) keeps the
register open as the app does (SQLite in a helper process) and saves, while this process
copies the file, renames or copies another file over it, as Explorer, an e-mail client or a
sync tool would.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ropa.errors import FileReplacedError, RegisterFileError
from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.register_files import wal_of_another_register

REPO = Path(__file__).resolve().parents[2]
SIDE_FILES = ("-journal", "-wal", "-shm")

pytestmark = pytest.mark.skipif(os.name == "nt", reason="renames over open files: POSIX")


@contextmanager
def _holder(path: Path) -> Iterator[subprocess.Popen[str]]:
    """The holder, once it has saved HOLD-1 and waits with the register open."""
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    with subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.save_holder", str(path), "apart", "none"],
        cwd=REPO,
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None
        try:
            assert holder.stdout.readline().strip() == "ready"
            yield holder
        finally:
            if holder.poll() is None:
                holder.kill()


def _second_save(holder: subprocess.Popen[str]) -> str:
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.write("go\n")
    holder.stdin.flush()
    said = holder.stdout.readline().strip()
    holder.wait(timeout=60)
    return said


def _references(path: Path) -> list[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = connection.execute("SELECT reference FROM activities ORDER BY reference")
        return [row[0] for row in rows]
    finally:
        connection.close()


@pytest.fixture
def held(register_path: Path) -> Path:
    Register.open(register_path).close()
    return register_path


@pytest.fixture
def other_register(tmp_path: Path) -> Path:
    """Another register, with activities of its own, in another folder."""
    path = tmp_path / "elsewhere" / "other.ropa"
    with Register.open(path) as other:
        for number in range(3):
            other.activities.create(sample_activity(reference=f"OTHER-{number}"))
    return path


def test_a_copy_of_the_file_alone_taken_while_the_app_has_it_open_holds_the_save(
    held: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "emailed" / "register.ropa"
    copy.parent.mkdir()
    with _holder(held) as holder:
        # What Explorer, an e-mail attachment or a sync client that skips side files takes.
        shutil.copyfile(held, copy)
        assert _second_save(holder) == "saved"

    assert _references(copy) == ["HOLD-1"]
    assert _references(held) == ["HOLD-1", "HOLD-2"]


def test_a_file_renamed_over_the_open_register_is_not_written_into(
    held: Path, other_register: Path
) -> None:
    with _holder(held) as holder:
        # How most sync clients write: a new file, renamed over the old one.
        arrived = held.with_name("sync-download.tmp")
        shutil.copyfile(other_register, arrived)
        arrived.replace(held)
        as_it_came = held.read_bytes()
        said = _second_save(holder)

    assert said.startswith("refused: Not saved: another program replaced register.ropa")
    assert "Save a copy" in said
    assert held.read_bytes() == as_it_came
    assert [suffix for suffix in SIDE_FILES if held.with_name(held.name + suffix).exists()] == []
    assert _references(held) == ["OTHER-0", "OTHER-1", "OTHER-2"]


def test_a_register_copied_over_the_open_one_in_place_is_not_written_into(
    held: Path, other_register: Path
) -> None:
    with _holder(held) as holder:
        # "Restore by copying" and some sync tools: the same file, other bytes.
        inode = held.stat().st_ino
        shutil.copyfile(other_register, held)
        assert held.stat().st_ino == inode
        as_it_came = held.read_bytes()
        said = _second_save(holder)

    assert said.startswith("refused: Not saved: another program copied a different register")
    assert held.read_bytes() == as_it_came
    assert [suffix for suffix in SIDE_FILES if held.with_name(held.name + suffix).exists()] == []
    assert _references(held) == ["OTHER-0", "OTHER-1", "OTHER-2"]


def test_an_older_copy_of_the_register_copied_over_it_is_not_written_into(
    held: Path, tmp_path: Path
) -> None:
    older = tmp_path / "older.ropa"
    shutil.copyfile(held, older)  # the register before HOLD-1, taken by Explorer
    with _holder(held) as holder:
        shutil.copyfile(older, held)
        as_it_came = held.read_bytes()
        said = _second_save(holder)

    assert said.startswith("refused: Not saved: another program wrote over register.ropa")
    assert held.read_bytes() == as_it_came
    assert _references(held) == []


def test_a_save_by_another_ropa_desk_is_not_taken_for_a_replaced_file(held: Path) -> None:
    """The command line (another process, through SQLite) saving meanwhile is no stranger."""
    with _holder(held) as holder:
        with Register.open(held) as other:
            other.activities.create(sample_activity(reference="CLI-1"))
        assert _second_save(holder) == "saved"

    assert _references(held) == ["CLI-1", "HOLD-1", "HOLD-2"]


def test_a_wal_left_by_another_register_is_not_replayed(held: Path, other_register: Path) -> None:
    with Register.open(held) as register:
        register.activities.create(sample_activity(reference="OURS-1"))
    as_saved = _references(held)
    other, foreign_wal = wal_of_another_register(other_register)
    try:
        shutil.copyfile(foreign_wal, held.with_name(held.name + "-wal"))
    finally:
        other.close()

    with Register.open(held) as register:
        assert "left by another register file" in register.side_file_note
        assert [s.reference for s in register.activity_list.summaries()] == ["OURS-1"]
        assert register.organisation.get() is not None
    assert _references(held) == as_saved
    assert not held.with_name(held.name + "-wal").exists()
    set_aside = list((held.parent / "register backups").glob("*not used.ropa-wal"))
    assert len(set_aside) == 1


def _damage_an_index_quietly(path: Path) -> None:
    """An index that no longer matches its table: quick_check passes, integrity_check not."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA writable_schema = ON")
        connection.execute(
            "UPDATE sqlite_master SET sql = replace(sql, '(changed_at)', '(changed_by)') "
            "WHERE name = 'ix_change_history_changed_at'"
        )
    finally:
        connection.close()


def _crash_in_the_middle_of_a_save(path: Path) -> None:
    """A process killed while its save is half-written: a hot journal beside the file."""
    script = (
        "import sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA cache_size = 1')\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        'c.execute("UPDATE activities SET description = hex(randomblob(2000))")\n'
        "print('half-written', flush=True)\n"
        "time.sleep(60)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "half-written"
        child.send_signal(signal.SIGKILL)
    assert path.with_name(path.name + "-journal").stat().st_size > 0


def test_a_register_not_closed_cleanly_gets_the_full_integrity_check(held: Path) -> None:
    with Register.open(held) as register:
        for number in range(40):
            register.activities.create(sample_activity(reference=f"IX-{number:02}"))
    _damage_an_index_quietly(held)
    Register.open(held).close()  # closed cleanly: quick_check does not look at indexes
    _crash_in_the_middle_of_a_save(held)

    with pytest.raises(RegisterFileError, match=r"is damaged .*ix_change_history_changed_at"):
        Register.open(held)


def test_a_half_written_save_is_rolled_back_on_opening(held: Path) -> None:
    with Register.open(held) as register:
        for number in range(20):
            register.activities.create(sample_activity(reference=f"HW-{number:02}"))
    _crash_in_the_middle_of_a_save(held)

    with Register.open(held) as register:
        assert len(register.activity_list.summaries()) == 20
    assert not held.with_name(held.name + "-journal").exists()


def test_a_register_whose_folder_has_gone_is_not_recreated(tmp_path: Path) -> None:
    """A share disconnected or a folder moved while the register is open: the next save is
    refused in words, and nothing is made where the folder was."""
    folder = tmp_path / "Shared"
    path = folder / "register.ropa"
    with Register.open(path) as register:
        created = register.activities.create(sample_activity())
        assert created.id is not None
        folder.rename(tmp_path / "Shared (moved)")

        with pytest.raises(FileReplacedError, match=r"the folder .*Shared is not there any more"):
            register.activities.update(created.id, {"name": "Renamed"}, expected_version=1)
    assert not folder.exists()
    assert _references(tmp_path / "Shared (moved)" / "register.ropa") == ["CS-001"]
