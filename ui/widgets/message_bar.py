"""A bar across the top of a window that says what went wrong until the user closes it.

For failures the user did not ask about at that moment (a background read, a refresh): a
status-bar message vanishes after a few seconds and is easily missed; a dialog would
interrupt whatever the user is doing.  The bar stays, in words, with what to do.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStyle, QToolButton, QWidget


class MessageBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Message")
        icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size)
        )
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAccessibleName("Message text")
        self.close_button = QToolButton()
        self.close_button.setText("Close")
        self.close_button.setToolTip("Close this message")
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str) -> None:
        """Show `text`; a message already shown and not yet closed is kept above it."""
        shown = self.text.text() if self.isVisible() else ""
        if text and text not in shown.split("\n\n"):
            self.text.setText(f"{shown}\n\n{text}" if shown else text)
        self.show()
