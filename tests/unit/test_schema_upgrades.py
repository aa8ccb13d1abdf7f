"""Registers of every released schema version open with all their data, after a backup.

tests/data holds one register per released schema version (register-schema-<rev>.ropa,
written by tests/data/make_schema_fixtures.py from the demo register, beside a JSON copy of
the demo content it was made from).  Each is opened from a copy in tmp_path, upgraded when
it is older, and its content compared with that kept JSON, not with whatever the models or
today's demo say: a change to the schema that loses or cannot read old data is caught here.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from db.models import Base
from db.schema import head_revision, known_revisions, upgrade_to_head
from ropa.backup import BEFORE_UPGRADE, list_backups
from ropa.demo import demo_activities
from ropa.records import ActivityRecord, LibraryKind
from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.register_files import first_value

DATA = Path(__file__).resolve().parents[1] / "data"
FIXTURES = sorted(DATA.glob("register-schema-*.ropa"))
REGENERATE = (
    "If that schema version is not released yet, regenerate the file with "
    "`python tests/data/make_schema_fixtures.py`; if it is released, add a migration instead."
)
# Fields the register fills in itself when an activity is created (so not in the demo JSON).
_SET_ON_CREATE = {"next_review"}


def _revision(path: Path) -> str:
    return first_value(path, "SELECT version_num FROM alembic_version")


@pytest.fixture(params=FIXTURES, ids=[path.stem for path in FIXTURES])
def old_register(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    copy = tmp_path / "register.ropa"
    shutil.copyfile(request.param, copy)
    return copy


@pytest.fixture
def kept_content(old_register: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """The demo content the kept register was written from (its JSON twin in tests/data)."""
    original: Path = request.node.callspec.params["old_register"]
    with original.with_suffix(".json").open(encoding="utf-8") as handle:
        content: dict[str, Any] = json.load(handle)
    return content


def test_there_is_a_register_for_the_current_schema() -> None:
    assert DATA / f"register-schema-{head_revision()}.ropa" in FIXTURES, REGENERATE
    assert {_revision(path) for path in FIXTURES} <= known_revisions()


def test_the_kept_register_has_every_table_and_column_of_its_schema() -> None:
    """Tells when the (unreleased) head migration changed after its register was written."""
    path = DATA / f"register-schema-{head_revision()}.ropa"
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for table in Base.metadata.sorted_tables:
            columns = {row[1] for row in connection.execute(f'PRAGMA table_info("{table.name}")')}
            expected = {column.name for column in table.columns}
            assert columns == expected, f"{table.name}: {sorted(columns ^ expected)}. " + (
                REGENERATE
            )
    finally:
        connection.close()


def _comparable(record: ActivityRecord) -> dict[str, Any]:
    # The demo JSON writes dates as ISO text; the register gives dates.
    return {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name in ActivityRecord.editable_fields()
        if name not in _SET_ON_CREATE
        for value in [getattr(record, name)]
    }


def _after_upgrade(name: str, value: Any, kept_at: str) -> Any:
    """An organisation's value as the upgrade leaves it.  Before revision 0003 every register
    said "public authority" by default; the upgrade makes that unknown, for the DPO to say
    (a "no" was chosen by someone, and stays)."""
    if name == "is_public_authority" and value is True and kept_at < "0003":
        return None
    return value


_QUESTIONS_ONCE_FALSE_BY_DEFAULT = ("automated_decisions", "involves_children", "large_scale")


def _activity_after_upgrade(values: dict[str, Any], kept_at: str) -> dict[str, Any]:
    """An activity as the upgrade leaves it.  Before revision 0005 these questions were No by
    default, so a No the history does not show anyone setting becomes unknown (the demo's
    activities were created with their answers, and never edited)."""
    if kept_at >= "0005":
        return values
    return {
        name: None if name in _QUESTIONS_ONCE_FALSE_BY_DEFAULT and value is False else value
        for name, value in values.items()
    }


def _assert_holds_the_demo_content(
    register: Register, content: dict[str, Any], kept_at: str
) -> None:
    expected = {
        record.reference: _activity_after_upgrade(_comparable(record), kept_at)
        for record in demo_activities(content)
    }
    stored = {
        record.reference: _comparable(record)
        for record in register.activities.load(include_retired=True)
    }
    assert stored == expected

    organisation = register.organisation.get()
    for name, value in content["organisation"].items():
        assert getattr(organisation, name) == _after_upgrade(name, value, kept_at), name

    for kind_name, items in content.get("library", {}).items():
        by_name = {item.name: item for item in register.library.items(LibraryKind(kind_name))}
        for entry in items:
            item = by_name[entry["name"]]
            for key, value in entry.items():
                assert getattr(item, key) == value, (kind_name, entry["name"], key)

    assert len(register.history.changes(entity_type="activity")) >= len(expected)


def test_every_kept_register_opens_with_all_its_data(
    old_register: Path, kept_content: dict[str, Any]
) -> None:
    was = _revision(old_register)
    with Register.open(old_register, daily_backup=False) as register:
        assert not register.read_only
        _assert_holds_the_demo_content(register, kept_content, was)
        # And it can be worked on at once.
        register.activities.create(sample_activity(reference="NEW-1"))
        with register.engine.connect() as raw:
            assert raw.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert _revision(old_register) == head_revision()
    upgrade_backups = [info for info in list_backups(old_register) if info.reason == BEFORE_UPGRADE]
    assert len(upgrade_backups) == (0 if was == head_revision() else 1)


def test_an_upgrade_is_made_only_after_a_backup(
    old_register: Path, kept_content: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pretend a newer schema exists, and watch the order: backup first, then upgrade."""
    original = old_register.read_bytes()
    seen_at_upgrade: list[list[Path]] = []

    def upgrade(engine: Engine) -> None:
        seen_at_upgrade.append([info.path for info in list_backups(old_register)])
        # Then upgrade for real: today's models cannot read an older schema's tables.
        upgrade_to_head(engine)

    monkeypatch.setattr("ropa.storage.opener.head_revision", lambda: "9999_next_version")
    monkeypatch.setattr("ropa.storage.opener.upgrade_to_head", upgrade)
    kept_at = _revision(old_register)
    with Register.open(old_register, daily_backup=False) as register:
        _assert_holds_the_demo_content(register, kept_content, kept_at)

    [backups] = seen_at_upgrade
    [backup] = backups
    assert BEFORE_UPGRADE in backup.name
    assert _revision(backup) == kept_at
    monkeypatch.undo()
    with Register.open(backup, daily_backup=False) as copy:
        _assert_holds_the_demo_content(copy, kept_content, kept_at)
    assert original  # the fixture was read from a real file


