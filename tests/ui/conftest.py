"""GUI test fixtures: settings kept in tmp_path, never in the user's own; every prompt to
the user answered from the test's script (tests/helpers/prompts.py), none shown."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from db.storage_options import StorageOptions
from tests.helpers.prompts import ScriptedPrompts
from ui.settings import AppSettings


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    return AppSettings.in_file(tmp_path / "settings.ini")


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Anything that makes a default QSettings writes into tmp_path, not the user's profile."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(tmp_path / "qsettings"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real_dialogs: the test opens Qt's own modal boxes itself (tests of QtPrompts)"
    )


# Qt's modal boxes a window could open behind the prompt service's back; in the GUI tests
# each fails the test instead of waiting, unseen, for a click that never comes.
QT_MODAL_BOXES = {
    "QMessageBox": ("information", "warning", "critical", "question", "about", "exec"),
    "QFileDialog": (
        "getSaveFileName",
        "getOpenFileName",
        "getOpenFileNames",
        "getExistingDirectory",
    ),
    "QInputDialog": ("getText", "getItem", "getInt", "getDouble", "getMultiLineText"),
}


@pytest.fixture(autouse=True)
def prompts(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ScriptedPrompts]:
    """Every window made in a GUI test asks and tells through this script (unless the test
    hands a window other prompts): expect each prompt with `prompts.expect(...)`."""
    from PySide6 import QtWidgets

    import ui.prompts

    scripted = ScriptedPrompts()
    monkeypatch.setattr(ui.prompts, "make_prompts", lambda: scripted)
    if request.node.get_closest_marker("real_dialogs") is None:
        for class_name, methods in QT_MODAL_BOXES.items():
            for method in methods:
                name = f"{class_name}.{method}"
                monkeypatch.setattr(
                    getattr(QtWidgets, class_name),
                    method,
                    lambda *_args, _name=name, **_kwargs: scripted.refuse_qt_box(_name),
                )
    yield scripted
    if not request.node.stash.get(CALL_FAILED, False):  # a failed test says enough already
        scripted.check_finished()


CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Note whether the test itself failed, for the prompts fixture's final check."""
    report: pytest.TestReport = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture
def storage_options() -> StorageOptions:
    """The GUI tests' `register` and `demo_register` are opened as the app opens registers
    (ui.app.APP_STORAGE: SQLite in a helper process, saves confirmed), so that widgets are
    tested over the storage the user gets; tests/ui/test_app.py fails if the two differ."""
    from ui.app import APP_STORAGE

    return APP_STORAGE
