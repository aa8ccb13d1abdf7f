"""Whether a save reached the register file: a second look at the file from outside.

Every write transaction leaves a fresh random mark in the file's header (PRAGMA
user_version: four bytes SQLite keeps for the application, written with the transaction,
used for nothing else in a register). Once the transaction has committed, a connection in
another process, opened afresh, reads the mark from the file on disk. It sees ours, or a
later one when someone else saved meanwhile; then the writer's own view must show that same
later mark, or the writer and the file have parted (a WAL deleted under the writer, a file
replaced) and the save did not persist.

The look from outside matters: within one process SQLite shares one view of a file among
its connections, so a connection of our own would see our save even when the file does not.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from db.connection import read_only_uri
from db.hosted import HostedConnection

# Marks are positive 31-bit numbers: user_version is a signed 32-bit integer, and 0 is what
# a file that was never marked holds.
_MARK_LIMIT = 2**31 - 1

# A writer and another process saving at the same instant can each see the file change
# between two looks; a few rounds settle it.
_ROUNDS = 3


def new_mark() -> int:
    return 1 + secrets.randbelow(_MARK_LIMIT - 1)


def mark_statement(mark: int) -> str:
    """The statement that leaves `mark` in the file as part of the current transaction."""
    return f"PRAGMA user_version = {int(mark)}"


def read_mark(connection: Any) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


class SaveWitness:
    """Looks at one register file from a helper process of its own (db/hosted.py)."""

    def __init__(self, path: Path) -> None:
        self._uri = read_only_uri(path)

    def file_mark(self) -> int:
        # Opened afresh each time: a connection kept open would share the writer's view of
        # a deleted WAL, and agree with it.
        connection = HostedConnection(self._uri, uri=True, timeout=5)
        try:
            return read_mark(connection)
        finally:
            connection.close()

    def confirms(self, mark: int, writer_mark: Callable[[], int]) -> bool:
        """Whether the file holds the save that left `mark`; `writer_mark` reads the mark as
        the writer's own connections see it now."""
        for _ in range(_ROUNDS):
            on_file = self.file_mark()
            if on_file == mark:
                return True
            seen_by_writer = writer_mark()
            if seen_by_writer == mark:
                # The writer still sees its own mark, the file another: they have parted.
                return False
            if self.file_mark() == seen_by_writer:
                # Someone saved after us and the writer sees that save: one view, ours in it.
                return True
        return False
