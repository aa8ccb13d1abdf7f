"""The same Alembic migrations create and upgrade a team register on a real PostgreSQL
server, and the schema they build there is the one the models describe."""

from __future__ import annotations

import pytest
from alembic import command

from db.schema import alembic_config, current_revision, head_revision, known_revisions
from db.server import make_server_engine
from ropa.errors import RegisterFileError
from ropa.register import Register
from tests.helpers.schema import assert_migrations_build_the_models, insert_organisation_row


def test_migrations_and_models_agree_on_postgresql(postgres_url: str) -> None:
    assert_migrations_build_the_models(make_server_engine(postgres_url))


def test_an_oldest_schema_register_on_a_server_is_upgraded_on_opening(postgres_url: str) -> None:
    oldest = min(known_revisions())
    engine = make_server_engine(postgres_url)
    try:
        command.upgrade(alembic_config(engine), oldest)
        with engine.begin() as connection:
            insert_organisation_row(connection, "Northfield Borough Council")
    finally:
        engine.dispose()
    with Register.open(postgres_url) as register:
        assert current_revision(register.engine) == head_revision()
        organisation = register.organisation.get()
        assert organisation.name == "Northfield Borough Council"
        # Migration 0003: "public authority" had defaulted to yes; it becomes unknown.
        assert organisation.is_public_authority is None


def test_opening_a_database_that_holds_something_else_is_refused(postgres_url: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as other:
        other.execute("CREATE TABLE payroll (id integer)")
    with pytest.raises(RegisterFileError, match="holds tables but no ROPA desk register"):
        Register.open(postgres_url)


def test_no_register_in_an_empty_database_unless_asked_to_create(postgres_url: str) -> None:
    with pytest.raises(RegisterFileError, match="no register"):
        Register.open(postgres_url, create=False)
    with Register.open(postgres_url) as register:
        assert register.activity_list.summaries() == []
        assert register.library.items(with_usage=False)  # the starter library is seeded
