"""How the register scales: 10,000 activities, each beside raw sqlite3 doing the same work.

Reports: inserting them, loading the list the main window shows, loading one activity in
full.  Target: the list within 3x of raw sqlite3.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.register_data import build_register, synthetic_activities
from bench.timing import median_of

COUNT = 10_000

# The same reads ActivityService.summaries() makes: the rows, then the ids of activities
# linked to a special-category item and to a criminal-offence item.
LIST_SQL = """
SELECT id, reference, name, business_function, status, role, next_review, last_reviewed,
       updated_at, version
FROM activities ORDER BY reference
"""
FLAGGED_SQL = """
SELECT DISTINCT l.activity_id FROM activity_links l JOIN library_items i ON i.id = l.item_id
WHERE i.{flag} = 1
"""


def median_time(action: Callable[[], object], repeats: int = 7) -> float:
    return median_of(action, repeats)[0]


def raw_insert(path: Path) -> None:
    """The same rows through plain sqlite3 executemany: a floor for what inserting costs."""
    records = synthetic_activities(COUNT)
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, kind TEXT, name TEXT, UNIQUE(kind, name));"
        "CREATE TABLE activities (id INTEGER PRIMARY KEY, reference TEXT, name TEXT, fn TEXT,"
        " description TEXT);"
        "CREATE TABLE links (activity_id INTEGER, item_id INTEGER, position INTEGER);"
        "CREATE TABLE bases (activity_id INTEGER, basis TEXT, explanation TEXT);"
    )
    item_ids: dict[tuple[str, str], int] = {}

    def item(kind: str, name: str) -> int:
        key = (kind, name)
        if key not in item_ids:
            cursor = connection.execute("INSERT INTO items (kind, name) VALUES (?, ?)", key)
            item_ids[key] = cursor.lastrowid or 0
        return item_ids[key]

    with connection:
        for record in records:
            cursor = connection.execute(
                "INSERT INTO activities (reference, name, fn, description) VALUES (?, ?, ?, ?)",
                (record.reference, record.name, record.business_function, record.description),
            )
            activity_id = cursor.lastrowid
            links = [
                (activity_id, item(kind, name), position)
                for kind, names in (
                    ("p", record.purposes),
                    ("d", record.data_categories),
                    ("r", record.recipients),
                    ("i", record.individuals),
                )
                for position, name in enumerate(names)
            ]
            connection.executemany("INSERT INTO links VALUES (?, ?, ?)", links)
            connection.executemany(
                "INSERT INTO bases VALUES (?, ?, ?)",
                [(activity_id, b.basis, b.explanation) for b in record.lawful_bases],
            )
    connection.close()


def raw_list(connection: sqlite3.Connection) -> list[tuple[object, ...]]:
    special = {row[0] for row in connection.execute(FLAGGED_SQL.format(flag="special_category"))}
    criminal = {row[0] for row in connection.execute(FLAGGED_SQL.format(flag="criminal_offence"))}
    return [
        (*row, row[0] in special, row[0] in criminal)
        for row in connection.execute(LIST_SQL).fetchall()
    ]


def raw_one(connection: sqlite3.Connection, activity_id: int) -> tuple[object, ...]:
    activity = connection.execute("SELECT * FROM activities WHERE id = ?", (activity_id,))
    row = activity.fetchone()
    links = connection.execute(
        "SELECT i.kind, i.name FROM activity_links l JOIN library_items i ON i.id = l.item_id"
        " WHERE l.activity_id = ? ORDER BY l.position",
        (activity_id,),
    ).fetchall()
    bases = connection.execute(
        "SELECT b.basis, b.explanation, i.name FROM activity_lawful_bases b"
        " LEFT JOIN basis_legislation bl ON bl.basis_id = b.id"
        " LEFT JOIN library_items i ON i.id = bl.item_id WHERE b.activity_id = ?",
        (activity_id,),
    ).fetchall()
    rest = [
        connection.execute(
            f"SELECT * FROM {table} WHERE activity_id = ?", (activity_id,)
        ).fetchall()
        for table in ("activity_conditions", "transfers", "retention_rules")
    ]
    return (row, links, bases, rest)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="ropa-bench-"))
    path = folder / "scale.ropa"

    start = time.perf_counter()
    register = build_register(path, COUNT)
    ours_insert = time.perf_counter() - start
    start = time.perf_counter()
    raw_insert(folder / "raw.sqlite")
    raw_insert_time = time.perf_counter() - start

    # Both sides keep their connection open between reads, as the app does.
    connection = sqlite3.connect(path)
    ours_list = median_time(lambda: register.activity_list.summaries())
    raw_list_time = median_time(lambda: raw_list(connection))
    assert len(register.activity_list.summaries()) == len(raw_list(connection)) == COUNT

    middle = COUNT // 2
    ours_one = median_time(lambda: register.activities.get(middle), repeats=21)
    raw_one_time = median_time(lambda: raw_one(connection, middle), repeats=21)
    connection.close()
    register.close()

    size_mb = path.stat().st_size / 1e6
    print(f"register of {COUNT:,} activities ({size_mb:.1f} MB)")
    print(f"{'step':<26}{'ROPA desk':>12}{'raw sqlite3':>14}{'ratio':>9}")
    for label, ours, raw in (
        ("insert all", ours_insert, raw_insert_time),
        ("load activity list", ours_list, raw_list_time),
        ("load one activity in full", ours_one, raw_one_time),
    ):
        print(f"{label:<26}{ours * 1000:>10.1f}ms{raw * 1000:>12.1f}ms{ours / raw:>8.2f}x")
    print(
        f"target: activity list within 3x of raw sqlite3 -> "
        f"{'met' if ours_list <= 3 * raw_list_time else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
