"""Another program holding a register file locked, in a process of its own.

A process of its own, as another program would be: a lock held in the test's process would be
dropped as soon as ROPA desk opened and closed the file there (POSIX locks belong to the
process, not to the connection), so the test would see the lock vanish.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Keeps the database to itself (SQLite's exclusive locking mode, as some database tools use):
# nobody else can even read it until it lets go. With "half-saved", it is in the middle of a
# large change (cache kept small, so the change spills into the file before any commit, as a
# large save does; the file's own pages then hold words nobody saved).
_HOLDER = """
import sqlite3, sys
other = sqlite3.connect(sys.argv[1], isolation_level=None)
other.execute("PRAGMA locking_mode=EXCLUSIVE")
other.execute("PRAGMA cache_size=10")
other.execute("BEGIN EXCLUSIVE")
if sys.argv[2] == "half-saved":
    other.execute("UPDATE organisation SET name = 'UNSAVED HALF-SAVE'")
    other.execute(
        "CREATE TABLE zz_unsaved AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
        "FROM n WHERE i < 20000) SELECT i, hex(randomblob(50)) AS h FROM n"
    )
print("held", flush=True)
sys.stdin.read()
"""

UNSAVED_NAME = "UNSAVED HALF-SAVE"


@contextmanager
def held_by_another_program(path: Path, *, half_saved: bool = False) -> Iterator[None]:
    """While inside, another process keeps `path` locked (and, `half_saved`, has written part
    of a change it has not saved, which it throws away when it lets go)."""
    with subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path), "half-saved" if half_saved else "idle"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "held"
        try:
            yield
        finally:
            holder.stdin.close()
            holder.wait(10)
