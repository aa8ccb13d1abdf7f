"""The command line never makes, replaces or damages a register by accident, and says what
went wrong in words, never with a traceback (issue 19): real processes on real files, and a
real full disk (a small tmpfs, mounted as root, as CI runs)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from ropa.register import Register
from tests.helpers.cli import run_ropa
from tests.helpers.disk import fill_disk

READING = [
    ["check"],
    ["export", "OUT/out.xlsx"],
    ["notice", "OUT/notice.md"],
]


def _command(words: list[str], out: Path) -> list[str]:
    return [word.replace("OUT", str(out)) for word in words]


def _side_files(path: Path) -> list[str]:
    return [p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "-")]


@pytest.mark.parametrize("words", READING, ids=lambda words: words[0])
def test_a_reading_command_refuses_an_empty_file_and_leaves_it(
    tmp_path: Path, words: list[str]
) -> None:
    empty = tmp_path / "register.ropa"
    empty.touch()  # a copy that failed

    result = run_ropa(*_command(words, tmp_path), "--db", str(empty))

    assert result.returncode == 1
    assert "is empty (0 bytes), so it is not a register" in result.stderr
    assert "Traceback" not in result.stderr
    assert empty.stat().st_size == 0
    assert _side_files(empty) == []
    assert not (tmp_path / "register backups").exists()


@pytest.mark.parametrize("words", [*READING, ["import", "IN.xlsx"]], ids=lambda w: w[0])
def test_a_link_to_a_register_that_is_not_there_is_refused_not_replaced(
    tmp_path: Path, words: list[str]
) -> None:
    share = tmp_path / "share-not-mounted" / "register.ropa"
    link = tmp_path / "register.ropa"
    link.symlink_to(share)
    command = [word.replace("IN", str(tmp_path / "in")) for word in _command(words, tmp_path)]

    result = run_ropa(*command, "--db", str(link), *(["--new"] if words[0] == "import" else []))

    assert result.returncode == 1
    assert f"is a link to {share}, which is not there" in result.stderr
    assert link.is_symlink() and link.readlink() == share
    assert not share.parent.exists()


def test_import_into_a_folder_that_does_not_exist_is_refused(
    tmp_path: Path, workbook: Path
) -> None:
    typo = tmp_path / "Dcouments" / "register.ropa"

    result = run_ropa("import", str(workbook), "--db", str(typo))

    assert result.returncode == 1
    assert f"There is no register at {typo}: the folder {typo.parent} does not exist" in (
        result.stderr
    )
    assert "--new" in result.stderr
    assert not typo.parent.exists()


def test_import_into_a_missing_file_is_refused_unless_asked_for_a_new_register(
    tmp_path: Path, workbook: Path
) -> None:
    typo = tmp_path / "regsiter.ropa"

    refused = run_ropa("import", str(workbook), "--db", str(typo))
    assert refused.returncode == 1
    assert f"There is no register at {typo}. Nothing was done." in refused.stderr
    assert not typo.exists()

    made = run_ropa("import", str(workbook), "--db", str(typo), "--new")
    assert made.returncode == 0, made.stderr
    with Register.open(typo) as register:
        assert len(register.activity_list.summaries()) >= 12


# --- a full disk ---------------------------------------------------------------------------


def test_a_full_disk_is_called_full_not_damaged(full_disk: Path, workbook: Path) -> None:
    register = full_disk / "register.ropa"
    Register.open(register).close()  # a new register, backed up while there was room
    as_saved = register.read_bytes()
    fill_disk(full_disk)

    checked = run_ropa("check", "--db", str(register))
    imported = run_ropa("import", str(workbook), "--db", str(register))
    demo = run_ropa("demo", str(full_disk / "example.ropa"))

    assert checked.returncode in {0, 1}
    assert "is damaged" not in checked.stderr
    assert "Restore it from a backup" not in checked.stderr
    assert "Traceback" not in checked.stderr
    for result in (imported, demo):
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert "is full" in result.stderr, result.stderr
        assert "damaged: do not restore a backup" in result.stderr
        assert len(result.stderr.splitlines()) <= 3, result.stderr
    assert register.read_bytes() == as_saved
    assert _side_files(register) == []
    assert not (full_disk / "example.ropa").exists()


@pytest.mark.parametrize("words", READING, ids=lambda words: words[0])
def test_a_reading_command_writes_nothing_to_the_register_or_beside_it(
    tmp_path: Path, words: list[str]
) -> None:
    """Not a byte (not even the number this version gives a register made by an older one),
    not a backup, not a journal."""
    path = tmp_path / "register.ropa"
    assert run_ropa("demo", str(path)).returncode == 0
    legacy = sqlite3.connect(path)
    legacy.execute("PRAGMA application_id = 0")
    legacy.close()
    shutil.rmtree(tmp_path / "register backups", ignore_errors=True)
    as_it_was, modified = path.read_bytes(), path.stat().st_mtime_ns
    (tmp_path / "out").mkdir()

    result = run_ropa(*_command(words, tmp_path / "out"), "--db", str(path))

    assert result.returncode in {0, 1}, result.stderr
    assert path.read_bytes() == as_it_was
    assert path.stat().st_mtime_ns == modified
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "register.ropa"]
