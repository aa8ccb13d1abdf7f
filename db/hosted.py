"""sqlite3 connections whose SQLite runs in a helper process (db/sqlite_host.py).

A `HostedConnection` behaves like the sqlite3.Connection that db.connection.connect would
otherwise return, for everything ROPA desk and SQLAlchemy ask of one: execute and
executemany with their cursors, commit, rollback, isolation_level, create_function for the
functions the host knows, and the online backup in both directions. Each statement is one
round trip; a query's rows come back with it.

The desktop app uses these (its StorageOptions say sqlite_apart: db/storage_options.py),
because the app's process opens files by other means than SQLite (Qt's file dialogs do) and
on POSIX that drops every lock SQLite holds on the register. The helper process opens
nothing but the register.

Helper processes are reused: closing a connection hands its process back to a small pool,
so the many short reads of the activities list do not each start a process.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import selectors
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from db.sqlite_host import read_frame, write_frame

_HOST_SCRIPT = Path(__file__).with_name("sqlite_host.py")
_IDLE_LIMIT = 4

# How long a request may go unanswered. A paused helper (SIGSTOP, or stopped by a debugger)
# is given up after STOPPED_LIMIT; one that is running gets ANSWER_LIMIT, well beyond the
# longest statement ROPA desk runs (an integrity check or a 10,000-row import statement of a
# large register take a few seconds), for a network drive that has hung.
STOPPED_LIMIT = 3.0
ANSWER_LIMIT = 60.0
# Once a request has waited HOOK_AFTER, `_while_waiting` (set by the desktop app:
# ui/busy_wait.py) is called every WAIT_SLICE, so that the window repaints, shows that it is
# busy and its timers run. An everyday request is answered long before.
HOOK_AFTER = 0.3
_WAIT_SLICE = 0.05


class HostStoppedError(sqlite3.OperationalError):
    """The helper process has gone (killed, or out of memory), or stopped answering and was
    ended: nothing more can be done on this connection; a new one starts a new process."""


class HostNotAnsweringError(HostStoppedError):
    """The helper process was paused or did not answer in time, and was ended."""


_while_waiting: Callable[[bool], None] | None = None
# The thread waiting for an answer with the hook running: a request made from within the
# hook (a timer's slot) would wait on the helper it is already waiting for.
_waiting = threading.local()


def call_while_waiting(hook: Callable[[bool], None] | None) -> None:
    """Call `hook(True)` every few hundredths of a second while a request has waited more
    than HOOK_AFTER for its answer, and `hook(False)` once the wait is over (None: just
    wait). The desktop app lets its window repaint and its timers run meanwhile."""
    global _while_waiting
    _while_waiting = hook


class _NestedRequestError(sqlite3.OperationalError):
    """A request made while this thread already waits for the register's database process
    (from a timer that ran during the wait): refused as busy, never waited for."""


def _paused(process: subprocess.Popen[bytes]) -> bool:
    """Whether the process is stopped (SIGSTOP, a debugger): Linux says so in /proc."""
    try:
        state = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state in {"T", "t"}


class _HostProcess:
    """One running db/sqlite_host.py and the pipes to it."""

    def __init__(self) -> None:
        # -I: no user site or PYTHON* variables; -S: no site, the host needs the stdlib only.
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if os.name == "nt" else 0
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", str(_HOST_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            creationflags=flags,
        )
        self._lock = threading.Lock()
        _RUNNING.add(self)

    def call(self, *request: Any) -> Any:
        if getattr(_waiting, "active", False):
            raise _NestedRequestError(
                "database is locked: a save is still waiting for the register's database process"
            )
        with self._lock:
            stdin, stdout = self.process.stdin, self.process.stdout
            assert stdin is not None and stdout is not None
            try:
                write_frame(stdin, request)
                self._wait_for_answer(stdout)
                status, value = read_frame(stdout)
            except HostNotAnsweringError:
                self.kill()
                # Its paused siblings (a hung drive stops them all) go too, so that the next
                # connection starts a live one rather than waiting on another.
                end_paused_hosts()
                raise
            except (OSError, EOFError, ValueError) as error:
                raise HostStoppedError(
                    "The register's database process stopped unexpectedly, before it had answered."
                ) from error
        if status == "error":
            raise value
        return value

    def _wait_for_answer(self, stdout: IO[bytes]) -> None:
        """Return once the answer has begun to arrive; HostNotAnsweringError when the process
        is paused for STOPPED_LIMIT or silent for ANSWER_LIMIT."""
        if os.name == "nt":
            return  # select() takes sockets only there: the read below waits as it is
        started = time.monotonic()
        paused_since: float | None = None
        hooked = False
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            try:
                while not selector.select(_WAIT_SLICE):
                    now = time.monotonic()
                    if _while_waiting is not None and now - started >= HOOK_AFTER:
                        hooked = _waiting.active = True
                        _while_waiting(True)
                    paused_since = (paused_since or now) if _paused(self.process) else None
                    self._give_up_if_stuck(now - started, now - (paused_since or now))
            finally:
                _waiting.active = False
                if hooked and _while_waiting is not None:
                    _while_waiting(False)

    @staticmethod
    def _give_up_if_stuck(waited: float, paused_for: float) -> None:
        if paused_for >= STOPPED_LIMIT:
            raise HostNotAnsweringError(
                f"The register's database process was paused for {STOPPED_LIMIT:.0f} "
                "seconds and has been ended."
            )
        if waited >= ANSWER_LIMIT:
            raise HostNotAnsweringError(
                f"The register's database process did not answer within {ANSWER_LIMIT:.0f} "
                "seconds (the drive holding the register may have stopped responding) and "
                "has been ended."
            )

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """End the process at once, paused or not (SIGKILL ends a stopped process too)."""
        _RUNNING.discard(self)
        with contextlib.suppress(OSError):
            self.process.kill()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)

    def stop(self) -> None:
        _RUNNING.discard(self)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class _Pool:
    """Idle helper processes, ready for the next connection."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[_HostProcess] = []

    def take(self) -> _HostProcess:
        with self._lock:
            while self._idle:
                process = self._idle.pop()
                if process.alive and not _paused(process.process):
                    return process
                process.kill()
        return _HostProcess()

    def give_back(self, process: _HostProcess) -> None:
        with self._lock:
            if process.alive and len(self._idle) < _IDLE_LIMIT:
                self._idle.append(process)
                return
        process.stop()

    def warm(self) -> None:
        """Start one process ahead of the first connection (it takes a few hundredths of a
        second), so that opening a register does not wait for it."""
        process = _HostProcess()
        self.give_back(process)

    def stop_all(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for process in idle:
            process.stop()


def end_paused_hosts() -> None:
    """End every helper process that is paused (their connections then report it at once)."""
    for process in list(_RUNNING):
        if _paused(process.process):
            process.kill()


def call_on_idle_host(*request: Any) -> Any:
    """Carry out `request` (one that only reads) in a helper process that has no register
    open; once more in a new process if that one had died or stopped answering."""
    for attempt in (1, 2):
        process = POOL.take()
        try:
            return process.call(*request)
        except HostStoppedError:
            process.kill()
            if attempt == 2:
                raise
        finally:
            POOL.give_back(process)
    raise AssertionError("unreachable")


# Every process still running, so that none is left behind when this one exits (a closed
# pipe ends a host anyway; this also collects its exit status).
_RUNNING: set[_HostProcess] = set()

POOL = _Pool()


@atexit.register
def stop_every_host() -> None:
    POOL.stop_all()
    for process in list(_RUNNING):
        process.stop()


class HostedCursor:
    """A cursor over rows that came back whole with their statement."""

    arraysize = 1

    def __init__(self, connection: HostedConnection) -> None:
        self.connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []
        self._next = 0

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> HostedCursor:
        answer = self.connection._call("execute", sql, _plain(parameters))
        self.description, self._rows, self.rowcount, self.lastrowid = answer
        self._next = 0
        return self

    def executemany(self, sql: str, rows: Iterable[Any]) -> HostedCursor:
        answer = self.connection._call("executemany", sql, [_plain(row) for row in rows])
        self.description, self._rows, self.rowcount, self.lastrowid = answer
        self._next = 0
        return self

    def fetchone(self) -> Any:
        if self._next >= len(self._rows):
            return None
        row = self._rows[self._next]
        self._next += 1
        return row

    def fetchmany(self, size: int | None = None) -> list[Any]:
        count = self.arraysize if size is None else size
        rows = self._rows[self._next : self._next + count]
        self._next += len(rows)
        return rows

    def fetchall(self) -> list[Any]:
        rows = self._rows[self._next :]
        self._next = len(self._rows)
        return rows

    def __iter__(self) -> Iterator[Any]:
        while (row := self.fetchone()) is not None:
            yield row

    def close(self) -> None:
        self._rows = []

    def setinputsizes(self, *_sizes: Any) -> None:
        """DB-API: nothing to do."""

    def setoutputsize(self, *_size: Any) -> None:
        """DB-API: nothing to do."""


class HostedConnection:
    """A sqlite3-like connection whose SQLite lives in a helper process."""

    def __init__(self, target: str, *, uri: bool, timeout: float) -> None:
        self._process: _HostProcess | None = POOL.take()
        try:
            self._process.call("connect", target, uri, timeout)
        except BaseException:
            self._process.stop()
            self._process = None
            raise

    def _call(self, *request: Any) -> Any:
        if self._process is None:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        try:
            return self._process.call(*request)
        except HostStoppedError:
            # The process is gone: this connection is closed, and the next one starts afresh.
            process, self._process = self._process, None
            process.kill()
            raise

    # --- what sqlite3.Connection offers -------------------------------------------------

    def cursor(self) -> HostedCursor:
        return HostedCursor(self)

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> HostedCursor:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, rows: Iterable[Any]) -> HostedCursor:
        return self.cursor().executemany(sql, rows)

    def commit(self) -> None:
        self._call("commit")

    def rollback(self) -> None:
        self._call("rollback")

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            process.call("close")
        except sqlite3.Error:
            process.stop()
            return
        POOL.give_back(process)

    def __del__(self) -> None:
        # A connection dropped without close() still hands its process back.
        with contextlib.suppress(Exception):
            self.close()

    @property
    def isolation_level(self) -> str | None:
        level: str | None = self._call("get", "isolation_level")
        return level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._call("set", "isolation_level", value)

    @property
    def total_changes(self) -> int:
        return int(self._call("get", "total_changes"))

    def create_function(
        self, name: str, narg: int, _function: Any, *, deterministic: bool = False
    ) -> None:
        """Register the host's own copy of the function `name` (db.sqlite_host.KNOWN_FUNCTIONS):
        a function cannot be sent to another process."""
        self._call("create_function", name, narg, deterministic)

    # --- what ROPA desk adds --------------------------------------------------------------

    def backup_to(self, target: Path, *, then: Sequence[str] = ()) -> None:
        """Copy the database into the new file `target`, then run `then` on the copy."""
        self._call("backup_to", str(target), -1, list(then))

    def restore_from(self, source_uri: str) -> str:
        """Copy the database at `source_uri` over this one; the quick_check verdict after."""
        verdict: str = self._call("restore_from", source_uri, -1)
        return verdict


_BUILTIN = (str, int, float, bytes, type(None))


def _plain(parameters: Any) -> Any:
    """Parameters as builtins only: the host has nothing else to unpickle them with (SQLAlchemy
    passes its own str subclasses, such as quoted_name, for table names)."""
    if isinstance(parameters, dict):
        return {key: _builtin(value) for key, value in parameters.items()}
    return tuple(_builtin(value) for value in parameters)


def _builtin(value: Any) -> Any:
    kind = type(value)
    if kind in _BUILTIN or kind is bool:
        return value
    for base in (str, int, float):
        if isinstance(value, base):
            return base(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    # Dates and times are the standard library's own: the host unpickles them as they are.
    return value
