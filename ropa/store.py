"""The storage handle the services work through: what a service needs of an open register.

The stores in ropa/storage/ (FileStore for a register file, ServerStore for a team
register's database, made by ropa/storage/factory.py) satisfy this; `Register`
(ropa/register.py) opens one and builds each service over it. A service holds a `Store`,
never the `Register`, so no service needs ropa.register (not even for its type) and the
register can import every service it builds without a circle of imports.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from db.raw import RawConnection
    from db.storage_options import StorageOptions


class Store(Protocol):
    """One open register's storage: its location, whether it may be changed, and units of
    work over it. Each `transaction()` is committed (and the save confirmed) when its block
    ends and rolled back whole on any error; each reading sees one consistent snapshot."""

    @property
    def path(self) -> Path:
        """The register file; for a team register, its database's name (for messages)."""
        ...

    @property
    def server_url(self) -> str | None:
        """A team register's PostgreSQL URL; None for a register file."""
        ...

    @property
    def read_only(self) -> bool: ...

    @property
    def options(self) -> StorageOptions:
        """How the process keeps its registers (SQLite apart or in process): what a service
        that opens the file itself (a backup before an import) must open it with."""
        ...

    @property
    def engine(self) -> Engine: ...

    def transaction(self) -> AbstractContextManager[Session]: ...

    def reading(self) -> AbstractContextManager[Session]: ...

    def plain_reading(self) -> AbstractContextManager[RawConnection]:
        """The driver's own connection, for the few reads that must not wait for SQLAlchemy."""
        ...
