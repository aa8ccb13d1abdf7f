"""The helper process that runs the register's SQLite (db/hosted.py) has a deadline, and a
save whose COMMIT happened is known as saved (issue 19). Real helper processes, really paused
(SIGSTOP) or killed (SIGKILL), on a real register file."""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from db import hosted
from db.storage_options import StorageOptions
from ropa.errors import SaveInterruptedError
from ropa.register import Register
from tests.helpers.activities import sample_activity

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGSTOP and /proc are POSIX")


@pytest.fixture
def apart(register_path: Path) -> Iterator[Register]:
    try:
        with Register.open(register_path, options=StorageOptions(sqlite_apart=True)) as opened:
            yield opened
    finally:
        for process in list(hosted._RUNNING):
            os.kill(process.process.pid, signal.SIGCONT)
        hosted.stop_every_host()


def pause_every_helper() -> list[int]:
    """What a hung network drive does to them: stopped, not dead."""
    paused = [process.process.pid for process in hosted._RUNNING]
    for pid in paused:
        os.kill(pid, signal.SIGSTOP)
    return paused


def _stored_names(path: Path) -> list[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [row[0] for row in connection.execute("SELECT name FROM activities ORDER BY id")]
    finally:
        connection.close()


def _pause_during(monkeypatch: pytest.MonkeyPatch, statement: str) -> list[int]:
    """Pause the helper (SIGSTOP) as it is sent the first statement holding `statement`."""
    paused: list[int] = []
    real_write = hosted.write_frame

    def write(stream: IO[bytes], value: Any) -> None:
        if not paused and value[0] == "execute" and statement in value[1]:
            (process,) = [p for p in hosted._RUNNING if p.process.stdin is stream]
            os.kill(process.process.pid, signal.SIGSTOP)
            paused.append(process.process.pid)
        real_write(stream, value)

    monkeypatch.setattr(hosted, "write_frame", write)
    return paused


def test_a_helper_paused_during_a_save_is_reported_and_replaced(
    apart: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = apart.activities.create(sample_activity(reference="PA-1", name="Before"))
    assert created.id is not None
    paused = _pause_during(monkeypatch, "UPDATE activities")

    started = time.monotonic()
    with pytest.raises(SaveInterruptedError) as refused:
        apart.activities.update(created.id, {"name": "While paused"}, expected_version=1)
    waited = time.monotonic() - started

    assert paused
    assert hosted.STOPPED_LIMIT <= waited < hosted.STOPPED_LIMIT + 5
    assert str(refused.value).startswith("Your last change was not saved: The register's")
    assert "paused for 3 seconds and has been ended" in str(refused.value)
    assert not Path(f"/proc/{paused[0]}").exists(), "the paused helper was left"
    saved = apart.activities.update(created.id, {"name": "After"}, expected_version=1)
    assert saved.version == 2
    assert _stored_names(apart.path) == ["After"]


def test_helpers_paused_between_saves_are_replaced_and_the_save_goes_through(
    apart: Register,
) -> None:
    created = apart.activities.create(sample_activity(reference="PB-1", name="Before"))
    assert created.id is not None
    paused = pause_every_helper()
    time.sleep(0.1)  # SIGSTOP has taken effect

    started = time.monotonic()
    saved = apart.activities.update(created.id, {"name": "After"}, expected_version=1)

    assert time.monotonic() - started < hosted.STOPPED_LIMIT * 2 + 3
    assert saved.version == 2
    assert _stored_names(apart.path) == ["After"]
    assert all(not Path(f"/proc/{pid}").exists() for pid in paused), "paused helpers left"


def kill_the_helper_at_commit(
    monkeypatch: pytest.MonkeyPatch, then: Callable[[], object] = lambda: None
) -> list[int]:
    """Kill the helper process once it has committed, its answer in the pipe, so that the
    answer dies with it (then `then`); the pids killed fill the returned list."""
    last_request: list[str] = []
    killed: list[int] = []
    real_write, real_read = hosted.write_frame, hosted.read_frame

    def write(stream: IO[bytes], value: Any) -> None:
        last_request[:] = [value[0]]
        real_write(stream, value)

    def read(stream: IO[bytes]) -> Any:
        if last_request == ["commit"] and not killed:
            select.select([stream], [], [], 30)
            (process,) = [p for p in hosted._RUNNING if p.process.stdout is stream]
            process.process.kill()
            process.process.wait()
            killed.append(process.process.pid)
            then()
            raise EOFError
        return real_read(stream)

    monkeypatch.setattr(hosted, "write_frame", write)
    monkeypatch.setattr(hosted, "read_frame", read)
    return killed


def test_a_helper_killed_just_after_commit_is_known_to_have_saved(
    apart: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = apart.activities.create(sample_activity(reference="KC-1", name="Before"))
    assert created.id is not None
    killed = kill_the_helper_at_commit(monkeypatch)

    saved = apart.activities.update(created.id, {"name": "Committed"}, expected_version=1)
    assert killed, "the helper was not killed after its commit"
    assert saved.version == 2
    assert _stored_names(apart.path) == ["Committed"]
    # The window goes on with the version it was told: no "changed by someone else".
    again = apart.activities.update(created.id, {"name": "Then this"}, expected_version=2)
    assert again.version == 3
    assert _stored_names(apart.path) == ["Then this"]


def test_a_helper_that_died_between_saves_is_replaced_unnoticed(apart: Register) -> None:
    created = apart.activities.create(sample_activity(reference="KB-1", name="Before"))
    assert created.id is not None
    hosted.stop_every_host()  # what a crash or the out-of-memory killer does to them

    saved = apart.activities.update(created.id, {"name": "After"}, expected_version=1)
    assert saved.version == 2
    assert _stored_names(apart.path) == ["After"]


def test_a_helper_killed_at_commit_with_the_file_unreadable_says_it_is_not_known(
    apart: Register, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The helper dies with its answer to COMMIT, and the register has gone from its place
    # (a share disconnected) before ROPA desk can look: whether it saved is unknown.
    created = apart.activities.create(sample_activity(reference="KU-1", name="Before"))
    assert created.id is not None
    elsewhere = tmp_path / "moved away.ropa"
    killed = kill_the_helper_at_commit(monkeypatch, then=lambda: apart.path.rename(elsewhere))

    try:
        with pytest.raises(SaveInterruptedError) as interrupted:
            apart.activities.update(created.id, {"name": "Unknown"}, expected_version=1)
    finally:
        monkeypatch.undo()
        if elsewhere.exists():
            elsewhere.rename(apart.path)
    assert killed, "the helper was not killed at its commit"
    words = str(interrupted.value)
    assert words.startswith("Your last change may not have been saved")
    assert "was not saved" not in words
    # It had in fact committed: "not saved" would have been untrue.
    assert _stored_names(apart.path) == ["Unknown"]
