"""The colours of a view of a page: what ROPA desk shows as it will print or be published."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette


def paper_palette() -> QPalette:
    """Colours for a view of a page (a notice's preview): dark text on white, as printed,
    kept whatever the desktop's colours (a palette's roles set here are not replaced when
    the application's colours change)."""
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Base, "#ffffff"),
        (QPalette.ColorRole.Text, "#1b1b1b"),
        (QPalette.ColorRole.Link, "#1d4f91"),
        (QPalette.ColorRole.LinkVisited, "#4c2c92"),
    ):
        palette.setColor(role, QColor(colour))
    return palette
