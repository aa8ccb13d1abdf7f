"""A disk error AT COMMIT is not "nothing was saved" (issue 22): a commit that failed part-way
may or may not have reached the file. Without a way to look, the DPO is told to look before
making the change again; where saves leave a mark in the file (the app's way: SQLite in a
helper process, saves confirmed), the file is read and the words say what it holds.

The error is injected where SQLite's COMMIT runs (the dialect's do_commit of the register's
own engine), after or instead of the real COMMIT on a real register file; the file is then
opened again to show what it really holds."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from db.storage_options import StorageOptions
from ropa.errors import StorageError
from ropa.register import Register
from tests.helpers.activities import sample_activity


def _fail_at_commit(register: Register, monkeypatch: pytest.MonkeyPatch, *, commit: bool) -> None:
    """COMMIT raises SQLite's disk I/O error, after committing for real when `commit`."""
    dialect = register.engine.dialect
    real_commit = dialect.do_commit

    def failing(dbapi_connection: Any) -> None:
        if commit:
            real_commit(dbapi_connection)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(dialect, "do_commit", failing)


def _name_on_file(path: Path, activity_id: int) -> str:
    with Register.open(path, create=False, daily_backup=False) as reopened:
        return reopened.activities.get(activity_id).name


def test_an_error_at_commit_that_reached_the_file_is_never_called_nothing_saved(
    register_path: Path, storage_way: StorageOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Register.open(register_path, options=storage_way) as register:
        created = register.activities.create(sample_activity(name="Before"))
        assert created.id is not None
        _fail_at_commit(register, monkeypatch, commit=True)

        with pytest.raises(StorageError) as refused:
            register.activities.update(created.id, {"name": "After"}, expected_version=1)
        monkeypatch.undo()
        words = str(refused.value)

    assert _name_on_file(register_path, created.id) == "After"  # the save did reach the file
    assert "Nothing was saved" not in words
    if storage_way.sqlite_apart:
        # The save left its mark, and the file read again holds it.
        assert "Your last change was saved (the file, read again, holds it)" in words
    else:
        assert "may or may not have been saved" in words
        assert "look whether it holds the change before making it again" in words


def test_an_error_at_commit_that_did_not_reach_the_file(
    register_path: Path, storage_way: StorageOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Register.open(register_path, options=storage_way) as register:
        created = register.activities.create(sample_activity(name="Before"))
        assert created.id is not None
        _fail_at_commit(register, monkeypatch, commit=False)

        with pytest.raises(StorageError) as refused:
            register.activities.update(created.id, {"name": "After"}, expected_version=1)
        monkeypatch.undo()
        words = str(refused.value)

    assert _name_on_file(register_path, created.id) == "Before"
    if storage_way.sqlite_apart:
        # The file was read again and does not hold the save: that much is known.
        assert "Nothing was saved; the register holds everything saved before this" in words
    else:
        # Nothing could look: unknown stays unknown.
        assert "may or may not have been saved" in words
