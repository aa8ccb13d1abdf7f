"""Plain sqlite3 connections to a register file, configured the one way every connection is.

Every connection to a register comes from `connect`: the SQLAlchemy engine's (db/engine.py)
and the few reads that must not wait for SQLAlchemy to be imported (opening a register, the
activities list as the main window first appears).

In a process that opens files by other means than SQLite (the desktop app: Qt's file
dialogs read files to guess their type), `run_sqlite_apart()` makes every connection one
whose SQLite runs in a helper process of its own (db/hosted.py), where nothing can drop the
locks SQLite holds on the register. The command line has no such neighbours and keeps
SQLite in its own process.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TypeAlias
from urllib.parse import quote

from db import network_drive
from db.hosted import POOL, HostedConnection

BUSY_TIMEOUT_MS = 5000

# Either kind offers what the callers use: execute, executemany, commit, rollback, close.
Connection: TypeAlias = sqlite3.Connection | HostedConnection

_apart = False


def run_sqlite_apart(enabled: bool = True) -> None:
    """From now on, open registers through a helper process (`enabled`) or in this one.

    Connections already open stay as they are. The app calls this before it opens anything.
    """
    global _apart
    _apart = enabled
    if enabled:
        POOL.warm()


def sqlite_runs_apart() -> bool:
    return _apart


# How a register file on this computer is journalled. People copy, email and sync the .ropa
# file alone, so after every save it must hold the whole register: no save may wait in a
# -wal file beside it. Measured (bench/save_modes.py, docs/performance.md) against WAL with a
# full checkpoint after each save, the rollback journal that deletes itself costs about the
# same per save, and it has no step after the commit that can fail or be skipped (a
# checkpoint gives up while a reader holds an older snapshot), so it is the one used.
# "WAL" (the old way) and "WAL+CHECKPOINT" remain for the bench to measure against.
DESKTOP_JOURNAL = "DELETE"
_desktop_journal = DESKTOP_JOURNAL


def use_desktop_journal(mode: str) -> None:
    """Journal local registers opened from now on with `mode` (bench/save_modes.py only)."""
    global _desktop_journal
    if mode not in {"DELETE", "TRUNCATE", "WAL", "WAL+CHECKPOINT"}:
        raise ValueError(f"Unknown journal mode {mode!r}")
    _desktop_journal = mode


def checkpoints_after_save() -> bool:
    """Whether each save is followed by a full WAL checkpoint (only the bench's variant)."""
    return _desktop_journal == "WAL+CHECKPOINT"


def journal_mode_for(path: Path) -> str:
    """The rollback journal that deletes itself after each transaction, so that the file
    alone holds every committed save; the same on a network filesystem, where WAL's shared
    memory index cannot work at all."""
    if network_drive.network_location(path):
        return "DELETE"
    return _desktop_journal.removesuffix("+CHECKPOINT")


def _configure(connection: Connection, *, read_only: bool, journal_mode: str) -> None:
    """Foreign keys on, a busy timeout, and for writers `journal_mode` with normal syncing
    (full syncing under a rollback journal, where normal may corrupt the file on a power cut)."""
    # Transactions begin where the caller says (BEGIN / BEGIN IMMEDIATE), not where sqlite3
    # would guess.
    connection.isolation_level = None
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not read_only:
        connection.execute(f"PRAGMA journal_mode = {journal_mode}")
        synchronous = "NORMAL" if journal_mode == "WAL" else "FULL"
        connection.execute(f"PRAGMA synchronous = {synchronous}")


def read_only_uri(path: Path, *, immutable: bool = False) -> str:
    """A URI that SQLite opens without ever writing (mode=ro).

    `immutable` lets SQLite read a WAL-mode file in a folder it cannot write, where it could
    not create the -shm file that mode=ro alone needs.
    """
    extra = "&immutable=1" if immutable else ""
    return f"file:{quote(path.resolve().as_posix())}?mode=ro{extra}"


def connect(path: Path, *, read_only: bool = False, immutable: bool = False) -> Connection:
    """A configured connection; `read_only` ones cannot write, whatever the caller does.

    It may be used from any thread, one at a time: the engine's pool hands its connections
    to the worker threads that read and save.
    """
    if read_only:
        target, uri = read_only_uri(path, immutable=immutable), True
    else:
        target, uri = str(path.resolve()), False
    timeout = BUSY_TIMEOUT_MS / 1000
    connection: Connection
    if _apart:
        connection = HostedConnection(target, uri=uri, timeout=timeout)
    else:
        connection = sqlite3.connect(target, uri=uri, timeout=timeout, check_same_thread=False)
    try:
        _configure(
            connection,
            read_only=read_only,
            journal_mode="" if read_only else journal_mode_for(path),
        )
    except BaseException:
        connection.close()
        raise
    return connection


def copy_into_file(source: Connection, target: Path, *, then: tuple[str, ...] = ()) -> None:
    """Copy the database `source` reads into the new file `target` (SQLite's online backup,
    one consistent snapshot), then run the statements `then` on the copy."""
    if isinstance(source, HostedConnection):
        source.backup_to(target, then=then)
        return
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        for statement in then:
            copy.execute(statement)
    finally:
        copy.close()


def copy_over(target: Connection, source: Path) -> str:
    """Copy the database file `source` over the one `target` writes, in one transaction;
    PRAGMA quick_check's verdict on the result ("ok" when sound)."""
    source_uri = read_only_uri(source)
    if isinstance(target, HostedConnection):
        return target.restore_from(source_uri)
    original = sqlite3.connect(source_uri, uri=True)
    try:
        # pages=-1: every page in one step, so in one transaction on the target.
        original.backup(target, pages=-1)
    finally:
        original.close()
    return str(target.execute("PRAGMA quick_check").fetchone()[0])
