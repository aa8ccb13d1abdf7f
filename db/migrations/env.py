"""Alembic environment: always run against the engine the caller passes in."""

from __future__ import annotations

from alembic import context

from db.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    raise RuntimeError("ROPA desk runs its migrations itself; pass an engine in the config")

with engine.connect() as connection:
    # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
