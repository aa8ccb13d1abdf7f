"""Every question and message the app puts to the user goes through one `Prompts` service.

The app makes one `QtPrompts` at start (ui/app.py) and hands it to the main window, which
hands it to the views and dialogs it makes. Windows never call QMessageBox, QFileDialog or
QInputDialog themselves, so a test can answer every prompt from a script (tests/ui/conftest.py)
and fail on one it did not expect, instead of patching private methods or Qt globally, and
instead of an unexpected modal box waiting for a click that never comes.

A question names its choices ("Delete", "Cancel") and returns the one chosen; `default` is
what Enter, Escape and closing the box choose, so it is always the choice that loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

PromptKind = Literal[
    "information", "warning", "error", "about", "question", "save path", "open path", "text"
]


class Prompts(Protocol):
    """What a window may ask or tell the user. `parent` is the window the box belongs to."""

    def information(self, parent: QWidget | None, title: str, text: str) -> None:
        """Tell the user something worth knowing; nothing went wrong."""

    def warning(self, parent: QWidget | None, title: str, text: str) -> None:
        """Tell the user that what they asked for was not done, and why."""

    def error(self, parent: QWidget | None, title: str, text: str, *, details: str = "") -> None:
        """Tell the user something failed badly; `details` (a traceback) folded away."""

    def about(self, parent: QWidget | None, title: str, text: str) -> None:
        """The About box (`text` is rich text)."""

    def question(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        choices: Sequence[str],
        *,
        default: str,
        informative: str = "",
        destructive: str | None = None,
        warning: bool = False,
    ) -> str:
        """Ask the user to pick one of `choices`; returns the one picked.

        `default` (one of `choices`) is what Enter, Escape and closing the box pick.
        `destructive` names the choice that throws something away, placed as such.
        `warning` shows the warning icon rather than the question mark."""
        ...

    def save_path(
        self, parent: QWidget | None, title: str, start: Path, filters: str
    ) -> tuple[Path, str] | None:
        """Where to save (starting at `start`, a folder or a suggested file) and the filter
        chosen from `filters` (";;"-separated); None if the user cancelled."""
        ...

    def open_path(
        self, parent: QWidget | None, title: str, start: Path, filters: str
    ) -> Path | None:
        """Which file to open (starting in folder `start`); None if the user cancelled."""
        ...

    def text(
        self,
        parent: QWidget | None,
        title: str,
        label: str,
        *,
        text: str = "",
        secret: bool = False,
    ) -> str | None:
        """A line the user types (shown as dots when `secret`); None if they cancelled."""
        ...


class QtPrompts:
    """The prompts as Qt's standard boxes and file dialogs, modal to `parent`."""

    def information(self, parent: QWidget | None, title: str, text: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.information(parent, title, text)

    def warning(self, parent: QWidget | None, title: str, text: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(parent, title, text)

    def error(self, parent: QWidget | None, title: str, text: str, *, details: str = "") -> None:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Critical, title, text, parent=parent)
        if details:
            box.setDetailedText(details)
        box.exec()

    def about(self, parent: QWidget | None, title: str, text: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(parent, title, text)

    def question(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        choices: Sequence[str],
        *,
        default: str,
        informative: str = "",
        destructive: str | None = None,
        warning: bool = False,
    ) -> str:
        from PySide6.QtWidgets import QMessageBox, QPushButton

        check_choices(choices, default, destructive)
        icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Question
        box = QMessageBox(icon, title, text, parent=parent)
        if informative:
            box.setInformativeText(informative)
        # Qt's own buttons where the name is one of them: placed and worded as the desktop
        # places and words them (GNOME's Discard reads "Close without Saving").
        standard = {
            "Yes": QMessageBox.StandardButton.Yes,
            "No": QMessageBox.StandardButton.No,
            "OK": QMessageBox.StandardButton.Ok,
            "Cancel": QMessageBox.StandardButton.Cancel,
            "Discard": QMessageBox.StandardButton.Discard,
        }
        buttons: dict[str, QPushButton] = {}
        for choice in choices:
            if choice in standard:
                buttons[choice] = box.addButton(standard[choice])
            elif choice == destructive:
                buttons[choice] = box.addButton(choice, QMessageBox.ButtonRole.DestructiveRole)
            elif choice == default:
                buttons[choice] = box.addButton(choice, QMessageBox.ButtonRole.RejectRole)
            else:
                buttons[choice] = box.addButton(choice, QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(buttons[default])
        box.setEscapeButton(buttons[default])
        box.exec()
        clicked = box.clickedButton()
        return next((name for name, button in buttons.items() if button is clicked), default)

    def save_path(
        self, parent: QWidget | None, title: str, start: Path, filters: str
    ) -> tuple[Path, str] | None:
        from PySide6.QtWidgets import QFileDialog

        name, chosen = QFileDialog.getSaveFileName(parent, title, str(start), filters)
        return (Path(name), chosen) if name else None

    def open_path(
        self, parent: QWidget | None, title: str, start: Path, filters: str
    ) -> Path | None:
        from PySide6.QtWidgets import QFileDialog

        name, _chosen = QFileDialog.getOpenFileName(parent, title, str(start), filters)
        return Path(name) if name else None

    def text(
        self,
        parent: QWidget | None,
        title: str,
        label: str,
        *,
        text: str = "",
        secret: bool = False,
    ) -> str | None:
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        echo = QLineEdit.EchoMode.Password if secret else QLineEdit.EchoMode.Normal
        typed, accepted = QInputDialog.getText(parent, title, label, echo, text)
        return typed if accepted else None


def check_choices(choices: Sequence[str], default: str, destructive: str | None) -> None:
    """A question whose default or destructive choice is not offered is a programming error."""
    if default not in choices or (destructive is not None and destructive not in choices):
        raise ValueError(f"{default!r} / {destructive!r} must be among the choices {choices!r}")


def make_prompts() -> Prompts:
    """The prompts a window uses when it was given none (the tests make this a script)."""
    return QtPrompts()


def prompts_or_default(prompts: Prompts | None) -> Prompts:
    """`prompts`, or the default made by `make_prompts` (looked up when called, not imported,
    so that the test fixture's replacement reaches every window)."""
    return prompts if prompts is not None else make_prompts()


__all__ = [
    "PromptKind",
    "Prompts",
    "QtPrompts",
    "check_choices",
    "make_prompts",
    "prompts_or_default",
]
