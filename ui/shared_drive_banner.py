"""A strip across the window: the register is on a network share, what that means, and where
a team keeps a register instead (ropa/shared_drive.py has the words)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from ropa.shared_drive import shared_drive_notice


class SharedDriveBanner(QFrame):
    def __init__(self, location: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sharedDriveBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # The tooltip colours, as the read-only banner: a notice that follows the theme.
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.message = QLabel(shared_drive_notice(location))
        # The location names a share or folder: plain text, never markup.
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.setAccessibleName("Register on a shared drive")
        self.setAccessibleDescription(self.message.text())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.message, 1)
