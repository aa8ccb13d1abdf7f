"""Schema versions: create, inspect and upgrade a register file with Alembic.

Alembic (with Mako and every SQL dialect it supports) takes about a third of a second to
import, so it is imported only when a file must be created or upgraded.  Opening a register
that is already at the newest schema, the everyday case, compares the file's revision with
HEAD_REVISION and never loads Alembic.
"""

from __future__ import annotations

import sqlite3
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection as SAConnection
    from sqlalchemy import Engine

    from db.connection import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# The newest migration's revision id.  Update it with each new migration in
# db/migrations/versions/; tests/unit/test_migrations.py checks it against Alembic's own head.
HEAD_REVISION = "0008"


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    return HEAD_REVISION


def alembic_head_revision() -> str:
    """The head as Alembic works it out from the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder holds no revision"
    return head


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    raw = engine.raw_connection()
    try:
        return stored_revision(cast("Connection", raw.driver_connection))
    finally:
        raw.close()


def stored_revision(connection: Connection) -> str | None:
    """The revision recorded in the file, read from Alembic's own table without Alembic.

    None when the table is empty.  Several rows (branches, which only a newer version could
    have made) come back joined, so that the revision is not a known one.
    """
    rows = [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
    return " + ".join(sorted(rows)) if rows else None


# Alembic keeps the migration under way in module-level state (alembic.context, alembic.op):
# two threads migrating at once fail (KeyError: 'config') or run one's operations on the
# other's connection (seen with four older registers upgraded while a new one was made). The
# app opens registers on background threads, so every migration in this process runs under
# this lock.
_alembic_lock = threading.Lock()


def upgrade_to_head(engine: Engine) -> None:
    from alembic import command

    with _alembic_lock:
        command.upgrade(alembic_config(engine), "head")


def upgrade_within(connection: SAConnection) -> None:
    """Create or upgrade the schema inside the caller's open transaction (PostgreSQL, whose
    DDL is transactional): nothing is kept unless the caller commits."""
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    with _alembic_lock:
        command.upgrade(config, "head")


_image_lock = threading.Lock()
_image: bytes | None = None


def empty_register_image() -> bytes:
    """The bytes of an empty register file at HEAD_REVISION, made by running the migrations
    the first time a register is made in this process and kept in memory after.

    Copying these bytes is safe in place of migrating each new file: what Alembic makes of an
    empty file depends on nothing but the migration scripts, which do not change while the
    process runs. None of them writes anything that depends on the time or the file: 0005
    reads the clock, but only for the history lines of activities already in the file, and
    an empty file has none (its INSERT ... SELECT adds no row); the alembic_version row is
    the head's id. The one thing left to chance, in every migrated file alike, is the order
    in which the batch rebuild of `activities` re-creates its indexes (a set's order), so
    two indexes may sit on each other's root pages: the same schema, read the same way.
    What differs between registers, their number (the header's Application ID), the caller
    sets on each copy (ropa/storage/opener.py new_register_file). The lock: the app's
    background threads may make registers at the same time, and the first build must happen
    once.
    """
    global _image
    with _image_lock:
        if _image is None:
            _image = _build_empty_register_image()
        return _image


def _build_empty_register_image() -> bytes:
    """Migrate an empty database held in memory, SQLite in this process, and take its bytes.
    Nothing is written anywhere, so making a register cannot fail for want of room in some
    other folder than its own (a first build in the temporary folder could)."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import StaticPool

    memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    memory.execute("PRAGMA foreign_keys = ON")  # as db/connection.py sets on every register
    engine = create_engine("sqlite://", creator=lambda: memory, poolclass=StaticPool)

    @event.listens_for(engine, "begin")
    def _begin(connection: SAConnection) -> None:
        # Transactions begin where SQLAlchemy says, as db/engine.py has them on a file.
        connection.exec_driver_sql("BEGIN")

    try:
        upgrade_to_head(engine)
        return database_bytes(memory)
    finally:
        engine.dispose()
        memory.close()


def database_bytes(connection: sqlite3.Connection) -> bytes:
    """The whole database `connection` holds, as a file of it would be: SQLite's serialize
    where this SQLite has it (3.36 and later, which Python's own installers bundle); an older
    system SQLite copies it through a file in the temporary folder instead."""
    if hasattr(connection, "serialize"):
        return connection.serialize()
    with tempfile.TemporaryDirectory(prefix="ropa-empty-register-") as folder:
        path = Path(folder) / "empty.ropa"
        copy = sqlite3.connect(path)
        try:
            connection.backup(copy)
        finally:
            copy.close()
        return path.read_bytes()
