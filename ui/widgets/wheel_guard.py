"""No value changes under the mouse wheel or a page-switching key by accident.

Qt gives drop-downs, spin boxes and date boxes "wheel focus": scrolling a long form with the
pointer passing over one takes the focus and turns its value (a controller activity became a
processor one that way).  One application-wide event filter, installed once, makes every such
control take focus only by a click or Tab, passes the wheel on to the form underneath until
the control has focus, and leaves Ctrl+PgUp/PgDn (switch page or tab elsewhere) to the window
rather than letting a focused drop-down step to its next choice.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget

# The controls whose value the wheel and the page keys step (QDateEdit is a spin box).
GUARDED = (QComboBox, QAbstractSpinBox)
_PAGE_KEYS = (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)


def is_guarded(widget: QObject) -> bool:
    return isinstance(widget, GUARDED)


class WheelGuard(QObject):
    """The application's event filter; see the module's docstring."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.Polish, QEvent.Type.Wheel, QEvent.Type.KeyPress):
            return False
        if not is_guarded(watched):
            return False
        assert isinstance(watched, QWidget)
        if kind == QEvent.Type.Polish:
            # Strong focus: a click or Tab, never the wheel, gives these controls focus.
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return False
        if kind == QEvent.Type.Wheel:
            if watched.hasFocus():
                return False  # clicked into on purpose: the wheel may step its value
            # Not for this control: ignored, Qt offers it to the form that scrolls.
            event.ignore()
            return True
        assert isinstance(event, QKeyEvent)
        if event.key() in _PAGE_KEYS and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            event.ignore()  # passed on to the window (its next or previous page)
            return True
        return False


_GUARD_NAME = "ropa-wheel-guard"


def guard_against_wheel(app: QApplication | None = None) -> WheelGuard:
    """Install the guard on the application once; later calls return the same guard."""
    application = app or QApplication.instance()
    if not isinstance(application, QApplication):
        raise RuntimeError("The wheel guard needs a QApplication to exist first")
    existing = application.findChild(WheelGuard, _GUARD_NAME)
    if existing is not None:
        return existing
    guard = WheelGuard(application)
    guard.setObjectName(_GUARD_NAME)
    application.installEventFilter(guard)
    # Widgets polished before the guard existed keep wheel focus; set theirs now.
    for widget in application.allWidgets():
        if is_guarded(widget) and widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return guard
