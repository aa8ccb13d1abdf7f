"""A register on a shared drive is opened with a rollback journal, never WAL.

The detection is faked two ways: the platform probes are fed a made-up mount table and
made-up Windows paths, and the whole chain (Register.open, the engine, the helper process)
runs on a real file in tmp_path whose mount the fake table calls cifs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest

from db import network_drive
from db.hosted import stop_every_host
from db.network_drive import (
    DRIVE_REMOTE,
    linux_network_location,
    macos_network_location,
    windows_network_location,
)
from db.storage_options import StorageOptions
from ropa.cli import main
from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.register_files import first_value

DRIVE_FIXED = 3

MOUNTINFO = """\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
40 27 0:40 / /mnt/team\\040drive rw,relatime - cifs //files.council.local/dpo rw,vers=3.1.1
41 40 8:2 / /mnt/team\\040drive/local rw,relatime - ext4 /dev/sdb1 rw
42 27 0:42 / /srv/home rw,relatime - nfs4 nas:/export/home rw
43 27 0:43 / /media/laptop rw - fuse.sshfs laptop:/home rw
"""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/mnt/team drive/register.ropa", "a cifs network share mounted at /mnt/team drive"),
        ("/mnt/team drive/local/register.ropa", ""),
        ("/srv/home/dpo/register.ropa", "a nfs4 network share mounted at /srv/home"),
        ("/media/laptop/register.ropa", "a fuse.sshfs network share mounted at /media/laptop"),
        ("/mnt/team drivex/register.ropa", ""),
        ("/home/dpo/register.ropa", ""),
    ],
)
def test_the_deepest_mount_decides_on_linux(path: str, expected: str) -> None:
    assert linux_network_location(PurePosixPath(path), MOUNTINFO) == expected


def _drive_types(remote: set[str]) -> object:
    return lambda root: DRIVE_REMOTE if root.rstrip("\\").upper() in remote else DRIVE_FIXED


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (r"\\files\dpo\register.ropa", r"the network share \\files\dpo"),
        (r"\\?\UNC\files\dpo\register.ropa", r"the network share \\files\dpo"),
        (r"Z:\Registers\register.ropa", "the network drive Z:"),
        (r"\\?\Z:\register.ropa", "the network drive Z:"),
        (r"C:\Users\dpo\register.ropa", ""),
        (r"\\?\C:\Users\dpo\register.ropa", ""),
    ],
)
def test_unc_paths_and_mapped_drives_on_windows(path: str, expected: str) -> None:
    detected = windows_network_location(PureWindowsPath(path), _drive_types({"Z:"}))  # type: ignore[arg-type]
    assert detected == expected


def test_macos_trusts_the_filesystem_kind_and_the_local_flag() -> None:
    assert macos_network_location("smbfs", "/Volumes/dpo", False) != ""
    assert macos_network_location("afpfs", "/Volumes/old", True) != ""
    assert macos_network_location("apfs", "/", True) == ""


def test_this_machines_tmp_folder_is_local(tmp_path: Path) -> None:
    assert network_drive.network_location(tmp_path / "register.ropa") == ""


@pytest.fixture
def on_a_share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path, as the mount table says: a cifs share."""
    table = (
        "27 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
        f"40 27 0:40 / {tmp_path.resolve()} rw - cifs //f/s rw\n"
    )
    monkeypatch.setattr(network_drive, "MOUNTINFO", tmp_path.parent / "fake-mountinfo")
    monkeypatch.setattr(network_drive.sys, "platform", "linux")
    (tmp_path.parent / "fake-mountinfo").write_text(table)
    return tmp_path / "register.ropa"


def _journal_mode(path: Path) -> str:
    return first_value(path, "PRAGMA journal_mode")


def _use(register: Register) -> None:
    created = register.activities.create(sample_activity(reference="NET-1"))
    register.activities.update(created.id or 0, {"name": "Renamed"})
    assert [s.name for s in register.activity_list.summaries()] == ["Renamed"]


def test_a_register_on_a_share_uses_a_rollback_journal(on_a_share: Path) -> None:
    with Register.open(on_a_share) as register:
        assert register.network_location.startswith("a cifs network share mounted at")
        _use(register)
        assert not on_a_share.with_name("register.ropa-wal").exists()
        assert _journal_mode(on_a_share) == "delete"
    assert not on_a_share.with_name("register.ropa-wal").exists()


def test_a_wal_register_moved_onto_a_share_leaves_wal(tmp_path: Path, on_a_share: Path) -> None:
    local = tmp_path.parent / "local.ropa"
    Register.open(local).close()
    # As an older version of ROPA desk left a local register.
    sqlite3.connect(local).execute("PRAGMA journal_mode = WAL").connection.close()
    assert _journal_mode(local) == "wal"
    local.replace(on_a_share)
    with Register.open(on_a_share) as register:
        assert _journal_mode(on_a_share) == "delete"
        _use(register)
        assert not on_a_share.with_name("register.ropa-wal").exists()


@pytest.fixture
def apart() -> Iterator[StorageOptions]:
    try:
        yield StorageOptions(sqlite_apart=True)
    finally:
        stop_every_host()


def test_the_helper_process_uses_the_rollback_journal_too(
    on_a_share: Path, apart: StorageOptions
) -> None:
    with Register.open(on_a_share, options=apart) as register:
        _use(register)
        assert not on_a_share.with_name("register.ropa-wal").exists()
        assert _journal_mode(on_a_share) == "delete"


def test_a_local_register_uses_a_rollback_journal_too(register_path: Path) -> None:
    """Issue 19: the .ropa file alone must hold every save, on a share or not."""
    with Register.open(register_path) as register:
        assert register.network_location == ""
        _use(register)
        assert _journal_mode(register_path) == "delete"
        assert not register_path.with_name("register.ropa-wal").exists()


def test_the_command_line_says_so_once(
    on_a_share: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Register.open(on_a_share).close()
    assert main(["check", "--db", str(on_a_share)]) in (0, 1)
    err = capsys.readouterr().err
    assert err.count("network share") == 1
    assert "team register" in err
