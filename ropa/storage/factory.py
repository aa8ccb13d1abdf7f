"""The one place a store is made: from where the register is and how the process keeps its
registers (StorageOptions, chosen where the process starts and passed in)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from db.server import is_server_url
from db.storage_options import StorageOptions
from ropa.storage.file_store import FileStore

if TYPE_CHECKING:
    from ropa.storage.server_store import ServerStore

OpenStore: TypeAlias = "FileStore | ServerStore"


def make_store(
    location: Path | str,
    *,
    options: StorageOptions,
    read_only: bool,
    read_only_reason: str = "",
) -> OpenStore:
    """A store over the register file at `location`, or over the team register at a
    postgresql:// URL. Nothing is opened yet: the engine is made on first use."""
    if is_server_url(location):
        # Imported only for a team register: a file's store never needs psycopg's words.
        from ropa.storage.server_store import ServerStore

        return ServerStore(
            str(location), options=options, read_only=read_only, read_only_reason=read_only_reason
        )
    return FileStore(
        Path(location), options=options, read_only=read_only, read_only_reason=read_only_reason
    )
