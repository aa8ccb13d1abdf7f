"""Schema versions: create, inspect and upgrade a register file with Alembic.

Alembic (with Mako and every SQL dialect it supports) takes about a third of a second to
import, so it is imported only when a file must be created or upgraded.  Opening a register
that is already at the newest schema, the everyday case, compares the file's revision with
HEAD_REVISION and never loads Alembic.
"""

from __future__ import annotations

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


def upgrade_to_head(engine: Engine) -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


def upgrade_within(connection: SAConnection) -> None:
    """Create or upgrade the schema inside the caller's open transaction (PostgreSQL, whose
    DDL is transactional): nothing is kept unless the caller commits."""
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
