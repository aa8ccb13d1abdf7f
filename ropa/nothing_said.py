"""Text that says there is nothing: "N/A", "None", "-" and the like.

A DPO writes these in a register to say a question was considered and has no answer; the
import keeps them as written (they are statements, not blanks), and a notice never prints
them as if they were content. Used by ropa.spreadsheets and ropa.notices alike, so it
belongs to neither.
"""

from __future__ import annotations

_NOTHING_MARKERS = {"", "n/a", "na", "n.a.", "-", "–", "—", "none", "nil", "not applicable"}


def says_nothing(text: str | None) -> bool:
    """True for no text, blank text, or a marker of nothing ("N/A", "None", "-")."""
    return text is None or text.strip().casefold() in _NOTHING_MARKERS
