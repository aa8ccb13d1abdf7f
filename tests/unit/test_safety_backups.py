"""Backups: one on the first open of each day, a bounded number kept, restore and save a copy."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from ropa.backup import (
    BEFORE_RESTORE,
    DAILY,
    MAX_BACKUPS,
    BackupInfo,
    list_backups,
    make_backup,
    make_daily_backup,
    restore_backup,
    save_copy,
)
from ropa.errors import FileWriteError, RegisterFileError
from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.register_files import first_value


def _references(path: Path) -> list[str]:
    with Register.open(path, daily_backup=False) as register:
        return [row.reference for row in register.activity_list.summaries()]


def _integrity(path: Path) -> str:
    return first_value(path, "PRAGMA integrity_check")


@pytest.fixture
def saved(register_path: Path) -> Path:
    with Register.open(register_path) as register:
        register.activities.create(sample_activity())
    return register_path


def test_the_first_open_of_the_day_makes_one_backup(saved: Path) -> None:
    assert list_backups(saved) == []  # a brand-new register has nothing to lose yet
    with Register.open(saved) as first:
        assert first.daily_backup is not None
        assert first.backup_problem == ""
    with Register.open(saved) as second:
        assert second.daily_backup is None
    backups = list_backups(saved)
    assert [(info.reason, info.taken_at.date()) for info in backups] == [(DAILY, dt.date.today())]
    assert _references(backups[0].path) == ["CS-001"]
    assert _integrity(backups[0].path) == "ok"


def test_a_new_day_makes_a_new_daily_backup(saved: Path) -> None:
    monday = dt.datetime(2026, 11, 23, 9, 15)
    assert make_daily_backup(saved, now=monday) is not None
    assert make_daily_backup(saved, now=monday + dt.timedelta(hours=6)) is None
    assert make_daily_backup(saved, now=monday + dt.timedelta(days=1)) is not None
    assert [info.taken_at.day for info in list_backups(saved)] == [24, 23]


def test_only_a_bounded_number_of_backups_is_kept_newest_first(saved: Path) -> None:
    start = dt.datetime(2026, 1, 1, 8, 0)
    for day in range(8):
        make_daily_backup(saved, keep=5, now=start + dt.timedelta(days=day))
    kept = list_backups(saved)
    assert [info.taken_at.day for info in kept] == [8, 7, 6, 5, 4]


def test_a_backup_that_cannot_be_written_never_stops_the_register_opening(
    saved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*_args: object, **_kwargs: object) -> Path:
        raise FileWriteError("Could not write the copy: disk full.")

    monkeypatch.setattr("ropa.storage.opener.make_daily_backup", disk_full)
    with Register.open(saved) as register:
        assert register.backup_problem == "Could not write the copy: disk full."
        assert register.activity_list.summaries()[0].reference == "CS-001"


def test_backups_list_their_dates_in_british_form(saved: Path) -> None:
    make_backup(saved, "manual", now=dt.datetime(2026, 11, 21, 14, 5, 9))
    [info] = list_backups(saved)
    assert info == BackupInfo(info.path, dt.datetime(2026, 11, 21, 14, 5, 9), "manual")
    assert info.when == "21 November 2026 at 14:05"


def test_restore_brings_back_the_backup_and_keeps_what_it_replaced(saved: Path) -> None:
    backup = make_backup(saved, "manual")
    with Register.open(saved, daily_backup=False) as register:
        register.activities.create(sample_activity(reference="CS-002", name="Later work"))
        other_window = Register.open(saved, daily_backup=False)
        try:
            assert len(other_window.activity_list.summaries()) == 2
            kept = restore_backup(saved, backup)
            # A colleague with the register open sees the restored content, not a mixture.
            assert [row.reference for row in other_window.activity_list.summaries()] == ["CS-001"]
        finally:
            other_window.close()
    assert _references(saved) == ["CS-001"]
    assert _integrity(saved) == "ok"
    before_restore = [info for info in list_backups(saved) if info.reason == BEFORE_RESTORE]
    assert [info.path for info in before_restore] == [kept]
    assert _references(kept) == ["CS-001", "CS-002"]


def test_restoring_the_oldest_of_a_full_set_of_backups(saved: Path) -> None:
    """The safety copy a restore makes must not prune away the backup being restored."""
    start = dt.datetime(2026, 1, 1, 8, 0)
    oldest = make_backup(saved, "manual", keep=MAX_BACKUPS, now=start)
    with Register.open(saved, daily_backup=False) as register:
        register.activities.create(sample_activity(reference="CS-002", name="Later work"))
    for day in range(1, MAX_BACKUPS):
        make_backup(saved, "manual", now=start + dt.timedelta(days=day))
    assert len(list_backups(saved)) == MAX_BACKUPS
    restore_backup(saved, oldest)
    assert _references(saved) == ["CS-001"]
    assert len(list_backups(saved)) <= MAX_BACKUPS + 1


@pytest.mark.parametrize("damage", ["not a register", "garbage", "newer"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(
    saved: Path, tmp_path: Path, damage: str
) -> None:
    bad = tmp_path / "bad.ropa"
    if damage == "not a register":
        bad.write_text("hello", encoding="utf-8")
    else:
        save_copy(saved, bad)
        connection = sqlite3.connect(bad)
        if damage == "newer":
            connection.execute("UPDATE alembic_version SET version_num = 'ffff'")
            connection.commit()
            connection.close()
        else:
            connection.close()
            data = bytearray(bad.read_bytes())
            data[4096 * 2 : 4096 * 6] = b"\x5a" * (4096 * 4)
            bad.write_bytes(bytes(data))
    before = saved.read_bytes()
    with pytest.raises(RegisterFileError, match="Choose another backup"):
        restore_backup(saved, bad)
    assert saved.read_bytes() == before
    assert list_backups(saved) == []


def test_a_damaged_register_can_be_restored(saved: Path) -> None:
    backup = make_backup(saved, "manual")
    data = bytearray(saved.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)
    saved.write_bytes(bytes(data))
    damaged = bytes(data)

    kept = restore_backup(saved, backup)

    assert _references(saved) == ["CS-001"]
    assert kept.read_bytes() == damaged  # the damaged file is kept as found, just in case


def test_save_a_copy_is_consistent_and_never_overwrites_the_register(saved: Path) -> None:
    target = saved.with_name("copy for the auditor.ropa")
    with Register.open(saved) as register:
        register.activities.create(sample_activity(reference="CS-002", name="Uncheckpointed"))
        save_copy(saved, target)
        with pytest.raises(FileWriteError, match="the register itself"):
            save_copy(saved, saved)
    assert _references(target) == ["CS-001", "CS-002"]
    assert not target.with_name(target.name + "-wal").exists()