def test_a_no_someone_set_survives_the_upgrade_and_a_default_no_becomes_unknown(
    tmp_path: Path,
) -> None:
    """Revision 0005: a No is kept only where the history shows someone setting it."""
    path = tmp_path / "register.ropa"
    shutil.copyfile(DATA / "register-schema-0004.ropa", path)
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT id, reference FROM activities WHERE involves_children = 0 ORDER BY id"
        ).fetchall()
        assert len(rows) == 2
        (edited_id, edited), (_, defaulted) = rows
        connection.execute(
            "INSERT INTO change_history (changed_at, changed_by, entity_type, entity_id, "
            "entity_label, action, field, old_value, new_value) VALUES "
            "('2026-11-01 10:00:00', 'dpo', 'activity', ?, '', 'update', "
            "'involves_children', 'yes', 'no')",
            (edited_id,),
        )
        answered_yes = connection.execute(
            "SELECT reference FROM activities WHERE involves_children = 1 LIMIT 1"
        ).fetchone()[0]
        connection.commit()
    finally:
        connection.close()
    with Register.open(path, daily_backup=False) as register:
        by_reference = {r.reference: r for r in register.activities.load(include_retired=True)}
    assert by_reference[edited].involves_children is False
    assert by_reference[defaulted].involves_children is None
    assert by_reference[answered_yes].involves_children is True
    # The history says why the No went.
    with Register.open(path, daily_backup=False) as register:
        record = by_reference[defaulted]
        assert record.id is not None
        lines = register.history.changes(entity_type="activity", entity_id=record.id)
    (line,) = [c for c in lines if c.field == "involves_children"]
    assert (line.old_value, line.new_value) == ("no", "")
    assert line.changed_by.startswith("ROPA desk upgrade")
