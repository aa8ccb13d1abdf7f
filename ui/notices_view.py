"""The Notices view: the register's privacy notices, their editor and a live preview."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ropa.register import Register


class NoticesView(QWidget):
    """Lists the register's privacy notices and edits, previews, prints and publishes them."""

    def __init__(self, register: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Privacy notices"))
