"""The one place an engine is made. Never at import time: callers pass the file."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from db.connection import connect
from db.hosted import HostStoppedError
from db.statement_cache import FILE_STATEMENTS
from db.storage_options import StorageOptions

READER_OPTION = "ropa_reader"
_CHANGES_AT_BEGIN = "ropa_changes_at_begin"


def make_engine(
    path: Path, *, options: StorageOptions, read_only: bool = False, immutable: bool = False
) -> Engine:
    """An engine over one register file, its connections made by db.connection.connect
    with the process's `options` (SQLite in this process or in helper processes).

    The connections come from the one function that also opens a register, never from a URL
    of SQLAlchemy's: a folder name with "#", "?" or "%41" in it then means the same file
    both ways. `immutable` (read-only only) lets SQLite read a WAL-mode file in a folder it
    cannot write, where it could not create the -shm file that mode=ro alone needs.
    """
    engine = create_engine(
        "sqlite://",
        creator=partial(connect, path, options=options, read_only=read_only, immutable=immutable),
        # What SQLAlchemy chooses for a file (the URL above names none): a few connections
        # kept open for the threads that read and write.
        poolclass=QueuePool,
        # A connection whose helper process has gone (db/hosted.py) is replaced as it is
        # taken from the pool, not found dead by the next save.
        pool_pre_ping=options.sqlite_apart,
        # SQL compiled for one register file serves every other this process opens.
        execution_options={"compiled_cache": FILE_STATEMENTS},
    )

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # A writer's IMMEDIATE takes the write lock up front, so two writers queue rather than
        # deadlock; a reader's plain BEGIN reads a WAL snapshot and never waits for a writer.
        reader = read_only or connection.get_execution_options().get(READER_OPTION, False)
        connection.exec_driver_sql("BEGIN" if reader else "BEGIN IMMEDIATE")
        if not reader:
            connection.info[_CHANGES_AT_BEGIN] = _total_changes(connection)

    @event.listens_for(engine, "handle_error")
    def _helper_gone(context: Any) -> None:
        # A helper process that died or was ended (db/hosted.py) took its connection with
        # it: the pool drops that one connection and makes a new one (a new helper) next time.
        if isinstance(context.original_exception, HostStoppedError):
            context.is_disconnect = True
            context.invalidate_pool_on_disconnect = False

    return engine


def changes_since_begin(connection: Connection) -> int:
    """How many rows the connection's write transaction has inserted, changed or deleted."""
    return _total_changes(connection) - int(connection.info.get(_CHANGES_AT_BEGIN, 0))


def _total_changes(connection: Connection) -> int:
    driver: Any = connection.connection.driver_connection
    return int(driver.total_changes)


def make_session_factory(engine: Engine, *, reader: bool = False) -> sessionmaker[Session]:
    """Sessions over the engine; `reader` sessions begin without taking the write lock."""
    bind = engine.execution_options(**{READER_OPTION: True}) if reader else engine
    return sessionmaker(bind, expire_on_commit=False)
