"""Consistent copies of a register, made with SQLite's online backup API.

A copy taken this way is a valid database even while another connection is writing, unlike
a plain file copy of a WAL-mode database.  Backups sit in a folder beside the register
("register backups"), named by the moment they were taken and why, so a DPO can find them
without the app:

    register 2026-11-21 093012 daily.ropa
    register 2026-11-21 101544 before upgrade.ropa
    register 2026-11-21 113001 before restore.ropa
    register 2026-11-21 114502 before import.ropa

Each kind is kept apart when old ones are pruned: the 20 newest "before restore" copies, the
20 newest "before import" ones, and the 20 newest of the rest (daily, before upgrade, by
hand), so that restoring or importing many times in a row never prunes the daily backups.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from db.connection import Connection, connect, copy_into_file, copy_over, needs_immutable
from db.file_identity import new_register_number, number_statement
from db.storage_options import SQLITE_IN_PROCESS, StorageOptions
from ropa.dates import british_date
from ropa.errors import (
    FileWriteError,
    RegisterFileError,
    held_by_another,
    in_use_words,
    storage_problem,
)

MAX_BACKUPS = 20
DAILY = "daily"
BEFORE_UPGRADE = "before upgrade"
BEFORE_RESTORE = "before restore"
BEFORE_IMPORT = "before import"
MANUAL = "manual"
REASON_WORDS = {
    DAILY: "Daily backup (first opening of the day)",
    BEFORE_UPGRADE: "Before upgrading to a newer version of ROPA desk",
    BEFORE_RESTORE: "Before restoring an earlier backup",
    BEFORE_IMPORT: "Before importing a spreadsheet",
    MANUAL: "Made by hand",
}
_AS_FOUND = " (as found)"
_STAMP_FORMAT = "%Y-%m-%d %H%M%S"
_STAMP_LENGTH = len("2026-11-21 093012")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime
    reason: str

    @property
    def when(self) -> str:
        """The moment in British form: 21 November 2026 at 09:30."""
        return f"{british_date(self.taken_at.date())} at {self.taken_at:%H:%M}"

    @property
    def _uncounted(self) -> str:
        return re.sub(r" \d+$", "", self.reason)  # "daily 2": a second one that second

    @property
    def kind(self) -> str:
        """The reason without its counter or "(as found)": "daily", "before restore"..."""
        return self._uncounted.removesuffix(_AS_FOUND)

    @property
    def why(self) -> str:
        """Why it was taken, in words for the list of backups."""
        words = REASON_WORDS.get(self.kind, self.kind.capitalize() or "Backup")
        if self._uncounted.endswith(_AS_FOUND):
            return f"{words} (the damaged register as it was found)"
        return words


def backup_folder(register_path: Path) -> Path:
    """Backups sit beside the register, in a folder a DPO can find and copy."""
    return register_path.with_name(f"{register_path.stem} backups")


def copy_database(
    source: Path, target: Path, *, options: StorageOptions = SQLITE_IN_PROCESS
) -> None:
    """Write a consistent copy of `source` to `target`, atomically (temporary file, replace),
    reading it the way the process's `options` say (in the app, SQLite in a helper process).

    The copy is readable by its owner only on POSIX: it holds the same personal data as the
    register itself.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FileWriteError(
            f"Could not create the folder {target.parent}: {error.strerror or error}. "
            "Choose a folder you may write to."
        ) from error
    partial = target.with_name(target.name + ".partial")
    try:
        partial.unlink(missing_ok=True)
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        src = _connect_for_reading(source, options)
        try:
            # A copy should be one self-contained file, not a WAL pair.
            # A register of its own (db/file_identity.py): copied over the register, it is
            # known for another file.
            copy_into_file(
                src,
                partial,
                then=("PRAGMA journal_mode = DELETE", number_statement(new_register_number())),
            )
        finally:
            src.close()
        partial.replace(target)
    except (sqlite3.Error, OSError) as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        if held_by_another(error):
            in_use = in_use_words(source, options.busy_wait_seconds)
            raise FileWriteError(
                f"Could not make the copy {target.name}: {in_use} Nothing was copied."
            ) from error
        if problem := storage_problem(error, target, saving=False):
            raise FileWriteError(f"Could not write the copy {target}. {problem}") from error
        raise FileWriteError(
            f"Could not write the copy {target}: {error}. Check that the folder exists and "
            "that you may write to it."
        ) from error


