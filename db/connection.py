"""Plain sqlite3 connections to a register file, configured the one way every connection is.

Every connection to a register comes from `connect`: the SQLAlchemy engine's (db/engine.py)
and the few reads that must not wait for SQLAlchemy to be imported (opening a register, the
activities list as the main window first appears).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

BUSY_TIMEOUT_MS = 5000


def _configure(connection: sqlite3.Connection, *, read_only: bool) -> None:
    """Foreign keys on, a busy timeout, and for writers WAL with normal syncing."""
    # Transactions begin where the caller says (BEGIN / BEGIN IMMEDIATE), not where sqlite3
    # would guess.
    connection.isolation_level = None
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not read_only:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")


def read_only_uri(path: Path, *, immutable: bool = False) -> str:
    """A URI that SQLite opens without ever writing (mode=ro).

    `immutable` lets SQLite read a WAL-mode file in a folder it cannot write, where it could
    not create the -shm file that mode=ro alone needs.
    """
    extra = "&immutable=1" if immutable else ""
    return f"file:{quote(path.resolve().as_posix())}?mode=ro{extra}"


def connect(path: Path, *, read_only: bool = False, immutable: bool = False) -> sqlite3.Connection:
    """A configured connection; `read_only` ones cannot write, whatever the caller does.

    It may be used from any thread, one at a time: the engine's pool hands its connections
    to the worker threads that read and save.
    """
    if read_only:
        target, uri = read_only_uri(path, immutable=immutable), True
    else:
        target, uri = str(path.resolve()), False
    connection = sqlite3.connect(
        target, uri=uri, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )
    try:
        _configure(connection, read_only=read_only)
    except BaseException:
        connection.close()
        raise
    return connection
