"""A register another program holds locked, in the middle of a change it has not saved:
ROPA desk says the file is in use, and never copies, backs up or reads the half-written
pages as if they were the register (a backup holding them, restored, would bring back a save
that never happened).

The other program is a real second process (tests/helpers/lock_holder.py) writing a large
change into the file under SQLite's exclusive locking mode; the file then has a hot journal
beside it until the other program lets go and rolls the change back.
"""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from db.storage_options import StorageOptions
from ropa.backup import DAILY, list_backups, make_backup, save_copy
from ropa.errors import FileWriteError, RegisterBusyError
from ropa.register import Register
from tests.helpers.lock_holder import UNSAVED_NAME, held_by_another_program
from tests.helpers.register_files import copy_register_file, first_value
from tests.helpers.waits import with_short_wait

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def options(storage_way: StorageOptions) -> StorageOptions:
    return with_short_wait(storage_way)


@pytest.fixture
def register_file(tmp_path: Path, _example_register_file: Path) -> Path:
    return copy_register_file(_example_register_file, tmp_path / "council.ropa")


def _organisation_name(path: Path) -> str:
    return first_value(path, "SELECT name FROM organisation")


def test_no_backup_is_made_of_a_register_another_program_is_half_way_through_changing(
    register_file: Path, options: StorageOptions
) -> None:
    saved_name = _organisation_name(register_file)
    with held_by_another_program(register_file, half_saved=True):
        with pytest.raises(FileWriteError) as refused:
            make_backup(register_file, DAILY, options=options)
        with pytest.raises(FileWriteError) as copy_refused:
            save_copy(register_file, register_file.with_name("copy.ropa"), options=options)
    for error in (refused.value, copy_refused.value):
        said = str(error)
        assert f"{register_file} is in use by another program" in said, said
        assert "Nothing was copied" in said and "Check that the folder exists" not in said
    assert list_backups(register_file) == []
    assert not register_file.with_name("copy.ropa").exists()
    # The other program let go without saving: the register is as it was, and a backup now
    # holds what the register holds.
    assert _organisation_name(register_file) == saved_name != UNSAVED_NAME
    backup = make_backup(register_file, DAILY, options=options)
    assert _organisation_name(backup) == saved_name


def test_opening_it_to_write_says_in_use_not_an_unfinished_save(
    register_file: Path, options: StorageOptions
) -> None:
    """The other program's hot journal beside the file is its save under way, not one of
    ours left unfinished by a crash."""
    with (
        held_by_another_program(register_file, half_saved=True),
        pytest.raises(RegisterBusyError) as refused,
    ):
        Register.open(register_file, options=options).close()
    said = str(refused.value)
    assert f"{register_file} is in use by another program" in said
    assert "not closed cleanly" not in said and "damaged (" not in said
    with Register.open(register_file, options=options) as register:
        assert register.organisation.get().name != UNSAVED_NAME


def _locked_before(monkeypatch: pytest.MonkeyPatch, holding: ExitStack, step: str) -> None:
    """Another program locks the register just before the opener's `step` (after the file
    was recognised, its schema read): the narrowest gaps there are."""
    import ropa.storage.opener as opener

    original = getattr(opener, step)

    def locked_first(path: Path, *args: Any, **kwargs: Any) -> Any:
        holding.enter_context(held_by_another_program(path))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(opener, step, locked_first)


def test_a_lock_taken_just_after_recognising_the_file_is_in_use_too(
    register_file: Path, options: StorageOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ropa.storage.opener as opener

    recognise = opener._prepare_schema
    with ExitStack() as holding:

        def recognise_then_lock(path: Path, *args: Any, **kwargs: Any) -> None:
            recognise(path, *args, **kwargs)
            holding.enter_context(held_by_another_program(path))

        monkeypatch.setattr(opener, "_prepare_schema", recognise_then_lock)
        with pytest.raises(RegisterBusyError) as refused:
            Register.open(register_file, options=options).close()
    assert f"{register_file} is in use by another program" in str(refused.value)


def test_a_lock_taken_before_an_older_register_is_upgraded_is_in_use_too(
    tmp_path: Path, options: StorageOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = tmp_path / "older.ropa"
    shutil.copyfile(DATA / "register-schema-0007.ropa", older)
    before = older.read_bytes()
    with ExitStack() as holding:
        _locked_before(monkeypatch, holding, "_upgrade")
        with pytest.raises(FileWriteError) as refused:
            Register.open(older, options=options).close()
    # The backup before the upgrade is the first thing refused: nothing was upgraded.
    assert f"{older} is in use by another program" in str(refused.value)
    assert "Nothing was copied" in str(refused.value)
    assert older.read_bytes() == before


@pytest.mark.parametrize("beside", ["", "-journal", "-wal"])
def test_a_file_is_read_as_immutable_only_when_nothing_beside_it_holds_a_change(
    register_file: Path, beside: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read as immutable, SQLite takes no lock and looks at no journal: only a file complete
    in itself, in a folder that cannot be written (a read-only share), is read so."""
    import db.connection
    from db.connection import needs_immutable

    assert not needs_immutable(register_file)  # its folder can be written
    monkeypatch.setattr(db.connection.os, "access", lambda path, mode: False)
    if beside:
        register_file.with_name(register_file.name + beside).write_bytes(b"part of a change")
    assert needs_immutable(register_file) is (beside == "")
