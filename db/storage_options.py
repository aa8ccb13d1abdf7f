"""How a process keeps its registers: a value chosen once where the process starts, and passed.

The desktop app (ui/app.py) and the command line (ropa/cli.py, through Register.open's
default) each choose theirs; every connection (db/connection.py), engine (db/engine.py) and
store (ropa/storage/) takes the options it needs as an argument. Nothing here is a switch
that changes how registers opened later behave.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.hosted import POOL

# How a register file on this computer may be journalled. People copy, email and sync the
# .ropa file alone, so after every save it must hold the whole register: no save may wait in
# a -wal file beside it. Measured (bench/save_modes.py, docs/performance.md) against WAL with
# a full checkpoint after each save, the rollback journal that deletes itself costs about the
# same per save, and it has no step after the commit that can fail or be skipped (a
# checkpoint gives up while a reader holds an older snapshot), so it is the one used.
# "WAL" (the old way), "TRUNCATE" and "WAL+CHECKPOINT" remain for the bench to measure.
DESKTOP_JOURNAL = "DELETE"
JOURNAL_CHOICES = ("DELETE", "TRUNCATE", "WAL", "WAL+CHECKPOINT")


@dataclass(frozen=True)
class StorageOptions:
    """`sqlite_apart`: SQLite runs in helper processes (db/hosted.py), for a process that
    opens files by other means than SQLite (the app: Qt's file dialogs read files to guess
    their type, and on POSIX that drops every lock SQLite holds on the register).
    `confirm_saves`: each save is confirmed on the file from another process
    (db/save_witness.py); None means "when SQLite runs apart", where something else in the
    process may have opened the file. `journal`: how a local register file is journalled
    (DESKTOP_JOURNAL unless the bench measures another); a network drive always gets DELETE.
    """

    sqlite_apart: bool = False
    confirm_saves: bool | None = None
    journal: str = DESKTOP_JOURNAL

    def __post_init__(self) -> None:
        if self.journal not in JOURNAL_CHOICES:
            raise ValueError(f"Unknown journal mode {self.journal!r}: one of {JOURNAL_CHOICES}")

    @property
    def saves_confirmed(self) -> bool:
        return self.sqlite_apart if self.confirm_saves is None else self.confirm_saves

    @property
    def journal_mode(self) -> str:
        """The PRAGMA journal_mode a local register's writers set."""
        return self.journal.removesuffix("+CHECKPOINT")

    @property
    def checkpoints_after_save(self) -> bool:
        """Whether each save is followed by a full WAL checkpoint (only the bench's variant)."""
        return self.journal == "WAL+CHECKPOINT"

    def start_helpers(self) -> None:
        """Start a helper process ahead of the first connection (a few hundredths of a
        second) when SQLite runs apart, so that opening the first register does not wait."""
        if self.sqlite_apart:
            POOL.warm()


# SQLite in the process that asks: the command line's way, and the tests' unless they say.
SQLITE_IN_PROCESS = StorageOptions()
