"""Errors a user can act on. Each message says what is wrong, where, and what to do."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path


class RopaError(Exception):
    """Base for every error the app shows to the user in plain words."""


class RegisterFileError(RopaError):
    """The register file cannot be opened as it is (a folder, not SQLite, too new...)."""


class NoRegisterError(RegisterFileError):
    """Nothing is at the place named (no file, or a server database holding no register), and
    the caller asked not to create one: a mistyped path or a register yet to be made."""


class ValidationError(RopaError):
    """A value the user gave is not acceptable; `field` names the field concerned."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(RopaError):
    """The activity, item or notice asked for is not (or no longer) in the register."""


class InUseError(RopaError):
    """A library item cannot be deleted because activities still use it."""


class ConflictError(RopaError):
    """Someone else saved this record since it was loaded (optimistic concurrency)."""


class RegisterBusyError(RopaError):
    """Another program held the register's write lock for longer than the busy timeout."""


class SaveNotConfirmedError(RopaError):
    """A save committed, but the register file seen from another process does not hold it."""


class ReadOnlyError(RopaError):
    """The register was opened read-only and cannot be changed."""


class FileWriteError(RopaError):
    """An output file could not be written; nothing was left half-written."""


class FileReplacedError(RopaError):
    """The register file was replaced or overwritten by another program since it was opened:
    nothing is written into the file that is there now."""


class StorageError(RopaError):
    """The disk or folder holding the register refused a read or write (full, read-only,
    gone): the register is not damaged, and the message says what to do."""


class SaveInterruptedError(RopaError):
    """The helper process running SQLite stopped or hung during a save, and the file does
    not show that save (or could not be read to tell: the message then says so)."""


# A disk with less than this free is full for SQLite's purposes: it needs room for a
# journal and a few pages before it can write a byte of a save.
_NEARLY_FULL = 1024 * 1024


def storage_problem(
    error: BaseException, path: Path, *, saving: bool, reached_file: bool | None = False
) -> StorageError | None:
    """The disk trouble behind `error` in words, or None when it is not disk trouble.

    Looks through the error and what it wraps (SQLAlchemy's `orig`, the cause) for SQLite's
    own error name and the operating system's error number: a full disk, a read-only file
    or folder, a folder that has gone (an unplugged drive, a share no longer connected).
    `reached_file` (saving only) is what is known of the save: False when the error came
    before COMMIT (SQLite then rolls it back whole), None when it came at COMMIT and the file
    could not be checked (a commit that failed part-way may or may not be in the file), True
    when the file, read afterwards, shows the save.
    """
    names, numbers = _error_codes(error)
    folder = path.parent
    outcome = _save_outcome(reached_file) if saving else "Nothing was changed"
    not_damaged = "The register is not damaged: do not restore a backup over it."
    if not _exists(folder):
        return StorageError(
            f"The folder {folder} that holds {path.name} is not there any more (a drive or "
            f"network share that was disconnected?). {outcome}. Reconnect it, then try "
            f"again. {not_damaged}"
        )
    free = _free_space(folder)
    full = (
        "SQLITE_FULL" in names
        or errno.ENOSPC in numbers
        or (free is not None and free < _NEARLY_FULL and _any_io_error(names, numbers))
    )
    if full:
        room = f" (about {free // 1024} KB free)" if free is not None else ""
        return StorageError(
            f"The disk holding {path} is full{room}. {outcome}. Free some space on that "
            f"disk, or move the register to one with room, then try again. {not_damaged}"
        )
    refused = any(name.startswith("SQLITE_READONLY") for name in names) or numbers & {
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
    }
    if refused or (_any_io_error(names, numbers) and _cannot_write(path)):
        return StorageError(
            f"{path} cannot be written now: the file or its folder {folder} has become "
            f"read-only. {outcome}. Make it writable again (or save a copy elsewhere), "
            f"then try again. {not_damaged}"
        )
    if _any_io_error(names, numbers):
        return StorageError(
            f"The disk holding {path} could not be read or written (disk I/O error: the "
            f"drive may have been removed or be failing). {outcome}. Check the drive, "
            f"close ROPA desk and open the register again. Nothing shows the register is "
            f"damaged: do not restore a backup over it unless opening it says so."
        )
    return None


def _save_outcome(reached_file: bool | None) -> str:
    """What became of the save that met disk trouble, as far as is known: never "nothing
    was saved" for an error at COMMIT that nothing has checked."""
    if reached_file is None:
        return (
            "Your last change may or may not have been saved: the trouble came while it was "
            "being written to the file. Once the disk is working, open the register and look "
            "whether it holds the change before making it again"
        )
    if reached_file:
        return (
            "Your last change was saved (the file, read again, holds it), but the disk "
            "reported trouble as the save finished"
        )
    return "Nothing was saved; the register holds everything saved before this"


def in_use_words(path: Path, waited_seconds: float) -> str:
    """What to tell the DPO when another program kept the register locked for the whole wait
    (`held_by_another`): a busy file, neither damaged nor changed."""
    unit = "second" if waited_seconds == 1 else "seconds"
    return (
        f"{path} is in use by another program, which kept it locked for the {waited_seconds:g} "
        f"{unit} ROPA desk waited. The file has not been changed and nothing shows it is "
        "damaged: close the program that has it open (or wait for it to finish), then try "
        "again."
    )


def held_by_another(error: BaseException) -> bool:
    """Whether SQLite gave up waiting for a lock another connection holds on the file."""
    names, _numbers = _error_codes(error)
    return bool(names & {"SQLITE_BUSY", "SQLITE_LOCKED"}) or "database is locked" in str(error)


def proves_damage(error: BaseException) -> bool:
    """Whether SQLite itself found the file damaged (SQLITE_CORRUPT or not a database)."""
    names, _numbers = _error_codes(error)
    return any(name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) for name in names)


def _error_codes(error: BaseException) -> tuple[set[str], set[int]]:
    names: set[str] = set()
    numbers: set[int] = set()
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        name = getattr(current, "sqlite_errorname", None)
        if isinstance(name, str):
            names.add(name)
        if isinstance(current, OSError) and current.errno is not None:
            numbers.add(current.errno)
        text = str(current)
        # Errors that crossed from the helper process, or were raised as plain text.
        if "database or disk is full" in text:
            names.add("SQLITE_FULL")
        if "disk I/O error" in text:
            names.add("SQLITE_IOERR")
        if "attempt to write a readonly database" in text:
            names.add("SQLITE_READONLY")
        orig = getattr(current, "orig", None)
        pending.extend(
            [
                orig if isinstance(orig, BaseException) else None,
                current.__cause__,
                current.__context__,
            ]
        )
    return names, numbers


def _any_io_error(names: set[str], numbers: set[int]) -> bool:
    return any(name.startswith("SQLITE_IOERR") for name in names) or errno.EIO in numbers


def _cannot_write(path: Path) -> bool:
    """Whether the file (if there) or its folder may not be written now: SQLite reports a
    write refused through a descriptor it already holds as an I/O error, not as read-only."""
    import os

    target = path if path.exists() else path.parent
    return not os.access(target, os.W_OK) or not os.access(path.parent, os.W_OK)


def _exists(folder: Path) -> bool:
    try:
        return folder.is_dir()
    except OSError:
        return False


def _free_space(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None
