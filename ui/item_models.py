"""Small pieces that the app's item models share."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt


def horizontal_heading(
    headings: Sequence[str], section: int, orientation: Qt.Orientation, role: int
) -> str | None:
    """headerData for a model whose columns have fixed headings and whose rows have none."""
    if (
        role == Qt.ItemDataRole.DisplayRole
        and orientation == Qt.Orientation.Horizontal
        and 0 <= section < len(headings)
    ):
        return headings[section]
    return None
