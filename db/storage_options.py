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

# How long a save or a read waits for a register another person or program is saving before
# it gives up and says so: long enough for anyone else's save to finish, short enough that
# nobody thinks the app has hung. The longest wait allowed stays well inside the limits that
# would otherwise end the wait first and word it as something else: the helper process's
# ANSWER_LIMIT (db/hosted.py, "the drive may have stopped responding") and the server's
# statement limit (db/server.py STATEMENT_LIMIT_MS), both 60 s.
DEFAULT_BUSY_WAIT_SECONDS = 5.0
LONGEST_BUSY_WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class StorageOptions:
    """`sqlite_apart`: SQLite runs in helper processes (db/hosted.py), for a process that
    opens files by other means than SQLite (the app: Qt's file dialogs read files to guess
    their type, and on POSIX that drops every lock SQLite holds on the register).
    `confirm_saves`: each save is confirmed on the file from another process
    (db/save_witness.py); None means "when SQLite runs apart", where something else in the
    process may have opened the file. `journal`: how a local register file is journalled
    (DESKTOP_JOURNAL unless the bench measures another); a network drive always gets DELETE.
    `busy_wait_seconds`: how long a save or read waits for a register another person or
    program is saving before it is refused in words (RegisterBusyError): SQLite's busy
    timeout for a file, the lock_timeout and the writer lock's wait on a PostgreSQL server.
    More than 0 and at most LONGEST_BUSY_WAIT_SECONDS; the app's and the command line's
    default is DEFAULT_BUSY_WAIT_SECONDS (`ropa ... --wait SECONDS` sets another).
    """

    sqlite_apart: bool = False
    confirm_saves: bool | None = None
    journal: str = DESKTOP_JOURNAL
    busy_wait_seconds: float = DEFAULT_BUSY_WAIT_SECONDS

    def __post_init__(self) -> None:
        if self.journal not in JOURNAL_CHOICES:
            raise ValueError(f"Unknown journal mode {self.journal!r}: one of {JOURNAL_CHOICES}")
        if problem := busy_wait_problem(self.busy_wait_seconds):
            raise ValueError(problem)

    @property
    def busy_wait_ms(self) -> int:
        """The wait in whole milliseconds, as SQLite's busy_timeout and PostgreSQL's
        lock_timeout take it (at least 1: a wait of 0 would mean "no limit" to the server)."""
        return max(1, round(self.busy_wait_seconds * 1000))

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


def busy_wait_problem(seconds: object) -> str | None:
    """What is wrong with `seconds` as a busy wait, in words (None when nothing is)."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return f"The wait for a busy register must be a number of seconds, not {seconds!r}."
    if not 0 < seconds <= LONGEST_BUSY_WAIT_SECONDS:  # also refuses NaN
        return (
            f"The wait for a busy register must be more than 0 and at most "
            f"{LONGEST_BUSY_WAIT_SECONDS:g} seconds, not {seconds:g}."
        )
    return None


# SQLite in the process that asks: the command line's way, and the tests' unless they say.
SQLITE_IN_PROCESS = StorageOptions()
