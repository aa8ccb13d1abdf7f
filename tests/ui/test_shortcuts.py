"""No key sequence does two things, on the offscreen platform and on X11 (xcb under Xvfb),
whose standard keys differ: Duplicate was Ctrl+D, one of X11's Delete keys, and did nothing
("Ambiguous shortcut overload")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QAction, QKeySequence
from pytestqt.qtbot import QtBot

from ropa.register import Register
from tests.helpers.programs import require_programs
from tests.helpers.shortcut_table import clashes
from ui.activity_editor import ActivityEditor
from ui.main_window import MainWindow
from ui.settings import AppSettings

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def window(qtbot: QtBot, demo_register: Register, settings: AppSettings) -> MainWindow:
    main = MainWindow(demo_register, settings)
    qtbot.addWidget(main)
    main.show()
    for page in main.app_actions.pages:
        page.trigger()
    return main


def test_no_key_does_two_things_in_the_main_window_or_the_editor(
    qtbot: QtBot, window: MainWindow, demo_register: Register
) -> None:
    assert clashes(window) == []
    first = demo_register.activity_list.summaries()[0].id
    editor = ActivityEditor(demo_register, first)
    qtbot.addWidget(editor)
    assert clashes(editor) == []


def test_duplicate_and_delete_keys(window: MainWindow) -> None:
    duplicate: QAction = window.app_actions.duplicate
    delete: QAction = window.app_actions.delete
    assert duplicate.shortcuts() == [QKeySequence("Ctrl+Shift+D")]
    # Whatever the platform's Delete keys are, Ctrl+D never deletes activities.
    assert QKeySequence("Ctrl+D") not in delete.shortcuts()


def test_a_clash_with_a_standard_key_is_found(window: MainWindow) -> None:
    """The check itself: Ctrl+F on a second action is reported (Find has it everywhere)."""
    window.app_actions.duplicate.setShortcuts([QKeySequence("Ctrl+F")])
    found = clashes(window)
    assert any("standard key Find" in problem for problem in found), found
    assert any("Ctrl+F is bound to 2 actions" in problem for problem in found), found


@pytest.mark.slow
def test_no_key_does_two_things_under_x11(tmp_path: Path) -> None:
    require_programs("xvfb-run", install="xvfb, xauth")
    from ropa.demo import write_demo

    copy = tmp_path / "x11.ropa"
    with write_demo(copy):
        pass
    environment = dict(os.environ, QT_QPA_PLATFORM="xcb")
    run = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-m", "tests.helpers.shortcut_table", str(copy)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["platform"] == "xcb"
    assert "Ctrl+Shift+D" in report["bindings"]
    assert report["main window"] == []
    assert report["editor"] == []
