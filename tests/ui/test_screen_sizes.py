"""Every top-level window and dialog opens within a 1366x768 screen, with room for its title
bar, and can shrink to fit it; the main window's status bar and the editor's "All changes
saved" stay on the screen.  Measured on X11 under Xvfb, as on a council laptop."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize
from pytestqt.qtbot import QtBot

from ropa.register import Register
from tests.helpers.programs import require_programs
from ui.main_window import MainWindow
from ui.settings import AppSettings
from ui.widgets.screen_fit import (
    FRAME_ALLOWANCE,
    available_geometry,
    fitting_size,
    keep_on_screen,
)

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
LAPTOP = QRect(0, 0, 1366, 768)


def test_a_wanted_size_is_cut_to_the_screen_with_room_for_the_frame() -> None:
    assert fitting_size(QSize(1280, 800), LAPTOP) == QSize(1280, 768 - FRAME_ALLOWANCE.height())
    assert fitting_size(QSize(980, 640), LAPTOP) == QSize(980, 640)
    with_taskbar = QRect(0, 0, 1366, 728)
    assert fitting_size(QSize(1100, 760), with_taskbar).height() == 728 - 48


def test_a_window_restored_from_a_bigger_screen_is_brought_onto_this_one(
    qtbot: QtBot, demo_register: Register, settings: AppSettings
) -> None:
    window = MainWindow(demo_register, settings)
    qtbot.addWidget(window)
    window.resize(4000, 3000)
    window.move(5000, 4000)
    keep_on_screen(window)
    available = available_geometry(window)
    assert available.contains(window.frameGeometry())


@pytest.mark.slow
def test_every_window_fits_a_1366x768_screen(tmp_path: Path) -> None:
    require_programs("xvfb-run", install="xvfb, xauth")
    from ropa.demo import write_demo

    register = tmp_path / "laptop.ropa"
    with write_demo(register):
        pass
    run = subprocess.run(
        [
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1366x768x24",
            sys.executable,
            "-m",
            "tests.ui.screen_sizes",
            str(register),
        ],
        cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="xcb"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["platform"] == "xcb"
    names = {window["name"] for window in report["windows"]}
    assert {"main window", "editor, Retention and security", "organisation dialog"} <= names
    assert len(names) >= 20
    for window in report["windows"]:
        assert window["available"] == [0, 0, 1366, 768]
        assert window["fits"], window
        assert window["least_fits"], window
    assert report["visible"] and all(report["visible"].values()), report["visible"]
