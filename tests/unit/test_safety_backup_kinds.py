"""Backups of each kind are pruned among their own kind, and every import that writes is
preceded by a backup (issue 19)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ropa.backup import (
    BEFORE_IMPORT,
    BEFORE_RESTORE,
    DAILY,
    MAX_BACKUPS,
    BackupInfo,
    backup_before_import,
    list_backups,
    make_daily_backup,
    restore_backup,
)
from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.cli import run_ropa


def _kinds(path: Path) -> dict[str, int]:
    counted: dict[str, int] = {}
    for info in list_backups(path):
        counted[info.kind] = counted.get(info.kind, 0) + 1
    return counted


def _saved(path: Path) -> Path:
    with Register.open(path, daily_backup=False) as register:
        register.activities.create(sample_activity())
    return path


def _a_week_of_dailies(path: Path) -> list[Path]:
    start = dt.datetime(2026, 11, 16, 9, 0)
    made = [make_daily_backup(path, now=start + dt.timedelta(days=day)) for day in range(7)]
    assert all(made)
    return [backup for backup in made if backup is not None]


def test_twenty_restores_in_a_row_keep_every_daily_backup(register_path: Path) -> None:
    path = _saved(register_path)
    dailies = _a_week_of_dailies(path)

    for _ in range(MAX_BACKUPS + 5):
        restore_backup(path, dailies[-1])

    assert _kinds(path) == {DAILY: 7, BEFORE_RESTORE: MAX_BACKUPS}
    assert all(daily.exists() for daily in dailies)


def test_many_imports_in_a_row_keep_every_daily_backup(register_path: Path) -> None:
    path = _saved(register_path)
    dailies = _a_week_of_dailies(path)

    for _ in range(MAX_BACKUPS + 3):
        backup_before_import(path)

    assert _kinds(path) == {DAILY: 7, BEFORE_IMPORT: MAX_BACKUPS}
    assert all(daily.exists() for daily in dailies)


def test_an_import_that_writes_is_preceded_by_a_backup_of_the_register_as_it_was(
    register_path: Path,
    workbook: Path,
) -> None:
    path = _saved(register_path)

    dry = run_ropa("import", str(workbook), "--db", str(path), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert BEFORE_IMPORT not in _kinds(path)

    imported = run_ropa("import", str(workbook), "--db", str(path))
    assert imported.returncode == 0, imported.stderr
    (before,) = [info for info in list_backups(path) if info.kind == BEFORE_IMPORT]
    assert before.why == "Before importing a spreadsheet"
    with Register.open(before.path, daily_backup=False, read_only=True) as copy:
        assert [row.reference for row in copy.activity_list.summaries()] == ["CS-001"]
    with Register.open(path, daily_backup=False) as register:
        assert len(register.activity_list.summaries()) > 1


def test_a_backup_is_named_by_its_kind_whatever_its_counter_or_damage() -> None:
    taken = dt.datetime(2026, 11, 21, 9, 30)

    def named(reason: str) -> BackupInfo:
        return BackupInfo(Path(f"register 2026-11-21 093000 {reason}.ropa"), taken, reason)

    assert (named("daily 2").kind, named("daily 2").why) == (
        DAILY,
        "Daily backup (first opening of the day)",
    )
    damaged = named("before upgrade (as found) 3")
    assert damaged.kind == "before upgrade"
    assert damaged.why == (
        "Before upgrading to a newer version of ROPA desk (the damaged register as it was found)"
    )
    assert named("odd one").why == "Odd one"
