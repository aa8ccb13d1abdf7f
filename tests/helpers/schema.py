"""Helpers of the schema tests: the migrations against the models, and old rows by hand."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, text

from db.models import Base
from db.schema import current_revision, head_revision, upgrade_to_head


def assert_migrations_build_the_models(engine: Engine) -> None:
    """Upgrade the empty database under `engine` to the head; its schema is the models'."""
    try:
        upgrade_to_head(engine)
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def insert_organisation_row(connection: Connection, name: str) -> None:
    """The organisation's row as the oldest schema has it: every column given a value."""
    values: dict[str, object] = {}
    for column in inspect(connection).get_columns("organisation"):
        kind = str(column["type"]).upper()
        if column["name"] == "name":
            values["name"] = name
        elif "BOOL" in kind:
            values[column["name"]] = True
        elif "INT" in kind:
            values[column["name"]] = 1
        elif "TIMESTAMP" in kind or "DATE" in kind:
            values[column["name"]] = dt.datetime(2026, 1, 1)
        else:
            values[column["name"]] = ""
    names = ", ".join(values)
    marks = ", ".join(f":{key}" for key in values)
    connection.execute(text(f"INSERT INTO organisation ({names}) VALUES ({marks})"), values)