def save_copy(
    register_path: Path, target: Path, *, options: StorageOptions = SQLITE_IN_PROCESS
) -> None:
    """`Save a copy`: a consistent, self-contained copy of the register at `target`."""
    if target.resolve() == register_path.resolve():
        raise FileWriteError(
            f"{target.name} is the register itself. Choose another name for the copy."
        )
    copy_database(register_path, target, options=options)


def make_backup(
    register_path: Path,
    reason: str,
    *,
    keep: int = MAX_BACKUPS,
    now: dt.datetime | None = None,
    spare: Path | None = None,
    options: StorageOptions = SQLITE_IN_PROCESS,
) -> Path:
    """Back the register up into its backup folder and prune the oldest beyond `keep`
    (never `spare`, the backup a restore is about to read)."""
    stamp = (now or dt.datetime.now()).strftime(_STAMP_FORMAT)
    target = backup_folder(register_path) / f"{register_path.stem} {stamp} {reason}.ropa"
    counter = 1
    while target.exists():
        counter += 1
        target = target.with_name(f"{register_path.stem} {stamp} {reason} {counter}.ropa")
    copy_database(register_path, target, options=options)
    prune_backups(register_path, keep=keep, spare=spare)
    return target


def prune_backups(
    register_path: Path, *, keep: int = MAX_BACKUPS, spare: Path | None = None
) -> None:
    """Delete the oldest backups so that at most `keep` of each group remain (see the module's
    note), sparing `spare`."""
    spared = spare.resolve() if spare is not None else None
    groups: dict[str, list[BackupInfo]] = {}
    for info in list_backups(register_path):
        if info.path.resolve() != spared:
            groups.setdefault(_PRUNED_APART.get(info.kind, "kept"), []).append(info)
    for newest_first in groups.values():
        for old in newest_first[max(keep, 1) :]:
            with contextlib.suppress(OSError):
                old.path.unlink(missing_ok=True)


# Backups made many times in a row by one action are pruned among their own kind only.
_PRUNED_APART = {BEFORE_RESTORE: BEFORE_RESTORE, BEFORE_IMPORT: BEFORE_IMPORT}


def backup_before_import(
    register_path: Path, *, options: StorageOptions = SQLITE_IN_PROCESS
) -> Path:
    """A backup of the register just before an import writes to it, so that an import can be
    undone whole (Backups > Restore). Raises FileWriteError, in words, when it cannot be
    made: the caller then does not import."""
    return make_backup(register_path, BEFORE_IMPORT, options=options)


def make_daily_backup(
    register_path: Path,
    *,
    keep: int = MAX_BACKUPS,
    now: dt.datetime | None = None,
    options: StorageOptions = SQLITE_IN_PROCESS,
) -> Path | None:
    """On the first open of each day, back the register up; later opens that day do nothing."""
    moment = now or dt.datetime.now()
    for info in list_backups(register_path):
        if info.reason == DAILY and info.taken_at.date() == moment.date():
            return None
    return make_backup(register_path, DAILY, keep=keep, now=moment, options=options)


def list_backups(register_path: Path) -> list[BackupInfo]:
    """The register's backups, newest first."""
    folder = backup_folder(register_path)
    if not folder.is_dir():
        return []
    found = []
    prefix = f"{register_path.stem} "
    for candidate in folder.glob("*.ropa"):
        if not candidate.name.startswith(prefix):
            continue
        rest = candidate.stem.removeprefix(prefix)
        try:
            taken_at = dt.datetime.strptime(rest[:_STAMP_LENGTH], _STAMP_FORMAT)
        except ValueError:
            continue
        reason = rest[_STAMP_LENGTH + 1 :]
        # Two backups in one second are told apart by a counter ("before import 2").
        named, _, counter = reason.rpartition(" ")
        if counter.isdigit() and named in REASON_WORDS:
            reason = named
        found.append(BackupInfo(candidate, taken_at, reason))
    return sorted(found, key=lambda info: (info.taken_at, info.path.name), reverse=True)


def restore_backup(
    register_path: Path, backup_path: Path, *, options: StorageOptions = SQLITE_IN_PROCESS
) -> Path:
    """Put a backup back in place of the register; return the backup of what it replaced.

    The backup is checked first (a sound register this version can read).  The current
    register is then backed up ("before restore"), so a restore can itself be undone, and
    replaced in one SQLite transaction through the online backup API: another program with
    the register open sees either the old content or the restored one, never a mixture.
    """
    check_is_sound_register(backup_path, options=options)
    if register_path.exists():
        try:
            safety_copy = make_backup(
                register_path, BEFORE_RESTORE, spare=backup_path, options=options
            )
        except FileWriteError:
            # A damaged register cannot be copied page by page; keep its bytes instead.
            safety_copy = _copy_bytes(register_path, BEFORE_RESTORE)
    else:
        safety_copy = None
    try:
        _restore_in_place(register_path, backup_path, options)
    except (sqlite3.Error, OSError) as error:
        if _is_sound(register_path, options):
            # Busy or locked elsewhere: the failed transaction left the register as it was.
            raise FileWriteError(
                f"Could not restore {register_path.name}: {error}. If the register is open "
                "in another copy of ROPA desk, close it there and try again; the register "
                "is as it was."
            ) from error
        _restore_by_replacing(register_path, backup_path, options)
    return safety_copy if safety_copy is not None else backup_path


