"""A team register on a local PostgreSQL server, set beside its baselines in the same run.

    .venv/bin/python bench/team.py [--url postgresql://USER@HOST:PORT/postgres] [--count N]

Without --url (or ROPA_TEST_POSTGRES_URL) a throwaway cluster is started for the run
(tests/helpers/pg_cluster.py). Each measurement uses a database of its own, dropped after.

Reports, for COUNT activities (default 10,000):
- the activities list (ActivityList.summaries) on the server beside raw psycopg running the
  same queries and building the same rows' tuples (target: within 3x);
- search as you type in the main window over the team register, median per keystroke
  (target: under 50 ms);
- importing the register's controller workbook into an empty register, and exporting it,
  on the server beside the same on a file (target: within 1.5x);
- ropa copy of the register file -> server -> file, and whether the exports are identical.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.register_data import cached_register
from bench.timing import best_of, median_of
from tests.helpers import pg_cluster
from tests.postgres import with_database

RUNS = 7
# Words the synthetic register's activities hold (bench/register_data.py).
SEARCHED = ("processing activity 12", "recipient 7")


@contextmanager
def server(url: str | None) -> Iterator[str]:
    """The maintenance URL of a server to make databases on: the one given, or a new one."""
    if url:
        yield url
        return
    cluster = pg_cluster.start()
    try:
        yield cluster.url
    finally:
        pg_cluster.stop(cluster.folder)


@contextmanager
def new_database(maintenance: str) -> Iterator[str]:
    import psycopg

    name = f"ropa_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(maintenance, name)
    finally:
        with psycopg.connect(maintenance, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def raw_list_load(connection: Any) -> list[tuple[Any, ...]]:
    """What ActivityList.summaries asks of the server, through psycopg alone on an open
    connection: the rows in reference order and the two sets of flagged activity ids, joined
    into one tuple each."""
    from ropa.storage.activity_list import _FLAGGED_QUERY, _SUMMARY_QUERY

    with connection.transaction():
        connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        special = {
            row[0] for row in connection.execute(_FLAGGED_QUERY.format(flag="special_category"))
        }
        criminal = {
            row[0] for row in connection.execute(_FLAGGED_QUERY.format(flag="criminal_offence"))
        }
        rows = connection.execute(_SUMMARY_QUERY.format(where="")).fetchall()
    return [(*row, row[0] in special, row[0] in criminal) for row in rows]


def list_load(url: str, count: int) -> tuple[float, float]:
    import psycopg

    from ropa.register import Register

    with (
        Register.open(url, create=False) as register,
        psycopg.connect(url, autocommit=True) as connection,
    ):
        register.activity_list.summaries()  # the pool's first connection, made once
        ours_runs, raw_runs = [], []
        # Taken in turn, so that a busy spell on the machine falls on both alike.
        for _ in range(RUNS):
            ours_runs.append(best_of(register.activity_list.summaries, 1))
            raw_runs.append(best_of(lambda: raw_list_load(connection), 1))
    assert all(len(rows) == count for _, rows in ours_runs + raw_runs)
    return (
        statistics.median(seconds for seconds, _ in ours_runs),
        statistics.median(seconds for seconds, _ in raw_runs),
    )


def workbook_cells(path: Path) -> list[list[Any]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [list(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def export_and_import(location_of: Callable[[str], Path | str], workbook: Path) -> dict[str, float]:
    """Import `workbook` into a new register, then export it; seconds for each."""
    from ropa.register import Register
    from ropa.spreadsheets.export import export_workbook
    from ropa.spreadsheets.importer import import_workbook

    location = location_of("import")
    with Register.open(location) as register:
        imported, _ = best_of(lambda: import_workbook(register, workbook), 1)
        folder = Path(tempfile.mkdtemp(prefix="ropa-bench-team-"))
        exported, _ = median_of(lambda: export_workbook(register, folder / "out.xlsx"), 3)
    return {"import": imported, "export": exported}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("ROPA_TEST_POSTGRES_URL"))
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()

    from bench.gui_start import time_search
    from ropa.copy_register import copy_register
    from ropa.register import Register
    from ropa.spreadsheets.export import export_workbook

    source = cached_register(args.count)
    folder = Path(tempfile.mkdtemp(prefix="ropa-bench-team-"))
    with server(args.url) as maintenance, new_database(maintenance) as team_url:
        print(f"Register: {args.count} activities, PostgreSQL at {maintenance}")
        copy_to_s, _ = best_of(lambda: copy_register(source, team_url), 1)
        back = folder / "back.ropa"
        copy_back_s, _ = best_of(lambda: copy_register(team_url, back), 1)
        exports = {}
        for name, location in (("file", source), ("server", team_url), ("back", back)):
            with Register.open(location, create=False) as register:
                exports[name] = workbook_cells(
                    export_workbook(register, folder / f"{name}.xlsx", include_retired=True).path
                )
        identical = exports["file"] == exports["server"] == exports["back"]
        print(f"ropa copy file -> server          {copy_to_s:7.2f} s")
        print(f"ropa copy server -> file          {copy_back_s:7.2f} s")
        print(f"  exports of file, server and copy back identical: {identical}")

        ours_s, raw_s = list_load(team_url, args.count)
        print("Activities list, median of", RUNS)
        print(f"  ROPA desk on the server         {ours_s * 1000:7.1f} ms")
        print(f"  raw psycopg, same queries       {raw_s * 1000:7.1f} ms")
        print(f"  ratio                           {ours_s / raw_s:7.2f}x (target at most 3x)")

        median_ms, worst_ms, shown = time_search(team_url, SEARCHED)
        print("Search as you type in the main window over the server")
        print(f"  median per keystroke            {median_ms:7.1f} ms (target under 50 ms)")
        print(f"  slowest keystroke               {worst_ms:7.1f} ms; last search shows {shown}")

        workbook = folder / "file.xlsx"
        on_file = export_and_import(lambda name: folder / f"{name}.ropa", workbook)
        with new_database(maintenance) as import_url:
            on_server = export_and_import(lambda _name: import_url, workbook)
        print(f"Import of the {args.count}-activity controller workbook, then export")
        for step in ("import", "export"):
            ratio = on_server[step] / on_file[step]
            print(
                f"  {step:<6} file {on_file[step]:6.2f} s, server {on_server[step]:6.2f} s, "
                f"ratio {ratio:4.2f}x (target at most 1.5x)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
