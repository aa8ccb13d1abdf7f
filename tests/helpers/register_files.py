"""Register files for tests: a closed register copied as a new file of a test's own, a
register of its own per Hypothesis example, and another register's WAL to plant."""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ropa.register import Register


def copy_register_file(template: Path, target: Path) -> Path:
    """A closed register file (no side files) copied to `target`; returns `target`."""
    target.write_bytes(template.read_bytes())
    return target


def first_value(path: Path, sql: str) -> str:
    """The first column of the first row `sql` gives on the file at `path`, as text, read
    through a read-only connection of its own (nothing of the app's in between)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(connection.execute(sql).fetchone()[0])
    finally:
        connection.close()


def wal_of_another_register(other_register: Path) -> tuple[sqlite3.Connection, Path]:
    """The other register kept open in WAL mode (as an older version did) with a save in its
    -wal that is not in its file."""
    connection = sqlite3.connect(other_register, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA wal_autocheckpoint = 0")
    connection.execute("UPDATE activities SET name = 'From the other register'")
    connection.execute("DELETE FROM organisation")
    return connection, other_register.with_name(other_register.name + "-wal")


@contextlib.contextmanager
def fresh_register(template: Path) -> Iterator[tuple[Register, Path]]:
    """A new register and a folder of its own for one Hypothesis example: a function-scoped
    fixture would be one register shared by every example, each import seeing the last's."""
    with tempfile.TemporaryDirectory(prefix="ropa-fuzz-") as folder:
        path = copy_register_file(template, Path(folder) / "fuzz.ropa")
        with Register.open(path, daily_backup=False) as register:
            yield register, Path(folder)


def driver_of(register: Register) -> object:
    """The driver's connection under the register's engine (sqlite3's, or a helper's)."""
    with register.engine.connect() as connection:
        return connection.connection.driver_connection
