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


class EmptyRegisterImageError(RuntimeError):
    """The empty register could not be built in the temporary folder `folder` (full,
    read-only, missing): the trouble is there, not where the caller wanted a register."""

    def __init__(self, folder: str, reason: str) -> None:
        super().__init__(f"the empty register could not be built in {folder}: {reason}")
        self.folder = folder
        self.reason = reason


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

    Raises EmptyRegisterImageError when the temporary folder cannot hold the build.
    """
    global _image
    with _image_lock:
        if _image is None:
            _image = _build_empty_register_image()
        return _image


def _build_empty_register_image() -> bytes:
    """Migrate a new file in a temporary folder, SQLite in this process, with the rollback
    journal that deletes itself (the desktop's), and read it whole."""
    from sqlalchemy.exc import OperationalError

    from db.engine import make_engine
    from db.storage_options import StorageOptions

    folder = tempfile.gettempdir()
    try:
        with tempfile.TemporaryDirectory(prefix="ropa-empty-register-") as building:
            path = Path(building) / "empty.ropa"
            engine = make_engine(path, options=StorageOptions(sqlite_apart=False, journal="DELETE"))
            try:
                upgrade_to_head(engine)
            finally:
                engine.dispose()
            return path.read_bytes()
    except (OSError, sqlite3.OperationalError, OperationalError) as error:
        reason = getattr(error, "strerror", None) or str(getattr(error, "orig", error))
        raise EmptyRegisterImageError(folder, reason.splitlines()[0]) from error
