"""A full disk in the app's way of saving (issue 19): the edit is refused in words that say
the disk is full and the register is not damaged (a RopaError, which the windows show as it
is, never "did not expect"), the file is as it was, and once there is room the same edit is
saved. A real full disk: a small tmpfs, mounted as root; a real read-only file: chattr +i,
which stops even root."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from db.storage_options import StorageOptions
from ropa.errors import StorageError
from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.disk import fill_disk


def _make_room(disk: Path) -> None:
    for filler in disk.glob("filler*"):
        filler.unlink()


def test_an_edit_on_a_full_disk_is_refused_in_words_and_saved_once_there_is_room(
    full_disk: Path,
    storage_way: StorageOptions,
) -> None:
    path = full_disk / "register.ropa"
    with Register.open(path, options=storage_way) as register:
        created = register.activities.create(sample_activity(description="Short."))
        assert created.id is not None
        fill_disk(full_disk)
        as_saved = path.read_bytes()
        longer = ("A description long enough to need new pages. " * 400).strip()

        with pytest.raises(StorageError) as refused:
            register.activities.update(created.id, {"description": longer}, expected_version=1)

        words = str(refused.value)
        assert words.startswith(f"The disk holding {path} is full")
        assert "Nothing was saved" in words
        assert "The register is not damaged: do not restore a backup over it." in words
        assert path.read_bytes() == as_saved
        _make_room(full_disk)
        saved = register.activities.update(created.id, {"description": longer}, expected_version=1)
        assert saved.version == 2
    with Register.open(path, options=storage_way) as reopened:
        assert reopened.activities.get(created.id).description == longer


def test_opening_on_a_full_disk_works_and_says_why_there_is_no_backup(
    full_disk: Path,
    storage_way: StorageOptions,
) -> None:
    path = full_disk / "register.ropa"
    Register.open(path, options=storage_way, daily_backup=False).close()
    fill_disk(full_disk)

    with Register.open(path, options=storage_way) as register:
        assert register.read_only is False
        assert "is full" in register.backup_problem
        assert "is damaged" not in register.backup_problem
        assert len(register.activity_list.summaries()) == 0


def _chattr(flag: str, path: Path) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


def test_a_register_made_read_only_while_open_is_called_read_only_not_damaged(
    register_path: Path, storage_way: StorageOptions
) -> None:
    with Register.open(register_path, options=storage_way) as register:
        created = register.activities.create(sample_activity())
        assert created.id is not None
        if not _chattr("+i", register_path):
            pytest.skip("chattr +i (which stops even root) is not available here")
        try:
            with pytest.raises(StorageError) as refused:
                register.activities.update(created.id, {"name": "Renamed"}, expected_version=1)
        finally:
            _chattr("-i", register_path)
        words = str(refused.value)
        assert words.startswith(f"{register_path} cannot be written now: the file or its folder")
        assert "has become read-only" in words
        assert "is damaged" not in words
        saved = register.activities.update(created.id, {"name": "Renamed"}, expected_version=1)
        assert saved.version == 2
