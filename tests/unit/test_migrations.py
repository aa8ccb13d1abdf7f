"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from db.engine import make_engine
from db.schema import (
    HEAD_REVISION,
    alembic_head_revision,
    current_revision,
    head_revision,
)
from db.storage_options import SQLITE_IN_PROCESS
from ropa.register import Register
from tests.helpers.schema import assert_migrations_build_the_models


def test_migrations_and_models_agree(tmp_path: Path) -> None:
    assert_migrations_build_the_models(
        make_engine(tmp_path / "fresh.ropa", options=SQLITE_IN_PROCESS)
    )


def test_a_new_register_is_at_the_head_revision(register_path: Path) -> None:
    with Register.open(register_path) as register:
        assert current_revision(register.engine) == head_revision()


def test_the_head_revision_constant_is_alembics_head() -> None:
    """Opening a register compares with HEAD_REVISION so as not to import Alembic: it must
    name the newest migration script."""
    assert alembic_head_revision() == HEAD_REVISION


def test_a_migration_that_rebuilds_activities_keeps_their_linked_rows(
    tmp_path: Path, demo_register: Register
) -> None:
    """Batch mode drops and recreates a table; with foreign keys on, the DROP would cascade
    and wipe every link, basis and retention rule. The environment must prevent that."""
    import shutil

    from alembic import command

    from db.schema import MIGRATIONS_DIR, alembic_config

    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9999_rebuild.py").write_text(
        "from alembic import op\n"
        "revision = '9999'\n"
        f"down_revision = '{HEAD_REVISION}'\n"
        "branch_labels = None\n"
        "depends_on = None\n"
        "def upgrade():\n"
        "    with op.batch_alter_table('activities', recreate='always'):\n"
        "        pass\n"
        "def downgrade():\n"
        "    pass\n",
        encoding="utf-8",
    )
    before = _child_row_counts(demo_register)
    assert before["activity_links"] > 0
    config = alembic_config(demo_register.engine)
    config.set_main_option("script_location", str(scripts))
    command.upgrade(config, "head")
    assert current_revision(demo_register.engine) == "9999"
    assert _child_row_counts(demo_register) == before


def _child_row_counts(register: Register) -> dict[str, int]:
    tables = ("activity_links", "activity_lawful_bases", "retention_rules", "notice_activities")
    with register.engine.connect() as connection:
        return {
            table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() or 0
            for table in tables
        }
