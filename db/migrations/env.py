"""Alembic environment: always run against the engine the caller passes in."""

from __future__ import annotations

from alembic import context

from db.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    raise RuntimeError("ROPA desk runs its migrations itself; pass an engine in the config")

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    driver = connection.connection.driver_connection
    # Batch mode rebuilds a table by copying it and dropping the old one; with foreign keys
    # on, that DROP would cascade and delete every row that points at the table (the
    # activities' links, bases, transfers...). SQLite ignores this pragma inside a
    # transaction, so it is set on the driver connection before the migration begins.
    # PostgreSQL alters tables in place (batch mode does nothing there) and checks every
    # reference itself, inside the migration's one transaction.
    if sqlite:
        driver.execute("PRAGMA foreign_keys = OFF")
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
        connection.commit()
    finally:
        if sqlite:
            driver.execute("PRAGMA foreign_keys = ON")
