"""The unit of work over a team register in a PostgreSQL database: writers queue for the
register's writer lock, and the server's refusals (what a role may not do, a lock held too
long, a lost connection) come back in words (ropa/team_refusals.py, which takes this store).

Made by ropa/storage/factory.py (make_store); the opener (ropa/storage/opener.py) checks
and upgrades the database's schema through it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from db.raw import RawConnection
from db.server import database_name
from db.storage_options import StorageOptions
from ropa.errors import ValidationError
from ropa.storage.store_parts import (
    LazyOrm,
    OrmParts,
    busy_refusal,
    read_only_refusal,
    unstorable_text,
)
from ropa.team_refusals import reading_refusal, refusal_for

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker


class ServerStore:
    """One team register on a PostgreSQL server. Each `transaction()` is one save."""

    # A team register has no file beside it: nothing was set aside, nothing replaced it.
    network_location = ""
    replaced_reason = ""
    confirm_saves = False

    def __init__(
        self,
        url: str,
        *,
        options: StorageOptions,
        read_only: bool,
        read_only_reason: str = "",
    ) -> None:
        self.server_url: str | None = url
        self._url = url
        # The database's name stands where a file's path would (in messages).
        self.path = Path(database_name(url))
        # How the process keeps its registers: here, how long a save or read waits for a
        # lock (busy_wait_seconds); kept too so that a window on a team register opens the
        # next file the way the process does (Register.options).
        self.options = options
        self.read_only = read_only
        self.read_only_reason = read_only_reason if read_only else ""
        self._orm = LazyOrm(self._make_orm)

    @property
    def location(self) -> str:
        return self._url

    @property
    def engine(self) -> Engine:
        return self._orm.parts().engine

    @property
    def writer_sessions(self) -> sessionmaker[Session]:
        """Sessions that write without the writer lock: only for the opener's schema work."""
        return self._orm.parts().sessions

    def _make_orm(self) -> OrmParts:
        from db.server import make_server_engine, make_server_session_factory

        engine = make_server_engine(
            self._url, read_only=self.read_only, lock_wait_ms=self.options.busy_wait_ms
        )
        return OrmParts(
            engine,
            make_server_session_factory(engine),
            make_server_session_factory(engine, reader=True),
        )

    def close(self) -> None:
        self._orm.dispose()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back whole on any error."""
        if self.read_only:
            raise read_only_refusal(self.path, self.read_only_reason)
        from sqlalchemy.exc import OperationalError

        from db.server import is_lock_timeout, lock_writer

        committing = False
        try:
            with self._orm.parts().sessions.begin() as session:
                lock_writer(session.connection(), self.options.busy_wait_ms)
                yield session
                # Flushed now, so that an error after `committing` is one of COMMIT itself.
                session.flush()
                committing = True
        except OperationalError as error:
            # A lost connection, or the server's writer lock naming who holds it.
            if (refusal := refusal_for(self, error, committing=committing)) is not None:
                raise refusal from error
            # A lock timeout is told by its SQLSTATE alone, as its words follow lc_messages.
            if not is_lock_timeout(error):
                raise
            raise busy_refusal(self.path) from error
        except UnicodeEncodeError as error:
            raise unstorable_text(error) from error
        except Exception as error:
            if _holds_nul(error):
                raise ValidationError(
                    "Nothing was saved: the text holds a NUL character (U+0000), which a "
                    "team register on a PostgreSQL server cannot store. It comes from damaged "
                    "pasted or imported text: retype that part of the text and save again."
                ) from error
            # The server refuses what the login's role may not: in words.
            if (refusal := refusal_for(self, error, committing=committing)) is not None:
                raise refusal from error
            raise

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session that sees one consistent snapshot of the register; a read the
        server gave up on (a lock held too long) is told in words."""
        from sqlalchemy.exc import DBAPIError

        try:
            with self._orm.parts().reader_sessions() as session, session.begin():
                yield session
        except DBAPIError as error:
            if (refusal := reading_refusal(self, error)) is not None:
                raise refusal from error
            raise

    @contextlib.contextmanager
    def plain_reading(self) -> Iterator[RawConnection]:
        """psycopg's own connection reading one snapshot, for the reads that skip SQLAlchemy's
        statement building (db/raw.py); always rolled back."""
        import psycopg

        pooled = self.engine.raw_connection()
        try:
            # psycopg has begun a transaction; its first statement fixes the snapshot.
            driver = pooled.driver_connection
            driver.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")  # type: ignore[union-attr]
            yield RawConnection(driver, server=True)
        except psycopg.OperationalError as error:
            if (refusal := reading_refusal(self, error)) is not None:
                raise refusal from error
            raise
        finally:
            pooled.close()  # back to the pool, rolled back


def _holds_nul(error: BaseException) -> bool:
    """Whether psycopg refused a text value for holding U+0000 (PostgreSQL's text cannot).

    Told from what happened, never from the error's words: psycopg's own DataError, raised
    before the statement reached the server (so it has no SQLSTATE), for a statement whose
    values hold U+0000.  The raw fast paths check their text before sending it
    (ropa/storage/new_activities.py), so their unwrapped errors need no look here."""
    import psycopg

    original = getattr(error, "orig", None)
    if not isinstance(original, psycopg.DataError) or original.sqlstate is not None:
        return False
    return _holds_nul_value(getattr(error, "params", None))


def _holds_nul_value(value: object) -> bool:
    """Whether a statement's values (SQLAlchemy's: a mapping, a sequence, or a list of
    either for many rows) hold U+0000 in any text."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul_value(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_nul_value(item) for item in value)
    return False
