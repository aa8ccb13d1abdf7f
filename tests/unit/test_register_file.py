"""Opening register files: new, existing, and every kind of file that is not a register."""

from __future__ import annotations

import sqlite3
import stat
import sys
from pathlib import Path

import pytest

from ropa.backup import list_backups
from ropa.errors import RegisterFileError
from ropa.records import LibraryKind
from ropa.register import Register
from tests.helpers.unprivileged import without_root_powers


def test_missing_file_is_created_with_starter_libraries(register_path: Path) -> None:
    with Register.open(register_path) as register:
        recipients = {item.name for item in register.library.items(LibraryKind.RECIPIENT)}
        legislation = {item.name for item in register.library.items(LibraryKind.LEGISLATION)}
    assert register_path.exists()
    assert "Department for Education" in recipients
    assert {"Children Act 1989", "Care Act 2014"} <= legislation
    assert not register_path.with_name(register_path.name + ".new").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_new_register_is_readable_by_its_owner_only(register_path: Path) -> None:
    Register.open(register_path).close()
    assert stat.S_IMODE(register_path.stat().st_mode) == 0o600


def test_reopening_keeps_the_data(register_path: Path) -> None:
    from tests.helpers.activities import sample_activity

    with Register.open(register_path) as register:
        created = register.activities.create(sample_activity())
    with Register.open(register_path) as register:
        assert register.activities.get(created.id or 0).name == "Child protection enquiries"


def _unchanged_after(path: Path, expected_message: str) -> None:
    before = path.read_bytes() if path.is_file() else None
    with pytest.raises(RegisterFileError, match=expected_message):
        Register.open(path)
    if before is not None:
        assert path.read_bytes() == before


def test_a_folder_is_refused(tmp_path: Path) -> None:
    _unchanged_after(tmp_path, "is a folder")


def test_a_text_file_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.ropa"
    path.write_text("not a database", encoding="utf-8")
    _unchanged_after(path, "not a ROPA desk register")


def test_a_spreadsheet_gets_a_hint_to_import(tmp_path: Path) -> None:
    path = tmp_path / "ropa.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 200)
    _unchanged_after(path, "use Import")


def test_another_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE things (id INTEGER)")
    connection.close()
    _unchanged_after(path, "not a ROPA desk register")


def test_a_newer_schema_is_refused_and_untouched(register_path: Path) -> None:
    Register.open(register_path).close()
    with sqlite3.connect(register_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()
    _unchanged_after(register_path, "newer version of ROPA desk")


def test_a_damaged_file_is_refused(register_path: Path) -> None:
    Register.open(register_path).close()
    data = bytearray(register_path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    register_path.write_bytes(bytes(data))
    _unchanged_after(register_path, "damaged|not a ROPA desk register")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_an_unreadable_file_is_refused(register_path: Path) -> None:
    Register.open(register_path).close()
    before = register_path.read_bytes()
    register_path.chmod(0)
    try:
        with without_root_powers(), pytest.raises(RegisterFileError, match="cannot be read"):
            Register.open(register_path)
    finally:
        register_path.chmod(0o600)
    assert register_path.read_bytes() == before


def test_a_backup_is_a_consistent_copy_while_the_register_is_open(register_path: Path) -> None:
    from ropa.backup import make_backup
    from tests.helpers.activities import sample_activity

    with Register.open(register_path) as register:
        register.activities.create(sample_activity())
        copy_path = make_backup(register_path, "manual")
    assert [backup.path for backup in list_backups(register_path)] == [copy_path]
    with Register.open(copy_path) as copy:
        assert [row.reference for row in copy.activity_list.summaries()] == ["CS-001"]


def test_reading_does_not_wait_for_another_writer(register_path: Path) -> None:
    """A second window reads its snapshot while the first holds the write lock."""
    import time

    from sqlalchemy import text

    from ropa.errors import RegisterBusyError
    from tests.helpers.waits import SHORT_WAIT, SHORT_WAIT_SECONDS

    writer = Register.open(register_path)
    reader = Register.open(register_path, options=SHORT_WAIT)
    try:
        with writer.transaction() as session:
            session.execute(text("SELECT 1"))  # the write lock is now held
            started = time.perf_counter()
            assert reader.activity_list.summaries() == []
            # Read without waiting: a read that had waited would have been refused.
            assert time.perf_counter() - started < SHORT_WAIT_SECONDS
            with pytest.raises(RegisterBusyError, match="someone else is saving"):
                reader.organisation.update({"name": "B"})  # a second writer waits, then fails
        assert reader.organisation.get().name == ""
    finally:
        writer.close()
        reader.close()


def test_closing_leaves_only_the_register_file(register_path: Path) -> None:
    """No -wal or -shm files left lying beside a DPO's register after the app closes."""
    Register.open(register_path).close()
    Register.open(register_path, daily_backup=False).close()
    assert sorted(p.name for p in register_path.parent.iterdir()) == [register_path.name]


@pytest.mark.parametrize(
    "folder",
    ["Team #3", "Budget 100%41", "What? Why", "Dépt & co [2026]"]
    if sys.platform != "win32"
    else ["Team #3", "Budget 100%41", "Dépt & co [2026]"],
)
def test_a_register_in_a_folder_with_url_characters_is_the_same_file_every_way(
    tmp_path: Path, folder: str
) -> None:
    """Folder names may hold what a URL would read as a fragment (#), a query (?) or an
    escape (%41): the register is opened, listed, read, changed and read-only opened as that
    one file, and nothing else is created beside it."""
    from tests.helpers.activities import sample_activity

    path = tmp_path / folder / "register.ropa"
    with Register.open(path) as register:
        created = register.activities.create(sample_activity())
    with Register.open(path) as register:
        assert [s.reference for s in register.activity_list.summaries()] == ["CS-001"]
        register.activities.update(created.id or 0, {"name": "Renamed"})
    with Register.open(path, read_only=True) as register:
        assert [a.name for a in register.activities.load()] == ["Renamed"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder]
    assert {p.name for p in path.parent.iterdir()} <= {
        "register.ropa",
        "register backups",
        "register.ropa-wal",
        "register.ropa-shm",
    }
