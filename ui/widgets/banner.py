"""A strip across a window that tells the user something about the open register (read-only,
on a shared drive, the server unreachable, what opening it found), with room for a button.

In the tooltip colours, so that it follows the user's theme (light, dark or high contrast)
instead of a fixed yellow. Its words may name a file, folder or share: plain text, never
markup."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget


class Banner(QFrame):
    def __init__(self, text: str, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.message = QLabel(text)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.setAccessibleName(accessible_name)
        self.setAccessibleDescription(text)
        # The message, then any buttons a kind of banner adds.
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(10, 6, 10, 6)
        self.row.addWidget(self.message, 1)


__all__ = ["Banner"]
