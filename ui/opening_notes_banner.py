"""A strip across the window: what opening the register found that the user must be told,
as the command line prints it (ropa/cli.py): a side file from another register set aside
(`Register.side_file_note`), the daily backup that could not be made
(`Register.backup_problem`), or a team register's protections older than this version's
(`Register.team_note`). Each note says what happened and the safe next step; the user
closes the strip once read. A banner, like the read-only and shared-drive ones, not a prompt:
the register is open and usable, nothing waits on an answer."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton, QWidget

from ropa.register import Register
from ui.widgets.banner import Banner


def opening_notes(register: Register) -> list[str]:
    """What opening `register` found, in words with the next step ([] when nothing)."""
    notes = []
    if register.side_file_note:
        notes.append(
            f"{register.side_file_note} Nothing needs doing for this register. Keep the "
            "set-aside file until you are sure the register it came from has all its changes."
        )
    if register.backup_problem:
        notes.append(
            "Today\u2019s backup copy of this register could not be made. "
            f"{register.backup_problem} The register itself opened normally and saves as "
            "usual; ROPA desk tries the backup again the next time you open it."
        )
    if register.team_note:
        notes.append(register.team_note)
    return notes


class OpeningNotesBanner(Banner):
    def __init__(self, notes: list[str], parent: QWidget | None = None) -> None:
        super().__init__("\n\n".join(notes), "What opening the register found", parent)
        self.setObjectName("openingNotesBanner")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QToolButton()
        self.close_button.setText("Close")
        self.close_button.setToolTip("Close this message")
        # Closed once read: hidden, it takes no room; the window drops it with the register.
        self.close_button.clicked.connect(self.hide)
        self.row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
