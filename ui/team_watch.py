"""The window's ears on a team register: colleagues' saves and a lost connection.

`TeamWatch` runs ropa.team_watch.ChangeWatcher on a thread of its own and hands what it hears
to the GUI thread as signals; `ConnectionBanner` is the strip that says the connection was
lost, and goes once it is back.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QWidget

from ropa.team_watch import ChangeWatcher, WatchEvents
from ui.widgets.banner import Banner


class TeamWatch(QObject):
    changed = Signal(str)
    lost = Signal(str)
    restored = Signal()

    def __init__(self, url: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        events = WatchEvents(self.changed.emit, self.lost.emit, self.restored.emit)
        self.watcher = ChangeWatcher(url, events)
        self._thread = _WatchThread(self.watcher, self)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop listening and wait for the thread (at most one poll interval)."""
        self.watcher.stop.set()
        self._thread.wait()


class _WatchThread(QThread):
    def __init__(self, watcher: ChangeWatcher, parent: QObject) -> None:
        super().__init__(parent)
        self.watcher = watcher

    def run(self) -> None:
        self.watcher.run()


class ConnectionBanner(Banner):
    """A strip across the window while the team register's server cannot be reached."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, "Connection lost", parent)
