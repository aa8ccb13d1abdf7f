"""Windows that open within the screen they are on, frame and all.

A council laptop's screen is often 1366x768 with a taskbar: a window sized for a larger
screen puts its status bar ("All changes saved") and its buttons below the bottom edge.
Every top-level window and dialog of the app asks for its size through here.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# What the window system adds outside a window's own geometry: borders and a title bar.  Not
# known until the window is shown (and not at all without a window manager), so allowed for.
FRAME_ALLOWANCE = QSize(16, 48)


def available_geometry(window: QWidget) -> QRect:
    """The usable part (without taskbars and docks) of the screen the window is on."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fitting_size(wanted: QSize, available: QRect) -> QSize:
    """`wanted`, or less, so that it fits `available` with room for the window's frame."""
    return QSize(
        min(wanted.width(), available.width() - FRAME_ALLOWANCE.width()),
        min(wanted.height(), available.height() - FRAME_ALLOWANCE.height()),
    )


def resize_within_screen(window: QWidget, width: int, height: int) -> None:
    """Resize to width x height, or as much of it as the window's screen can show."""
    window.resize(fitting_size(QSize(width, height), available_geometry(window)))


def keep_on_screen(window: QWidget) -> None:
    """Shrink and move a window (a size restored from a bigger screen, say) onto its screen."""
    available = available_geometry(window)
    size = fitting_size(window.size(), available)
    if size != window.size():
        window.resize(size)
    frame = window.frameGeometry()
    x = min(max(frame.x(), available.left()), available.right() - frame.width() + 1)
    y = min(max(frame.y(), available.top()), available.bottom() - frame.height() + 1)
    if (x, y) != (frame.x(), frame.y()):
        window.move(max(x, available.left()), max(y, available.top()))
