"""A register user who is killed at a random moment (see tests/unit/test_crash.py).

It opens the register and commits transactions without end, alternating two kinds, and
prints one acknowledgement line after each commit:

    batch N     BATCH_SIZE new activities referenced BN-00 .. BN-19, one transaction
    edit K      the activity COUNTER's description set to K, one transaction

The parent kills it with SIGKILL; whatever it acknowledged must then be in the register,
and no part of what it did not.

Starting Python and importing SQLAlchemy and Alembic takes about a second on a busy
machine, so for many trials the script runs as a small fork server (`--serve`): it imports
once, then for each register path read from stdin forks a fresh child that prints
"pid N", does the work above and is killed; the server then prints "done".  The children
never inherit an open SQLite connection: the server opens none.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sqlalchemy import func, select

from db.models import Activity
from ropa.records import ActivityRecord
from ropa.register import Register

BATCH_SIZE = 20
BATCH_PREFIX = "B"
COUNTER = "COUNTER"


def batch_reference(batch: int, index: int) -> str:
    return f"{BATCH_PREFIX}{batch:05d}-{index:02d}"


def acknowledge(line: str) -> None:
    # One write() of a short line to a pipe is atomic: a kill never leaves half a line.
    os.write(sys.stdout.fileno(), f"{line}\n".encode())


def main(path: Path) -> None:
    register = Register.open(path)
    with register.reading() as session:
        batches = session.scalar(
            select(func.count()).where(Activity.reference.like(f"{BATCH_PREFIX}%-00"))
        )
    batch = int(batches or 0)
    counter = register.activities.find_by_reference(COUNTER)
    if counter is None:
        counter = register.activities.create(ActivityRecord(reference=COUNTER, name="Counter"))
    edits = int(counter.description or 0)
    acknowledge("ready")
    while True:
        batch += 1
        register.activities.create_many(
            ActivityRecord(
                reference=batch_reference(batch, index),
                name=f"Imported activity {index} of batch {batch}",
                description="x" * 500,
                purposes=[f"Purpose {batch % 7}"],
            )
            for index in range(BATCH_SIZE)
        )
        acknowledge(f"batch {batch}")
        edits += 1
        register.activities.update(counter.id or 0, {"description": str(edits)})
        acknowledge(f"edit {edits}")


def serve() -> None:
    for line in sys.stdin:
        path = Path(line.strip())
        child = os.fork()
        if child == 0:
            try:
                acknowledge(f"pid {os.getpid()}")
                main(path)
            finally:
                os._exit(1)
        _pid, status = os.waitpid(child, 0)
        print(f"done {status}", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        serve()
    else:
        main(Path(sys.argv[1]))
