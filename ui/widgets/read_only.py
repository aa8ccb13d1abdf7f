"""A text field that is read-only looks it.

Qt draws a read-only line or text box exactly like one you can type in, so a person who may
only read (a viewer of a team register) clicks, types and sees nothing happen. Greying it
out (disabling it) would make the text faint and impossible to select and copy. Instead a
read-only field takes the window's background in place of the white of a field to type in:
the text stays as readable and selectable as before.

The shade follows the desktop's colours while the app runs: switched to dark colours, a
read-only field takes the new window colour (its text turns light with everything else), and
a field that may be typed in again keeps no colour of its own at all.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QTextEdit

Field = QLineEdit | QPlainTextEdit | QTextEdit


def set_read_only(field: Field, read_only: bool) -> None:
    """Make `field` read-only (or editable again) and look so."""
    field.setReadOnly(read_only)
    _ShadeKeeper.of(field)
    _shade(field)


def _shade(field: Field) -> None:
    if not field.isReadOnly():
        # No colour of its own: the field is drawn as the application's fields are.
        field.setPalette(QPalette())
        return
    palette = QPalette()
    usual = QApplication.palette(field)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(
            group, QPalette.ColorRole.Base, usual.color(group, QPalette.ColorRole.Window)
        )
    field.setPalette(palette)


class _ShadeKeeper(QObject):
    """Shades its read-only field again when the application's colours change (Qt tells a
    field whose colours it has just worked out anew: PaletteChange)."""

    @classmethod
    def of(cls, field: Field) -> None:
        if field.findChild(cls) is None:
            field.installEventFilter(cls(field))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.PaletteChange
            and isinstance(watched, QLineEdit | QPlainTextEdit | QTextEdit)
            and watched.isReadOnly()
        ):
            _shade(watched)
        return False
