"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from db.engine import make_engine
from db.models import Base
from db.schema import (
    HEAD_REVISION,
    alembic_head_revision,
    current_revision,
    head_revision,
    upgrade_to_head,
)


def test_migrations_and_models_agree(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "fresh.ropa")
    try:
        upgrade_to_head(engine)
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_a_new_register_is_at_the_head_revision(register_path: Path) -> None:
    from ropa.register import Register

    with Register.open(register_path) as register:
        assert current_revision(register.engine) == head_revision()


def test_the_head_revision_constant_is_alembics_head() -> None:
    """Opening a register compares with HEAD_REVISION so as not to import Alembic: it must
    name the newest migration script."""
    assert alembic_head_revision() == HEAD_REVISION
