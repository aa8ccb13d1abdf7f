"""Starting and quitting the app: the register open at quit is the one closed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from main import program_notice_writers
from ropa.register import Register
from ui.app import APP_STORAGE, run_app
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_quitting_closes_the_register_open_at_quit(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first.ropa", tmp_path / "second.ropa"
    for path in (first, second):
        Register.open(path, create=True).close()
    closed: list[Path] = []
    real_close = Register.close
    notice_writers = program_notice_writers()

    def close(register: Register) -> None:
        closed.append(register.path)
        real_close(register)

    def run_then_switch(_app: QApplication) -> int:
        # Windows other tests left behind may not be deleted yet: take the one on `first`.
        (window,) = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, MainWindow) and w.register.path == first
        ]
        # The notice writers main.py built are the ones the window's pages are given.
        assert window.notice_writers is notice_writers
        assert window.register.options == APP_STORAGE  # the app opened it its way
        assert window.switch_to(second, create=False)
        # A window opens the next register as it holds the last: never in another mode.
        assert window.register.path == second
        assert window.register.options == APP_STORAGE
        window.close()
        return 0

    monkeypatch.setattr(Register, "close", close)
    monkeypatch.setattr(QApplication, "exec", run_then_switch)
    assert run_app(first, notice_writers) == 0
    assert [path.name for path in closed] == ["first.ropa", "second.ropa"]


def test_the_gui_tests_open_registers_as_the_app_does(register: Register) -> None:
    """The widgets under test sit on the storage the shipped app uses: a GUI test's register
    is opened with the app's options (ui.app.APP_STORAGE), so with the app's SQLite in a
    helper process it is hosted there too, and its saves are confirmed as the app's are.
    Fails if the app's mode and the tests' ever differ."""
    from db.hosted import HostedConnection

    assert register.options == APP_STORAGE
    with register.engine.connect() as connection:
        driver_connection = connection.connection.driver_connection
    assert isinstance(driver_connection, HostedConnection) is APP_STORAGE.sqlite_apart
    assert register.confirm_saves is APP_STORAGE.saves_confirmed
