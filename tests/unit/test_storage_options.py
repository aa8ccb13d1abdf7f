"""How a register is kept is a value passed to each opening (db/storage_options.py), not a
switch of the process: registers opened side by side in one process each keep their own
options, and the options reach the connections (helper process or not, journal mode) and
the saves (confirmed or not). Real register files, real helper processes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.hosted import HostedConnection, stop_every_host
from db.storage_options import SQLITE_IN_PROCESS, StorageOptions
from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.register_files import driver_of


@pytest.fixture
def helpers_stopped() -> Iterator[None]:
    try:
        yield
    finally:
        stop_every_host()


def _journal_mode(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return str(connection.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        connection.close()


@pytest.mark.usefixtures("helpers_stopped")
def test_registers_opened_side_by_side_keep_their_own_way(tmp_path: Path) -> None:
    """With a process-wide switch, the second opening would change the first register's
    connections (or the first would decide the second's)."""
    with (
        Register.open(tmp_path / "inside.ropa") as inside,
        Register.open(tmp_path / "apart.ropa", options=StorageOptions(sqlite_apart=True)) as apart,
    ):
        assert inside.options == SQLITE_IN_PROCESS
        assert isinstance(driver_of(inside), sqlite3.Connection)
        assert isinstance(driver_of(apart), HostedConnection)
        assert (inside.confirm_saves, apart.confirm_saves) == (False, True)
        # Both save, each its own way; a save confirmed from outside is on the file.
        inside.activities.create(sample_activity(reference="IN-1"))
        apart.activities.create(sample_activity(reference="AP-1"))
        with Register.open(tmp_path / "inside.ropa", create=False) as third:
            assert isinstance(driver_of(third), sqlite3.Connection)
            assert [s.reference for s in third.activity_list.summaries()] == ["IN-1"]
        assert isinstance(driver_of(apart), HostedConnection)


def test_confirming_saves_follows_the_helper_process_unless_told(tmp_path: Path) -> None:
    assert StorageOptions().saves_confirmed is False
    assert StorageOptions(sqlite_apart=True).saves_confirmed is True
    assert StorageOptions(confirm_saves=True).saves_confirmed is True
    assert StorageOptions(sqlite_apart=True, confirm_saves=False).saves_confirmed is False
    confirmed = StorageOptions(confirm_saves=True)
    with Register.open(tmp_path / "confirmed.ropa", options=confirmed) as register:
        assert register.confirm_saves is True
        register.activities.create(sample_activity(reference="CF-1"))
    # The save left its mark in the file's header (db/save_witness.py), as confirmed saves do.
    connection = sqlite3.connect(tmp_path / "confirmed.ropa")
    try:
        assert connection.execute("PRAGMA user_version").fetchone()[0] != 0
    finally:
        connection.close()


def test_the_journal_the_options_name_is_the_one_the_file_gets(tmp_path: Path) -> None:
    """The bench's variants reach the file; the everyday one is the rollback journal."""
    with Register.open(tmp_path / "everyday.ropa") as register:
        register.activities.create(sample_activity(reference="J-1"))
    assert _journal_mode(tmp_path / "everyday.ropa") == "delete"
    wal = StorageOptions(journal="WAL+CHECKPOINT")
    assert (wal.journal_mode, wal.checkpoints_after_save) == ("WAL", True)
    with Register.open(tmp_path / "wal.ropa", options=wal) as register:
        register.activities.create(sample_activity(reference="J-2"))
        with register.engine.connect() as connection:  # no second open of the file here
            mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        assert mode == "wal"
        # Checkpointed (TRUNCATE) after the save: the file alone holds it, the WAL is empty.
        assert (tmp_path / "wal.ropa-wal").stat().st_size == 0


def test_an_unknown_journal_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'MEMORY'"):
        StorageOptions(journal="MEMORY")
