"""Saving a multi-line box when focus leaves it, the same way in every window.

QPlainTextEdit has no editingFinished signal, so the app saves long text when the user
moves on; this is the one event filter that notices.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class _FocusOutFilter(QObject):
    def __init__(self, widget: QWidget, on_focus_out: Callable[[], object]) -> None:
        super().__init__(widget)  # a child of the widget: it lives exactly as long
        self._on_focus_out = on_focus_out
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self._on_focus_out()
        return False  # the widget still gets the event


def on_focus_out(widget: QWidget, call: Callable[[], object]) -> None:
    """Call `call` whenever `widget` loses keyboard focus."""
    _FocusOutFilter(widget, call)
