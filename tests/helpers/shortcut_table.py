"""Every key sequence the main window and the activity editor bind, checked for clashes.

Run as a module (`python -m tests.helpers.shortcut_table REGISTER`) it opens both windows on the
platform Qt was started on and prints the clashes as JSON, so a test can ask the xcb platform
(under Xvfb) as well as the offscreen one the GUI tests use: the standard keys differ by
platform (Ctrl+D is a Delete key on X11 and nothing on Windows).
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QWidget

from ui.actions import STANDARD_KEY_PROPERTY
from ui.app import APP_STORAGE


def standard_key_table() -> dict[str, set[str]]:
    """Each key sequence (portable text) -> the platform's standard keys bound to it."""
    table: dict[str, set[str]] = defaultdict(set)
    for key in QKeySequence.StandardKey:
        for sequence in QKeySequence.keyBindings(key):
            table[sequence.toString()].add(key.name)
    return table


def bindings_of(window: QWidget) -> list[tuple[str, str, str | None]]:
    """(what, key sequence, the standard key it stands for) for every action and shortcut."""
    found: list[tuple[str, str, str | None]] = []
    for action in window.findChildren(QAction):
        stands_for = action.property(STANDARD_KEY_PROPERTY)
        name = action.text().replace("&", "") or action.objectName()
        for sequence in action.shortcuts():
            found.append((name, sequence.toString(), stands_for))
    for shortcut in window.findChildren(QShortcut):
        sequence = shortcut.key()
        # A QShortcut made from a standard key has no record of it: look it up by its keys.
        found.append((f"shortcut {sequence.toString()}", sequence.toString(), "?"))
    return [entry for entry in found if entry[1]]


def clashes(window: QWidget) -> list[str]:
    """Plain sentences, one per clash; empty when every key does one thing."""
    table = standard_key_table()
    problems: list[str] = []
    by_sequence: dict[str, list[str]] = defaultdict(list)
    for name, sequence, stands_for in bindings_of(window):
        by_sequence[sequence].append(name)
        standard = table.get(sequence, set())
        if stands_for == "?":
            continue  # a QShortcut made from a standard key: only duplicates matter
        others = standard - {stands_for} if stands_for else standard
        if others:
            problems.append(
                f"{name!r} on {sequence} is also the platform's standard key "
                f"{', '.join(sorted(others))}"
            )
    for sequence, names in by_sequence.items():
        if len(names) > 1:
            problems.append(f"{sequence} is bound to {len(names)} actions: {', '.join(names)}")
    return problems


def main(register_path: Path) -> int:
    from ropa.register import Register
    from ui.activity_editor import ActivityEditor
    from ui.main_window import MainWindow
    from ui.settings import AppSettings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with Register.open(register_path, create=False, options=APP_STORAGE) as register:
        settings = AppSettings.in_file(register_path.with_name("shortcut-settings.ini"))
        window = MainWindow(register, settings)
        for page in window.app_actions.pages:  # pages are built when first shown
            page.trigger()
        first = register.activity_list.summaries()[0].id
        editor = ActivityEditor(register, first)
        report = {
            "platform": QApplication.platformName(),
            "main window": clashes(window),
            "editor": clashes(editor),
            "bindings": sorted({entry[1] for entry in bindings_of(window)}),
        }
        editor.close()
        window.close()
        del app
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
