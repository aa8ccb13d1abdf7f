"""Plain sqlite3 connections to a register file, configured the one way every connection is.

Every connection to a register comes from `connect`: the SQLAlchemy engine's (db/engine.py)
and the few reads that must not wait for SQLAlchemy to be imported (opening a register, the
activities list as the main window first appears).

Each caller passes the process's StorageOptions (db/storage_options.py): in a process that
opens files by other means than SQLite (the desktop app: Qt's file dialogs read files to
guess their type) they say that SQLite runs in a helper process of its own (db/hosted.py),
where nothing can drop the locks SQLite holds on the register. The command line has no such
neighbours and keeps SQLite in its own process.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TypeAlias
from urllib.parse import quote

from db import network_drive
from db.hosted import HostedConnection
from db.storage_options import StorageOptions

# Either kind offers what the callers use: execute, executemany, commit, rollback, close.
Connection: TypeAlias = sqlite3.Connection | HostedConnection


def journal_mode_for(path: Path, options: StorageOptions) -> str:
    """The options' journal (the rollback journal that deletes itself after each
    transaction, so that the file alone holds every committed save); DELETE on a network
    filesystem whatever they say, as WAL's shared memory index cannot work there at all."""
    if network_drive.network_location(path):
        return "DELETE"
    return options.journal_mode


def _configure(
    connection: Connection, *, read_only: bool, journal_mode: str, busy_wait_ms: int
) -> None:
    """Foreign keys on, the options' busy timeout, and for writers `journal_mode` with normal
    syncing (full syncing under a rollback journal, where normal may corrupt the file on a
    power cut)."""
    # Transactions begin where the caller says (BEGIN / BEGIN IMMEDIATE), not where sqlite3
    # would guess.
    connection.isolation_level = None
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute(f"PRAGMA busy_timeout = {int(busy_wait_ms)}")
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


def needs_immutable(path: Path) -> bool:
    """Whether SQLite must read the file as immutable to read it at all, and may.

    mode=ro on a WAL-mode file needs a -shm file beside it, which a read-only folder cannot
    receive. With no -wal file (and no -journal, which holds a change under way or left by
    a crash) the main file holds every committed change and nothing else, so it may be read
    as immutable: SQLite then takes no lock and looks at no journal.
    """
    folder_locked = not os.access(path.parent, os.W_OK)
    beside = (path.with_name(path.name + suffix) for suffix in ("-wal", "-journal"))
    return folder_locked and not any(side.exists() for side in beside)


def connect(
    path: Path, *, options: StorageOptions, read_only: bool = False, immutable: bool = False
) -> Connection:
    """A configured connection; `read_only` ones cannot write, whatever the caller does.
    Its SQLite runs in a helper process when the `options` say so, and waits as long as they
    say (`busy_wait_seconds`) for a file another connection is writing.

    It may be used from any thread, one at a time: the engine's pool hands its connections
    to the worker threads that read and save.
    """
    if read_only:
        target, uri = read_only_uri(path, immutable=immutable), True
    else:
        target, uri = str(path.resolve()), False
    # sqlite3's timeout is the busy timeout too (set again by the PRAGMA below, which is
    # what a reader of _configure sees); both from the options.
    timeout = options.busy_wait_ms / 1000
    connection: Connection
    if options.sqlite_apart:
        connection = HostedConnection(target, uri=uri, timeout=timeout)
    else:
        connection = sqlite3.connect(target, uri=uri, timeout=timeout, check_same_thread=False)
    try:
        _configure(
            connection,
            read_only=read_only,
            journal_mode="" if read_only else journal_mode_for(path, options),
            busy_wait_ms=options.busy_wait_ms,
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
