"""Asking what to do when someone else saved first, the same way in every window."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ropa.errors import ConflictError
from ui.prompts import Prompts

KEPT_NOTE = (
    "\u26a0 Your text is kept here, not saved yet \u2014 press Enter to save it over theirs."
)
NOT_SAVED_NOTE = (
    "\u26a0 Not saved: someone else changed this since you opened it. Choose Reload when "
    "asked again to see their version; your text stays here."
)


def ask_reload(prompts: Prompts, parent: QWidget, error: ConflictError) -> bool:
    """Tell the user someone else saved; True when they choose Reload.

    Cancel (keep what I typed, reload nothing) is the default: a stray Enter never throws
    away the user's work. Reload shows their version of everything else and keeps the
    user's text in the field that could not be saved."""
    answer = prompts.question(
        parent,
        "Changed by someone else",
        str(error),
        ("Reload", "Cancel"),
        default="Cancel",
        informative=(
            "Reload shows their version of everything else and keeps what you typed, not "
            "saved yet, so that you can save it over theirs. Cancel keeps your text and "
            "reloads nothing."
        ),
        warning=True,
    )
    return answer == "Reload"
