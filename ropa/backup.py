"""Consistent copies of a register, made with SQLite's online backup API.

A copy taken this way is a valid database even while another connection is writing, unlike
a plain file copy of a WAL-mode database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ropa.errors import FileWriteError

MAX_BACKUPS = 20


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime
    reason: str


def backup_folder(register_path: Path) -> Path:
    """Backups sit beside the register, in a folder a DPO can find and copy."""
    return register_path.with_name(f"{register_path.stem} backups")


def copy_database(source: Path, target: Path) -> None:
    """Write a consistent copy of `source` to `target`, atomically (temporary file, replace)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(f"file:{source.resolve().as_posix()}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)
                # A copy should be one self-contained file, not a WAL pair.
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        partial.replace(target)
    except (sqlite3.Error, OSError) as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise FileWriteError(
            f"Could not write the copy {target}: {error}. Check that the folder exists and "
            "that you may write to it."
        ) from error


def make_backup(register_path: Path, reason: str, *, keep: int = MAX_BACKUPS) -> Path:
    """Back the register up into its backup folder and prune the oldest beyond `keep`."""
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H%M%S")
    target = backup_folder(register_path) / f"{register_path.stem} {stamp} {reason}.ropa"
    counter = 1
    while target.exists():
        counter += 1
        target = target.with_name(f"{register_path.stem} {stamp} {reason} {counter}.ropa")
    copy_database(register_path, target)
    for old in list_backups(register_path)[keep:]:
        old.path.unlink(missing_ok=True)
    return target


def list_backups(register_path: Path) -> list[BackupInfo]:
    """The register's backups, newest first."""
    folder = backup_folder(register_path)
    if not folder.is_dir():
        return []
    found = []
    prefix = f"{register_path.stem} "
    for candidate in folder.glob("*.ropa"):
        rest = candidate.stem.removeprefix(prefix)
        try:
            taken_at = dt.datetime.strptime(rest[:17], "%Y-%m-%d %H%M%S")
        except ValueError:
            continue
        found.append(BackupInfo(candidate, taken_at, rest[18:]))
    return sorted(found, key=lambda info: (info.taken_at, info.path.name), reverse=True)
