"""Alembic environment: always run against the engine the caller passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from db.models import Base

config = context.config
engine = config.attributes.get("engine")
# A caller that must create the schema and fill it in one transaction (copying a register
# onto a server: killed half-way, the database is left untouched) passes its connection, and
# commits it itself.
given = config.attributes.get("connection")
if engine is None and given is None:
    raise RuntimeError("ROPA desk runs its migrations itself; pass an engine in the config")


def _migrate(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    driver = connection.connection.driver_connection
    # Batch mode rebuilds a table by copying it and dropping the old one; with foreign keys
    # on, that DROP would cascade and delete every row that points at the table (the
    # activities' links, bases, transfers...). SQLite ignores this pragma inside a
    # transaction, so it is set on the driver connection before the migration begins.
    # PostgreSQL alters tables in place (batch mode does nothing there) and checks every
    # reference itself, inside the migration's one transaction.
    if sqlite:
        driver.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
    try:
        # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            broken = (
                connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() if sqlite else []
            )
            if broken:
                raise RuntimeError(
                    f"The upgrade would leave {len(broken)} broken references "
                    f"(first: {broken[0]}); it was not applied."
                )
    finally:
        if sqlite:
            driver.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]


if given is not None:
    _migrate(given)
elif engine is not None:
    with engine.connect() as own:
        _migrate(own)
        own.commit()
