"""Plain SQL over the driver's own connection, written once for SQLite and PostgreSQL.

The fast paths (the activities list, the import's inserts, the reference look-up) skip
SQLAlchemy's statement building, which costs more than the statement in a 10,000-row import.
They write their SQL once, with `?` placeholders and nothing either backend lacks (TRUE and
FALSE for flags, RETURNING for new ids); `RawConnection` hands it to sqlite3 as it is and to
psycopg with `%s` placeholders. Our statements never hold a literal question mark.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


_PARAMETERS_PER_STATEMENT = 8000


def _for_psycopg(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


@contextlib.contextmanager
def _naming_the_statement(sql: str) -> Iterator[None]:
    """A driver's error leaves here carrying the statement it refused, as SQLAlchemy's do
    (`statement`): a server refusal is told apart by what the app sent (which table), never
    by the server's words, which follow its lc_messages."""
    try:
        yield
    except Exception as error:
        if getattr(error, "statement", None) is None:
            # An error type that takes no attributes is raised as it is.
            with contextlib.suppress(AttributeError):
                error.statement = sql  # type: ignore[attr-defined]
        raise


class RawCursor:
    """A DB-API cursor that takes the SQLite spelling of a statement on either backend."""

    def __init__(self, cursor: Any, *, server: bool) -> None:
        self._cursor = cursor
        self._server = server

    def _sql(self, sql: str) -> str:
        return _for_psycopg(sql) if self._server else sql

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> RawCursor:
        with _naming_the_statement(sql):
            self._cursor.execute(self._sql(sql), parameters)
        return self

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with _naming_the_statement(sql):
            self._cursor.executemany(self._sql(sql), list(rows))

    def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        returning: Sequence[str] = (),
    ) -> list[Any]:
        """Insert `rows` with multi-row VALUES statements, a batch of rows each; the
        RETURNING columns of every row inserted (in no particular order) when asked.

        One statement for hundreds of rows, where executemany is one per row: on a server
        each is a round trip, which cost more than the rows in a 10,000-activity import.
        On a server rows that return nothing are streamed with COPY instead.
        """
        returned: list[Any] = []
        if not rows:
            return returned
        if self._server and not returning and not self._row_security(table):
            # COPY streams the rows with no statement to parse at either end (not into a
            # table under row-level security, such as a team register's: PostgreSQL refuses).
            with self._cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return returned
        one_row = "(" + ", ".join("?" for _ in columns) + ")"
        tail = f" RETURNING {', '.join(returning)}" if returning else ""
        # Well inside both backends' limits on parameters in one statement (SQLite 32,766).
        batch = max(1, _PARAMETERS_PER_STATEMENT // max(len(columns), 1))
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            sql = head + ", ".join(one_row for _ in chunk) + tail
            self.execute(sql, [value for row in chunk for value in row])
            if returning:
                returned.extend(self.fetchall())
        return returned

    def _row_security(self, table: str) -> bool:
        self._cursor.execute("SELECT row_security_active(%s)", (table,))
        return bool(self._cursor.fetchone()[0])

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall())

    def __iter__(self) -> Any:
        return iter(self._cursor)

    def close(self) -> None:
        self._cursor.close()


class RawConnection:
    """A driver connection (sqlite3 or psycopg) that runs SQLite-spelled statements."""

    def __init__(self, connection: Any, *, server: bool) -> None:
        self.driver = connection
        self.server = server

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> RawCursor:
        return RawCursor(self.driver.cursor(), server=self.server).execute(sql, parameters)

    def cursor(self) -> RawCursor:
        return RawCursor(self.driver.cursor(), server=self.server)


def session_cursor(session: Session) -> RawCursor:
    """A cursor of the session's own connection, inside its transaction."""
    connection = session.connection()
    server = connection.dialect.name == "postgresql"
    return RawCursor(connection.connection.driver_connection.cursor(), server=server)  # type: ignore[union-attr]


def stored_date(value: str | dt.date | None) -> dt.date | None:
    """A date as read back: SQLite keeps SQLAlchemy's text ("2026-11-21"), psycopg a date."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def stored_datetime(value: str | dt.datetime | None) -> dt.datetime | None:
    """A date and time as read back ("2026-11-21 07:44:22.000000" from SQLite)."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)
