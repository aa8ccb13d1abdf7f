"""A paused database helper does not freeze the window, and the user is told (issue 19).

The activity editor saves on the GUI thread; its register's SQLite runs in a helper process
(db/hosted.py), here really paused with SIGSTOP in the middle of the save. While the save
waits, a QTimer of the test keeps firing (the window repaints, its timers run), and after the
helper's deadline the editor says in words that the change was not saved.
"""

from __future__ import annotations

import os
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from db import hosted
from ropa.register import Register, call_while_waiting
from tests.helpers.activities import sample_activity
from tests.helpers.editors import open_editor
from tests.helpers.prompts import ScriptedPrompts
from ui.app import APP_STORAGE
from ui.busy_wait import keep_the_window_alive_while_waiting

pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(os.name == "nt", reason="SIGSTOP and /proc are POSIX"),
]


@pytest.fixture
def apart_register(register_path: Path) -> Iterator[Register]:
    assert APP_STORAGE.sqlite_apart, "the app's SQLite runs apart: these tests are about that"
    keep_the_window_alive_while_waiting()
    try:
        with Register.open(register_path, options=APP_STORAGE) as opened:
            yield opened
    finally:
        call_while_waiting(None)
        hosted.stop_every_host()


def test_a_paused_helper_leaves_the_window_alive_and_the_user_told(
    qtbot: QtBot,
    apart_register: Register,
    monkeypatch: pytest.MonkeyPatch,
    prompts: ScriptedPrompts,
) -> None:
    created = apart_register.activities.create(sample_activity(name="Before"))
    assert created.id is not None
    editor = open_editor(qtbot, apart_register, created.id)
    prompts.expect("warning", contains="Your last change was not saved")
    paused: list[int] = []
    real_write = hosted.write_frame

    def pause_on_update(stream: IO[bytes], value: Any) -> None:
        if not paused and value[0] == "execute" and "UPDATE activities" in value[1]:
            (process,) = [p for p in hosted._RUNNING if p.process.stdin is stream]
            os.kill(process.process.pid, signal.SIGSTOP)
            paused.append(process.process.pid)
        real_write(stream, value)

    monkeypatch.setattr(hosted, "write_frame", pause_on_update)
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()

    editor.binding("name").set("While paused")
    busy_cursor_seen: list[bool] = []
    QTimer.singleShot(
        1000, lambda: busy_cursor_seen.append(QGuiApplication.overrideCursor() is not None)
    )
    saved = editor.save_field("name")
    timer.stop()

    assert paused, "the helper was not paused"
    assert saved is False
    # About 3 s at 20 ms: the timer ran all through the wait.
    assert len(ticks) >= 50, len(ticks)
    assert busy_cursor_seen == [True]
    assert QGuiApplication.overrideCursor() is None
    (told,) = prompts.texts("warning")
    assert told.startswith("Your last change was not saved")
    assert "paused for 3 seconds" in told
    connection = sqlite3.connect(f"file:{apart_register.path}?mode=ro", uri=True)
    try:
        assert connection.execute("SELECT name FROM activities").fetchone()[0] == "Before"
    finally:
        connection.close()
