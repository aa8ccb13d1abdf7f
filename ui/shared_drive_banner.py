"""A strip across the window: the register is on a network share, what that means, and where
a team keeps a register instead (ropa/shared_drive.py has the words)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ropa.shared_drive import shared_drive_notice
from ui.widgets.banner import Banner


class SharedDriveBanner(Banner):
    def __init__(self, location: str, parent: QWidget | None = None) -> None:
        super().__init__(shared_drive_notice(location), "Register on a shared drive", parent)
        self.setObjectName("sharedDriveBanner")
