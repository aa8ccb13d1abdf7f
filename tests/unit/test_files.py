"""Atomic writes: a failed write leaves the old file exactly as it was."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from ropa.errors import FileWriteError
from ropa.files import write_atomically, write_text_atomically
from tests.helpers.unprivileged import without_root_powers


def test_writes_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_text_atomically(target, "first")
    write_text_atomically(target, "second")
    assert target.read_text(encoding="utf-8") == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_a_failing_writer_leaves_the_old_file_and_no_litter(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")

    def explode(path: Path) -> None:
        path.write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    with pytest.raises(FileWriteError, match="No space left"):
        write_atomically(target, explode)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_a_refused_write_is_not_blamed_on_another_program(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"

    def refused(path: Path) -> None:
        raise PermissionError(13, "Permission denied")

    with pytest.raises(FileWriteError) as caught:
        write_atomically(target, refused)
    assert "Permission denied" in str(caught.value)
    assert "another program" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileWriteError, match="does not exist"):
        write_text_atomically(tmp_path / "nope" / "out.txt", "x")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_read_only_folder_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with without_root_powers(), pytest.raises(FileWriteError, match="Choose another folder"):
            write_text_atomically(folder / "out.txt", "x")
    finally:
        folder.chmod(0o700)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_outputs_get_ordinary_permissions_or_keep_the_old_ones(tmp_path: Path) -> None:
    fresh = tmp_path / "notice.html"
    write_text_atomically(fresh, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask
    fresh.chmod(0o640)
    write_text_atomically(fresh, "y")
    assert fresh.stat().st_mode & 0o777 == 0o640
