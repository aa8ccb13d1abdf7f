"""Every kind of file that is not a usable register: a clear message, and the file untouched.

"Untouched" is checked byte for byte and by modification time, and no backup folder may
appear beside a refused file.  Read-only files and folders open read-only instead, and
every change is then refused before it reaches SQLite (which would refuse it too).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from ropa.backup import backup_folder, list_backups, save_copy
from ropa.cli import main
from ropa.errors import ReadOnlyError, RegisterFileError
from ropa.records import LibraryItemRecord, LibraryKind, Status
from ropa.register import Register
from tests.helpers.activities import sample_activity


def _fingerprint(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def _make_register(path: Path) -> Path:
    with Register.open(path) as register:
        register.activities.create(sample_activity())
    return path


def _text_file(path: Path) -> Path:
    path.write_text("Dear DPO, this is a letter, not a register.\n", encoding="utf-8")
    return path


def _spreadsheet(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04" + os.urandom(300))
    return path


def _other_database(path: Path) -> Path:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE pupils (id INTEGER PRIMARY KEY, name TEXT)")
    connection.commit()
    connection.close()
    return path


def _empty_database(path: Path) -> Path:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 7")
    connection.close()
    return path


def _newer_register(path: Path) -> Path:
    _make_register(path)
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.execute("ALTER TABLE activities ADD COLUMN added_by_the_future TEXT")
    connection.commit()
    connection.close()
    return path


def _truncated_register(path: Path) -> Path:
    _make_register(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _garbage_pages(path: Path) -> Path:
    _make_register(path)
    data = bytearray(path.read_bytes())
    page = 4096
    for number in range(2, len(data) // page, 3):
        data[number * page : number * page + 512] = os.urandom(512)
    path.write_bytes(bytes(data))
    return path


def _header_only(path: Path) -> Path:
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 84)
    return path


BAD_FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "text file": (_text_file, "not a ROPA desk register"),
    "spreadsheet": (_spreadsheet, "use Import"),
    "another database": (_other_database, "not a ROPA desk register"),
    "empty database": (_empty_database, "empty SQLite database"),
    "newer version": (_newer_register, "newer version of ROPA desk"),
    "truncated": (_truncated_register, "damaged"),
    "garbage pages": (_garbage_pages, "damaged"),
    "header only": (_header_only, "damaged|not a ROPA desk register|empty SQLite"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_file_is_refused_clearly_and_left_untouched(tmp_path: Path, kind: str) -> None:
    make, expected = BAD_FILES[kind]
    path = make(tmp_path / "register.ropa")
    before = _fingerprint(path)

    with pytest.raises(RegisterFileError, match=expected) as refused:
        Register.open(path)

    message = str(refused.value)
    assert str(path) in message
    assert "\n" not in message
    assert _fingerprint(path) == before
    assert not backup_folder(path).exists()
    # Refused again, by the command line, on one line of stderr with exit status 1.
    assert _fingerprint(path) == before


@pytest.mark.parametrize("kind", ["text file", "newer version", "garbage pages"])
def test_the_command_line_refuses_a_bad_file_on_one_line(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    make, _expected = BAD_FILES[kind]
    path = make(tmp_path / "register.ropa")
    before = _fingerprint(path)
    assert main(["check", "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ropa check: ") and err.count("\n") == 1
    assert _fingerprint(path) == before


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RegisterFileError, match="is a folder"):
        Register.open(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_unreadable_file_is_refused_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # root reads any file whatever its mode, so the operating system's refusal is simulated
    # at the one place the register reads the file before recognising it.
    path = _make_register(tmp_path / "register.ropa")
    before = _fingerprint(path)
    real_open = Path.open

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(RegisterFileError, match="cannot be read: permission denied"):
        Register.open(path)
    monkeypatch.undo()
    assert _fingerprint(path) == before


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_new_registers_backups_and_copies_are_readable_by_their_owner_only(
    tmp_path: Path,
) -> None:
    path = _make_register(tmp_path / "register.ropa")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with Register.open(path) as register:
        assert register.daily_backup is not None
        assert stat.S_IMODE(register.daily_backup.stat().st_mode) == 0o600
    save_copy(path, tmp_path / "copy.ropa")
    assert stat.S_IMODE((tmp_path / "copy.ropa").stat().st_mode) == 0o600


# --- read-only files and folders ----------------------------------------------------------


def _every_write(register: Register) -> dict[str, Callable[[], object]]:
    activity_id = register.activity_list.summaries()[0].id
    item = register.library.items(LibraryKind.PURPOSE)[0]
    return {
        "create": lambda: register.activities.create(sample_activity(reference="RO-1")),
        "create_many": lambda: register.activities.create_many([sample_activity(reference="X")]),
        "update": lambda: register.activities.update(activity_id, {"name": "Changed"}),
        "set_status": lambda: register.activities.set_status([activity_id], Status.RETIRED),
        "retire": lambda: register.activities.retire([activity_id]),
        "duplicate": lambda: register.activities.duplicate(activity_id),
        "delete": lambda: register.activities.delete([activity_id]),
        "library create": lambda: register.library.create(
            LibraryItemRecord(kind=LibraryKind.PURPOSE, name="New purpose")
        ),
        "library update": lambda: register.library.update(item.id or 0, {"name": "Renamed"}),
        "library delete": lambda: register.library.delete(item.id or 0),
        "organisation": lambda: register.organisation.update({"name": "Changed"}),
    }


def _assert_read_only(register: Register, path: Path, reason: str) -> None:
    assert register.read_only
    assert reason in register.read_only_reason
    assert register.daily_backup is None
    for name, write in _every_write(register).items():
        with pytest.raises(ReadOnlyError, match="read-only") as refused:
            write()
        assert "Save a copy" in str(refused.value), name
    # Reading works as usual.
    assert [row.reference for row in register.activity_list.summaries()] == ["CS-001"]


def test_a_file_the_user_cannot_write_opens_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _make_register(tmp_path / "register.ropa")
    shutil.rmtree(backup_folder(path), ignore_errors=True)
    before = _fingerprint(path)
    monkeypatch.setattr(
        "ropa.storage.opener.writability_problem", lambda _p: "the file is read-only"
    )

    with Register.open(path) as register:
        _assert_read_only(register, path, "the file is read-only")
        assert (
            "opened read-only" not in register.read_only_reason
        )  # the probe's reason, not the default

    assert _fingerprint(path) == before
    assert not backup_folder(path).exists()


def test_opening_read_only_on_request(tmp_path: Path) -> None:
    path = _make_register(tmp_path / "register.ropa")
    before = _fingerprint(path)
    with Register.open(path, read_only=True) as register:
        _assert_read_only(register, path, "on request")
    assert _fingerprint(path) == before


def test_sqlite_itself_refuses_writes_through_a_read_only_register(tmp_path: Path) -> None:
    path = _make_register(tmp_path / "register.ropa")
    before = _fingerprint(path)
    with Register.open(path, read_only=True) as register, register.engine.connect() as raw:
        with pytest.raises(OperationalError, match="readonly"):
            raw.exec_driver_sql("UPDATE activities SET name = 'Sneaked in'")
        with pytest.raises(OperationalError, match="readonly"):
            raw.exec_driver_sql("DELETE FROM change_history")
    assert _fingerprint(path) == before


def test_an_older_register_that_cannot_be_written_is_refused_not_upgraded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _make_register(tmp_path / "register.ropa")
    before = _fingerprint(path)
    monkeypatch.setattr("ropa.storage.opener.head_revision", lambda: "9999_a_later_schema")
    monkeypatch.setattr(
        "ropa.storage.opener.writability_problem", lambda _p: "the file is read-only"
    )
    with pytest.raises(RegisterFileError, match="must be upgraded, but it is read-only"):
        Register.open(path)
    assert _fingerprint(path) == before


def _chattr(flag: str, path: Path) -> bool:
    if shutil.which("chattr") is None:
        return False
    result = subprocess.run(["chattr", flag, str(path)], capture_output=True, check=False)
    return result.returncode == 0


@pytest.fixture
def immutable() -> Iterator[Callable[[Path], None]]:
    """Make a file or folder immutable: the one read-only that root cannot write through."""
    locked: list[Path] = []

    def lock(path: Path) -> None:
        if not _chattr("+i", path):
            pytest.skip("chattr +i is not available here")
        locked.append(path)

    yield lock
    for path in reversed(locked):
        _chattr("-i", path)


def test_a_really_read_only_file_opens_read_only(
    tmp_path: Path, immutable: Callable[[Path], None]
) -> None:
    path = _make_register(tmp_path / "register.ropa")
    before = _fingerprint(path)
    immutable(path)
    with Register.open(path) as register:
        _assert_read_only(register, path, "the file is read-only")
    assert _fingerprint(path) == before


def test_a_register_in_a_read_only_folder_opens_read_only(
    tmp_path: Path, immutable: Callable[[Path], None]
) -> None:
    folder = tmp_path / "shared drive"
    folder.mkdir()
    path = _make_register(folder / "register.ropa")
    shutil.rmtree(backup_folder(path), ignore_errors=True)
    before = _fingerprint(path)
    immutable(folder)
    with Register.open(path) as register:
        _assert_read_only(register, path, "cannot be written to")
        # A copy can still be saved elsewhere, and that copy is fully usable.
        save_copy(path, tmp_path / "my copy.ropa")
    assert _fingerprint(path) == before
    assert sorted(p.name for p in folder.iterdir()) == ["register.ropa"]
    with Register.open(tmp_path / "my copy.ropa") as copy:
        assert not copy.read_only
        copy.activities.update(copy.activity_list.summaries()[0].id, {"name": "Edited copy"})
    assert list_backups(path) == []
