"""A text field that is read-only looks it.

Qt draws a read-only line or text box exactly like one you can type in, so a person who may
only read (a viewer of a team register) clicks, types and sees nothing happen. Greying it
out (disabling it) would make the text faint and impossible to select and copy. Instead a
read-only field takes the window's background in place of the white of a field to type in:
the text stays as readable and selectable as before.
"""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QTextEdit


def set_read_only(field: QLineEdit | QPlainTextEdit | QTextEdit, read_only: bool) -> None:
    """Make `field` read-only (or editable again) and look so."""
    field.setReadOnly(read_only)
    palette = field.palette()
    usual = QApplication.palette(field)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        background = QPalette.ColorRole.Window if read_only else QPalette.ColorRole.Base
        palette.setColor(group, QPalette.ColorRole.Base, usual.color(group, background))
    field.setPalette(palette)