def check_is_sound_register(path: Path, *, options: StorageOptions = SQLITE_IN_PROCESS) -> None:
    """Refuse (RegisterFileError) anything but an undamaged register this version can read."""
    from db.schema import known_revisions

    if not path.is_file():
        raise RegisterFileError(f"There is no backup at {path}. Choose another backup.")
    try:
        connection = _connect_for_reading(path, options)
        try:
            verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise RegisterFileError(
            f"{path.name} is not a readable ROPA desk register ({error}). Choose another backup."
        ) from error
    if verdict != "ok":
        raise RegisterFileError(f"{path.name} is damaged ({verdict}). Choose another backup.")
    if revision is None or revision[0] not in known_revisions():
        raise RegisterFileError(
            f"{path.name} comes from a newer version of ROPA desk or is not a register. "
            "Choose another backup."
        )


# --- internals ----------------------------------------------------------------------------


def _connect_for_reading(path: Path, options: StorageOptions) -> Connection:
    """A connection that can never write to `path`.

    A WAL-mode file in a folder that cannot be written (a read-only share) cannot be opened
    with mode=ro alone, because SQLite cannot create its -shm file there.  When no -wal file
    exists the file is complete in itself and may be read as immutable.  Never otherwise:
    read as immutable, SQLite takes no lock and looks at no journal, so a file that another
    program holds locked while it writes a change would be read half-written, and a copy of
    it would hold a save that never happened.
    """
    try:
        return _read_only_connection(path, options, immutable=False)
    except sqlite3.OperationalError as error:
        if held_by_another(error) or not needs_immutable(path):
            raise
    return _read_only_connection(path, options, immutable=True)


def _read_only_connection(path: Path, options: StorageOptions, *, immutable: bool) -> Connection:
    connection = connect(path, options=options, read_only=True, immutable=immutable)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        connection.close()
        raise
    return connection


def _is_sound(path: Path, options: StorageOptions) -> bool:
    try:
        check_is_sound_register(path, options=options)
    except RegisterFileError:
        return False
    return True


def _restore_in_place(register_path: Path, backup_path: Path, options: StorageOptions) -> None:
    # Through `connect`, like every other connection to the register: in the app its SQLite
    # runs apart, where nothing else in the process can drop its locks.
    target = connect(register_path, options=options)
    try:
        # The register keeps its own number (db/file_identity.py): restored, it is still
        # the same register, not the backup copy.
        number = target.execute("PRAGMA application_id").fetchone()[0]
        verdict = copy_over(target, backup_path)
        if verdict != "ok":
            raise sqlite3.DatabaseError(verdict)
        target.execute(number_statement(number))
    finally:
        target.close()


def _restore_by_replacing(register_path: Path, backup_path: Path, options: StorageOptions) -> None:
    """Fallback for a register too damaged to write into: replace the file itself."""
    partial = register_path.with_name(register_path.name + ".restoring")
    copy_database(backup_path, partial, options=options)
    try:
        for suffix in ("-wal", "-shm", "-journal"):
            register_path.with_name(register_path.name + suffix).unlink(missing_ok=True)
        partial.replace(register_path)
    except OSError as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise FileWriteError(
            f"Could not put the backup in place of {register_path}: "
            f"{error.strerror or error}. Close ROPA desk everywhere the register is open and "
            "try again; the register is as it was."
        ) from error


def _copy_bytes(register_path: Path, reason: str) -> Path:
    stamp = dt.datetime.now().strftime(_STAMP_FORMAT)
    target = backup_folder(register_path) / f"{register_path.stem} {stamp} {reason}{_AS_FOUND}.ropa"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(register_path, target)
        target.chmod(0o600)
    except OSError as error:
        raise FileWriteError(
            f"Could not keep a copy of {register_path} before restoring: "
            f"{error.strerror or error}. Nothing was changed."
        ) from error
    return target
