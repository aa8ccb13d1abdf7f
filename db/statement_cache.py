"""SQL compiled once per process for every register file it opens, not once per file.

SQLAlchemy compiles each statement the first time an engine runs it and keeps the result in
that engine's cache. ROPA desk makes an engine for each register file it opens, so a register
opened after another (switching registers, a copy, an upgrade, a backup check, and each test)
compiled all of its statements again: about twenty for opening a register and listing it.

`FILE_STATEMENTS` is one cache for every engine `db.engine.make_engine` makes, handed to them
through SQLAlchemy's public `compiled_cache` execution option. SQLAlchemy keys a compiled
statement by the dialect object that compiled it, among other things, so two engines never find
each other's statements. The engines made for register files are made alike (the same
`create_engine` arguments, SQLite from the same library: the helper process runs this Python),
so their dialects compile every statement to the same SQL; this cache stands a dialect in its
keys by its class and SQLite version instead of its identity.

Should a later SQLAlchemy key its cache differently (the dialect no longer first), nothing is
shared and nothing goes wrong: keys are used as they come, and each engine finds only its own
statements, as without this cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from sqlalchemy.engine.interfaces import Dialect

# Far more than the distinct statements ROPA desk runs on a register (about 150), so that the
# cache never drops one it will need again, and small enough to be no concern for memory.
_CAPACITY = 2_000


class SharedStatementCache:
    """A bounded cache of compiled SQL for engines whose dialects are alike.

    Only `get` and item assignment are used by SQLAlchemy; both may be called from any thread
    (the app reads in the background while the window saves).
    """

    def __init__(self, capacity: int = _CAPACITY) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(key: Hashable) -> Hashable:
        if isinstance(key, tuple) and key and isinstance(key[0], Dialect):
            dialect = key[0]
            return (type(dialect), dialect.server_version_info, *key[1:])
        return key

    def get(self, key: Hashable, default: Any = None) -> Any:
        shared = self._key(key)
        with self._lock:
            found = self._entries.get(shared)
            if found is None:
                return default
            self._entries.move_to_end(shared)
            return found

    def __setitem__(self, key: Hashable, compiled: Any) -> None:
        shared = self._key(key)
        with self._lock:
            self._entries[shared] = compiled
            self._entries.move_to_end(shared)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget every compiled statement (the benchmark's baseline: each engine compiles
        its own)."""
        with self._lock:
            self._entries.clear()


FILE_STATEMENTS = SharedStatementCache()
