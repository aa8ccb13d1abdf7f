"""The register's services with SQLite in a helper process, as the app runs them.

tests/unit/test_lost_save.py shows why the app does this; here the same services are driven
over db/hosted.py and must behave as they do in-process: errors keep their meaning and their
words, backups and restores work, and a helper process that dies between saves is replaced
unnoticed (one that dies in the middle of a save: tests/unit/test_safety_helper.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db.hosted import HostedConnection, stop_every_host
from db.storage_options import StorageOptions
from ropa.backup import make_backup, restore_backup
from ropa.errors import ConflictError, ValidationError
from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.register_files import driver_of

SQLITE_APART = StorageOptions(sqlite_apart=True)


@pytest.fixture
def apart(register_path: Path) -> Iterator[Register]:
    try:
        with Register.open(register_path, options=SQLITE_APART) as opened:
            yield opened
    finally:
        stop_every_host()


def test_the_services_run_over_a_helper_process(apart: Register) -> None:
    assert isinstance(driver_of(apart), HostedConnection)
    created = apart.activities.create(sample_activity(reference="AP-1"))
    apart.activities.update(created.id or 0, {"name": "Renamed"}, expected_version=1)

    assert [s.name for s in apart.activity_list.summaries()] == ["Renamed"]
    assert apart.activities.get(created.id or 0).retention == created.retention
    with pytest.raises(ConflictError, match="changed by someone else"):
        apart.activities.update(created.id or 0, {"name": "Stale"}, expected_version=1)


def test_broken_text_is_refused_in_the_same_words(apart: Register) -> None:
    """The UnicodeEncodeError raised inside the helper comes back as itself, so the user
    reads the same sentence as on the command line."""
    with pytest.raises(ValidationError, match=r"broken character .U\+D800"):
        apart.activities.create(sample_activity(reference="AP-2", name="bad \ud800 text"))
    assert apart.activity_list.summaries() == []


def test_backup_and_restore_through_the_helper(apart: Register, register_path: Path) -> None:
    apart.activities.create(sample_activity(reference="KEEP-1"))
    backup = make_backup(register_path, "manual", options=apart.options)
    apart.activities.create(sample_activity(reference="LATER-1"))

    restore_backup(register_path, backup, options=apart.options)

    assert [s.reference for s in apart.activity_list.summaries()] == ["KEEP-1"]


def test_a_helper_that_dies_between_saves_is_replaced(apart: Register) -> None:
    """The pool checks each connection as it hands it out (pool_pre_ping): a helper that
    died meanwhile is replaced and the save goes through (a death in the middle of a save:
    tests/unit/test_safety_helper.py)."""
    apart.activities.create(sample_activity(reference="AP-3"))
    stop_every_host()  # what a crash or the out-of-memory killer does to them

    apart.activities.create(sample_activity(reference="AP-4"))

    assert [s.reference for s in apart.activity_list.summaries()] == ["AP-3", "AP-4"]
