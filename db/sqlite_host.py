"""The register's SQLite, in a process of its own: the program at the other end of db/hosted.py.

On Linux and macOS SQLite's locks are POSIX advisory locks, which belong to the process and
are all dropped when *any* file descriptor on the same file is closed in that process. A
desktop process opens files behind our back: Qt's file dialogs read files to guess their
type, so do icon providers, drag and drop and plug-ins. Once the locks are gone, another
process believes it is alone, checkpoints and deletes the WAL, and our next saves go into a
deleted file (SQLite's "How To Corrupt An SQLite Database File", section 2.2).

This program runs one sqlite3 connection and nothing else: no Qt, no file dialogs, nothing
that could open the register by other means, so the locks it holds are never dropped. It
reads requests from stdin and answers on stdout, one pickled frame each (length first), and
ends when stdin closes, which is also what happens when the process that started it dies.

It is run as a script (`python -I -S sqlite_host.py`), not imported as part of the package,
and so uses the standard library only.
"""

from __future__ import annotations

import math
import os
import pickle
import re
import sqlite3
import struct
import sys
from pathlib import Path
from typing import IO, Any

_LENGTH = struct.Struct("!Q")


def read_frame(stream: IO[bytes]) -> Any:
    """One pickled object, or EOFError when the other end has closed the pipe."""
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        raise EOFError
    (length,) = _LENGTH.unpack(header)
    payload = stream.read(length)
    if len(payload) < length:
        raise EOFError
    return pickle.loads(payload)


def write_frame(stream: IO[bytes], value: Any) -> None:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(payload)) + payload)
    stream.flush()


def file_identity(path: str) -> tuple[int, int, int, int, int, int, bool] | None:
    """Device, inode, size, modification time, SQLite's file change counter, the register's
    number (Application ID) and whether the header says WAL: see db/file_identity.py.
    None when there is no file at `path`. Only ever run in a host with no connection open,
    so that closing the file here drops no lock SQLite holds."""
    try:
        with Path(path).open("rb") as handle:
            status = os.fstat(handle.fileno())
            header = handle.read(100)
    except FileNotFoundError:
        return None
    complete = len(header) == 100
    counter = int.from_bytes(header[24:28], "big") if complete else 0
    number = int.from_bytes(header[68:72], "big", signed=True) if complete else 0
    wal = complete and header[18:20] == b"\x02\x02"
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, counter, number, wal


def _regexp(pattern: str, text: str | None) -> bool | None:
    return None if text is None else re.search(pattern, text) is not None


# The SQL functions a client may ask for by name (SQLAlchemy registers these two). A function
# cannot be sent to another process, so the host keeps its own copy of each.
KNOWN_FUNCTIONS: dict[str, tuple[int, Any]] = {"regexp": (2, _regexp), "floor": (1, math.floor)}


class Host:
    """Carries out requests on at most one connection at a time."""

    def __init__(self) -> None:
        self.connection: sqlite3.Connection | None = None

    def _open(self) -> sqlite3.Connection:
        if self.connection is None:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        return self.connection

    def handle(self, request: tuple[Any, ...]) -> Any:
        operation, *arguments = request
        method = getattr(self, f"do_{operation}", None)
        if method is None:
            raise sqlite3.NotSupportedError(f"Unknown request {operation!r}")
        return method(*arguments)

    def do_file_identity(self, path: str) -> Any:
        if self.connection is not None:
            raise sqlite3.ProgrammingError("file_identity needs a host with no connection open")
        return file_identity(path)

    def do_connect(self, target: str, uri: bool, timeout: float) -> None:
        self.do_close()
        self.connection = sqlite3.connect(target, uri=uri, timeout=timeout)

    def do_close(self) -> None:
        if self.connection is not None:
            connection, self.connection = self.connection, None
            connection.close()

    def do_execute(self, sql: str, parameters: Any) -> tuple[Any, ...]:
        cursor = self._open().execute(sql, parameters)
        try:
            rows = cursor.fetchall() if cursor.description is not None else []
            return cursor.description, rows, cursor.rowcount, cursor.lastrowid
        finally:
            cursor.close()

    def do_executemany(self, sql: str, rows: list[Any]) -> tuple[Any, ...]:
        cursor = self._open().executemany(sql, rows)
        try:
            return None, [], cursor.rowcount, cursor.lastrowid
        finally:
            cursor.close()

    def do_commit(self) -> None:
        self._open().commit()

    def do_rollback(self) -> None:
        self._open().rollback()

    def do_get(self, name: str) -> Any:
        return getattr(self._open(), name)

    def do_set(self, name: str, value: Any) -> None:
        setattr(self._open(), name, value)

    def do_create_function(self, name: str, arguments: int, deterministic: bool) -> None:
        known = KNOWN_FUNCTIONS.get(name.lower())
        if known is None or known[0] != arguments:
            raise sqlite3.NotSupportedError(
                f"The register's database process has no SQL function {name}/{arguments}."
            )
        self._open().create_function(name, arguments, known[1], deterministic=deterministic)

    def do_backup_to(self, target: str, pages: int, then: list[str]) -> None:
        """Copy this database into the file `target` (SQLite's online backup)."""
        copy = sqlite3.connect(target)
        try:
            self._open().backup(copy, pages=pages)
            for statement in then:
                copy.execute(statement)
        finally:
            copy.close()

    def do_restore_from(self, source: str, pages: int) -> str:
        """Copy the database `source` (a URI) over this one; the quick_check verdict after."""
        original = sqlite3.connect(source, uri=True)
        try:
            original.backup(self._open(), pages=pages)
        finally:
            original.close()
        return str(self._open().execute("PRAGMA quick_check").fetchone()[0])


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    host = Host()
    try:
        while True:
            try:
                request = read_frame(requests)
            except EOFError:
                return
            try:
                answer: tuple[Any, ...] = ("ok", host.handle(request))
            except Exception as error:
                answer = ("error", _portable(error))
            write_frame(answers, answer)
    finally:
        # Whatever was not committed is rolled back as the connection closes.
        host.do_close()


def _portable(error: Exception) -> Exception:
    """The error itself when it can be sent back, else a DatabaseError saying what it was."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return sqlite3.DatabaseError(f"{type(error).__name__}: {error}")
    return error


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
