"""The one place an engine is made. Never at import time: callers pass the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from db.connection import BUSY_TIMEOUT_MS, configure

READER_OPTION = "ropa_reader"


def make_engine(path: Path, *, read_only: bool = False, immutable: bool = False) -> Engine:
    """An engine over one register file, its connections configured by db.connection.

    `immutable` (read-only only) lets SQLite read a WAL-mode file in a folder it cannot
    write, where it could not create the -shm file that mode=ro alone needs.
    """
    if read_only:
        # mode=ro refuses every write at the SQLite level, whatever the code above does.
        extra = "&immutable=1" if immutable else ""
        url = f"sqlite:///file:{path.resolve().as_posix()}?mode=ro{extra}&uri=true"
    else:
        url = f"sqlite:///{path.resolve().as_posix()}"
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        configure(dbapi_connection, read_only=read_only)

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # A writer's IMMEDIATE takes the write lock up front, so two writers queue rather than
        # deadlock; a reader's plain BEGIN reads a WAL snapshot and never waits for a writer.
        reader = read_only or connection.get_execution_options().get(READER_OPTION, False)
        connection.exec_driver_sql("BEGIN" if reader else "BEGIN IMMEDIATE")

    return engine


def make_session_factory(engine: Engine, *, reader: bool = False) -> sessionmaker[Session]:
    """Sessions over the engine; `reader` sessions begin without taking the write lock."""
    bind = engine.execution_options(**{READER_OPTION: True}) if reader else engine
    return sessionmaker(bind, expire_on_commit=False)
