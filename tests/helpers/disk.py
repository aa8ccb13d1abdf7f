"""Fixtures for the safety tests, registered as a plugin by tests/conftest.py: a small real
disk to fill up, and an ICO workbook exported from the example register."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.cli import run_ropa

FULL_DISK_SIZE = "6m"


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    """An ICO controller workbook with the demo register's activities."""
    demo = tmp_path / "source" / "demo.ropa"
    assert run_ropa("demo", str(demo)).returncode == 0
    exported = tmp_path / "source" / "ropa.xlsx"
    result = run_ropa("export", str(exported), "--db", str(demo))
    assert result.returncode == 0, result.stderr
    return exported


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A real filesystem of its own (tmpfs), to be filled up by the test."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={FULL_DISK_SIZE}", "tmpfs", str(mount_point)],
        check=True,
    )
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


def fill_disk(folder: Path) -> None:
    """Write until the disk refuses: ENOSPC is what the next writer meets."""
    chunk = b"\0" * 65536
    with (folder / "filler").open("wb") as filler:
        try:
            while True:
                filler.write(chunk)
                filler.flush()
        except OSError:
            pass
    # Then byte by byte, so not even a page is left.
    with (folder / "filler-2").open("wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 512)
        except OSError:
            pass
