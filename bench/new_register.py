"""Making new registers: migrating each new file with Alembic (the old way) against copying
the empty register the migrations made once in this process (db.schema.empty_register_image,
used by ropa.storage.opener.new_register_file), in the same run.

    python -m bench.new_register [--count 30] [--rounds 3]

The old way is what new_register_file did before: an engine over a new empty file, every
migration (upgrade_to_head), the register's number, the engine closed. The new way is
new_register_file itself, starting each round with no image kept, so that its first register
pays for building the image. Alembic and SQLAlchemy are imported before either is timed.
The two ways take turns, `--rounds` times, on a machine shared with others: the figures
printed are the medians of the rounds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import db.schema
from db.engine import make_engine
from db.file_identity import new_register_number, number_statement
from db.schema import upgrade_to_head
from db.storage_options import SQLITE_IN_PROCESS
from ropa.storage.opener import new_register_file


def migrated_each_time(path: Path) -> None:
    """A new register as new_register_file made one before it kept an image."""
    engine = make_engine(path, options=SQLITE_IN_PROCESS)
    try:
        upgrade_to_head(engine)
        with engine.connect() as connection:
            connection.connection.driver_connection.execute(  # type: ignore[union-attr]
                number_statement(new_register_number())
            )
    finally:
        engine.dispose()


def copied_from_image(path: Path) -> None:
    with new_register_file(path, ".new", options=SQLITE_IN_PROCESS):
        pass


def timed_registers(make: Callable[[Path], None], folder: Path, count: int) -> list[float]:
    """The wall-clock time of making each of `count` new registers in `folder`."""
    folder.mkdir()
    times: list[float] = []
    for index in range(count):
        start = time.perf_counter()
        make(folder / f"register-{index}.ropa")
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.new_register", description=__doc__)
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args(argv)

    old_totals: list[float] = []
    old_medians: list[float] = []
    new_totals: list[float] = []
    new_firsts: list[float] = []
    new_medians: list[float] = []
    with tempfile.TemporaryDirectory(prefix="ropa-bench-new-register-") as folder:
        # Imports (Alembic with Mako, SQLAlchemy, the models) paid before anything is timed.
        migrated_each_time(Path(folder) / "warm-up.ropa")
        for round_number in range(options.rounds):

            def old_way(number: int = round_number) -> list[float]:
                return timed_registers(
                    migrated_each_time, Path(folder) / f"old-{number}", options.count
                )

            def new_way(number: int = round_number) -> list[float]:
                db.schema._image = None  # as in a process that has made no register yet
                return timed_registers(
                    copied_from_image, Path(folder) / f"new-{number}", options.count
                )

            # The two ways take turns at going first (a shared machine's load drifts).
            if round_number % 2 == 0:
                old, new = old_way(), new_way()
            else:
                new, old = new_way(), old_way()
            old_totals.append(sum(old))
            old_medians.append(statistics.median(old))
            new_totals.append(sum(new))
            new_firsts.append(new[0])
            new_medians.append(statistics.median(new[1:] or new))

    old_total, new_total = statistics.median(old_totals), statistics.median(new_totals)
    old_each, new_each = statistics.median(old_medians), statistics.median(new_medians)
    print(
        f"{options.count} new registers each way, {options.rounds} rounds (medians of the rounds)"
    )
    print(
        f"  migrated each time (old):   {old_total:6.2f} s in all, {old_each * 1000:6.1f} ms each"
    )
    print(
        f"  copied from the image (new): {new_total:5.2f} s in all, {new_each * 1000:6.1f} ms "
        f"each after the first ({statistics.median(new_firsts) * 1000:.0f} ms, building the image)"
    )
    print(
        f"  ratio old / new:            {old_total / new_total:6.1f}x in all, "
        f"{old_each / new_each:.1f}x each"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
