"""SQL compiled for one register file serves every other file the process opens
(db/statement_cache.py): a second register compiles nothing the first already did, reads and
writes its own data all the same, in this process and through the helper process. Reading an
activity twice compiles nothing the second time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from db.activity_tables import ACTIVITY_CHILD_TABLES
from db.statement_cache import SharedStatementCache
from db.storage_options import SQLITE_IN_PROCESS, StorageOptions
from ropa.register import Register
from tests.helpers.activities import sample_activity

# The desktop app's way (ui/app.py): SQLite in helper processes.
SQLITE_APART = StorageOptions(sqlite_apart=True)


@contextmanager
def _compilations(register: Register) -> Iterator[list[str]]:
    """The statements the register's engine had to compile while inside (not found cached)."""
    compiled: list[str] = []

    def seen(
        _conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: Any
    ) -> None:
        if context.cache_hit == context.dialect.CACHE_MISS:
            compiled.append(statement)

    event.listen(register.engine, "after_cursor_execute", seen)
    try:
        yield compiled
    finally:
        event.remove(register.engine, "after_cursor_execute", seen)


def _everyday_work(register: Register, reference: str) -> tuple[str, list[str]]:
    """Add an activity, change it, list the register and read the activity back whole."""
    added = register.activities.create(sample_activity(reference=reference, name=reference))
    register.activities.update(
        added.id, {"description": f"Changed in {reference}"}, expected_version=added.version
    )
    listed = [summary.reference for summary in register.activity_list.summaries()]
    return register.activities.get(added.id).description, listed


@pytest.mark.parametrize("options", [SQLITE_IN_PROCESS, SQLITE_APART], ids=["in_process", "apart"])
def test_a_second_register_compiles_no_query_the_first_did(
    tmp_path: Path, options: StorageOptions
) -> None:
    with Register.open(tmp_path / "first.ropa", options=options) as first:
        _everyday_work(first, "FIRST-1")

    second = Register.open(tmp_path / "second.ropa", options=options)
    with second, _compilations(second) as compiled:
        description, listed = _everyday_work(second, "SECOND-1")

    # Every query came compiled; only the ORM's own writes (its flush keeps a cache of its
    # own, per engine, which this one does not replace) were compiled for this engine.
    assert all(statement.startswith(("INSERT", "UPDATE")) for statement in compiled)
    # The shared statements ran on the second file's own data.
    assert description == "Changed in SECOND-1"
    assert listed == ["SECOND-1"]


def test_reading_activities_again_compiles_nothing(tmp_path: Path) -> None:
    with Register.open(tmp_path / "one.ropa", options=SQLITE_IN_PROCESS) as register:
        added = [register.activities.create(sample_activity(reference=f"R-{n}")) for n in range(2)]
        for activity in added:
            register.activities.get(activity.id)
        register.activities.load()
        with _compilations(register) as compiled:
            for _ in range(len(ACTIVITY_CHILD_TABLES) + 1):
                for activity in added:
                    assert register.activities.get(activity.id).reference == activity.reference
                assert [record.reference for record in register.activities.load()] == [
                    "R-0",
                    "R-1",
                ]
    assert compiled == []


def test_two_registers_open_at_once_keep_their_own_data(tmp_path: Path) -> None:
    with (
        Register.open(tmp_path / "a.ropa", options=SQLITE_APART) as a,
        Register.open(tmp_path / "b.ropa", options=SQLITE_IN_PROCESS) as b,
    ):
        for number in range(3):
            assert _everyday_work(a, f"A-{number}")[0] == f"Changed in A-{number}"
            assert _everyday_work(b, f"B-{number}")[0] == f"Changed in B-{number}"
        assert [s.reference for s in a.activity_list.summaries()] == ["A-0", "A-1", "A-2"]
        assert [s.reference for s in b.activity_list.summaries()] == ["B-0", "B-1", "B-2"]


def test_keys_without_a_dialect_are_kept_as_they_come() -> None:
    cache = SharedStatementCache()
    cache[("some", "key")] = "compiled"
    assert cache.get(("some", "key")) == "compiled"
    assert cache.get(("other", "key")) is None
    assert cache.get(("other", "key"), "missing") == "missing"


def test_the_least_recently_used_statement_goes_first_when_full() -> None:
    cache = SharedStatementCache(capacity=2)
    cache[("a",)] = 1
    cache[("b",)] = 2
    assert cache.get(("a",)) == 1  # "a" is now the more recently used
    cache[("c",)] = 3
    assert (cache.get(("a",)), cache.get(("b",)), cache.get(("c",))) == (1, None, 3)
    assert len(cache) == 2


def test_threads_sharing_it_lose_nothing_and_keep_it_bounded() -> None:
    cache = SharedStatementCache(capacity=500)
    failures: list[str] = []

    def work(thread: int) -> None:
        for number in range(2_000):
            key = ("statement", number % 700)
            cache[key] = key
            found = cache.get(key)
            if found not in (None, key):
                failures.append(f"thread {thread}: {key} gave {found}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(cache) == 500
