"""Hearing about colleagues' saves, and about the server going away, in a team register.

A team register's server announces every change (db/team_security.py: a NOTIFY on the
channel below, naming the table, sent when the change commits).  A watcher listens on a
connection of its own, so the app can read the register again when someone else saves, and
notices at once when the server cannot be reached, then keeps trying to reconnect.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from db.team_security import CHANGE_CHANNEL
from ropa.team_refusals import lost_connection_words

# How often the watcher looks up from waiting: to stop when asked, and to ask the server
# whether it is still there (a dropped network says nothing until something is sent).
POLL_SECONDS = 1.0
RETRY_SECONDS = 3.0


def _last_history_line(connection: Any) -> int:
    row = connection.execute("SELECT coalesce(max(id), 0) FROM change_history").fetchone()
    return int(row[0])


def _signalled(connection: Any, wake: socket.socket) -> bool:
    """Whether a change signal has come, waiting at most POLL_SECONDS for one, and no longer
    once `wake` is readable. Signals already read (during the last query) count at once."""
    if any(True for _note in connection.notifies(timeout=0)):
        return True
    ready, _, _ = select.select([connection.fileno(), wake], [], [], POLL_SECONDS)
    if wake in ready:
        return False
    return any(True for _note in connection.notifies(timeout=0))


def _changed_since(connection: Any, last_line: int) -> tuple[int, list[str]]:
    """The newest history line now, and the kinds of thing changed after `last_line` (a
    team register's server writes a line for every change, whoever makes it)."""
    newest, kinds = connection.execute(
        "SELECT max(id), array_agg(DISTINCT entity_type) FROM change_history WHERE id > %s",
        (last_line,),
    ).fetchone()
    if newest is None:
        return last_line, []
    return int(newest), sorted(str(kind) for kind in kinds)


class StopSignal:
    """Set to stop the watcher. While it runs, the watcher waits on a socket beside its
    connection's, which setting this writes to: the wait ends at once, so a window closing
    or switching registers does not wait out a poll interval."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._waker: socket.socket | None = None

    def set(self) -> None:
        self._event.set()
        with self._lock:
            if self._waker is not None:
                self._waker.send(b"!")

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        return self._event.wait(seconds)

    @contextlib.contextmanager
    def wakeable(self) -> Iterator[socket.socket]:
        """The socket that becomes readable when this is set, for as long as the block runs."""
        wake, waker = socket.socketpair()
        with self._lock:
            self._waker = waker
        try:
            if self._event.is_set():
                waker.send(b"!")
            yield wake
        finally:
            with self._lock:
                self._waker = None
            wake.close()
            waker.close()


@dataclass(frozen=True)
class WatchEvents:
    changed: Callable[[str], None]  # what kind of thing someone changed (an entity type)
    lost: Callable[[str], None]  # the connection was lost: why, in words
    restored: Callable[[], None]  # connected again after a loss


class ChangeWatcher:
    """Listens to the register at `url` until `stop` is set (run it on a thread of its own)."""

    def __init__(self, url: str, events: WatchEvents) -> None:
        self.url = url
        self.events = events
        self.stop = StopSignal()
        self.connected = threading.Event()

    def run(self) -> None:
        with self.stop.wakeable() as wake:
            self._run(wake)

    def _run(self, wake: socket.socket) -> None:
        import psycopg

        lost = False
        while not self.stop.is_set():
            try:
                with psycopg.connect(
                    self.url,
                    autocommit=True,
                    connect_timeout=10,
                    application_name="ROPA desk (watching for changes)",
                    keepalives=1,
                    keepalives_idle=15,
                    keepalives_interval=5,
                    keepalives_count=3,
                ) as connection:
                    connection.execute(f"LISTEN {CHANGE_CHANNEL}")
                    last_line = _last_history_line(connection)
                    self.connected.set()
                    if lost:
                        lost = False
                        self.events.restored()
                    while not self.stop.is_set():
                        # A signal is only a hint (any member may send one): what changed is
                        # what the server's history says changed since last time.
                        if _signalled(connection, wake):
                            last_line, kinds = _changed_since(connection, last_line)
                            for kind in kinds:
                                self.events.changed(kind)
                        elif not self.stop.is_set():
                            connection.execute("SELECT 1")
            except psycopg.Error as error:
                self.connected.clear()
                if self.stop.is_set():
                    return
                if not lost:
                    lost = True
                    self.events.lost(lost_connection_words(self.url, error))
                self.stop.wait(RETRY_SECONDS)
