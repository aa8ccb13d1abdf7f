"""Copying a whole register: from a file or a team register (PostgreSQL) into a new file or
an empty server database, with everything in it.

Every table the models describe is copied row for row with its ids (activities and their
child rows, libraries, organisation, notices and their published versions, the change
history and the review state live in those rows), so the copy is the same register: it
exports the same workbooks and shows the same history.

The target is either complete or untouched, even if the copy is killed half-way: a file is
built beside the target and moved into place when complete; on a server the schema and every
row are written in one transaction (PostgreSQL's DDL is transactional), so an interrupted copy
leaves the database as empty as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from db.server import is_server_url, without_password
from db.storage_options import SQLITE_IN_PROCESS, StorageOptions
from ropa.errors import RegisterFileError, RopaError
from ropa.register import Register, new_register_file

if TYPE_CHECKING:
    from sqlalchemy import Connection, Table

# Rows read and written at a time: large enough that a 10,000-activity register copies in
# a few hundred statements, small enough to keep memory flat.
CHUNK_ROWS = 2000

# Called on a server target inside the copy's transaction, after every row is in: the team
# register's owner role, groups and policies (ropa team init) go there; the IT team's
# administrator login copies, and names the first DPO afterwards with ropa team init --dpo.
ServerSetup = Callable[["Connection"], None]


@dataclass(frozen=True)
class CopyCounts:
    """How many rows of each table were copied."""

    rows: dict[str, int] = field(default_factory=dict)

    @property
    def activities(self) -> int:
        return self.rows.get("activities", 0)

    @property
    def changes(self) -> int:
        return self.rows.get("change_history", 0)


def shown_location(location: Path | str) -> str:
    """A register's location as it may be shown: a URL never with its password."""
    return without_password(location) if isinstance(location, str) else str(location)


def copy_register(
    source: Path | str,
    target: Path | str,
    *,
    server_setup: ServerSetup | None = None,
    options: StorageOptions = SQLITE_IN_PROCESS,
) -> CopyCounts:
    """Copy the register at `source` into `target`: a file that does not exist yet (or is
    empty), or a server database that holds no tables. Anything else is refused with a
    RegisterFileError before anything is written. `options`: how this process keeps its
    registers (how long to wait for a busy one: the command line's --wait)."""
    _check_target_is_empty(target, options)
    with (
        Register.open(source, options=options, create=False, daily_backup=False) as register,
        register.reading() as session,
    ):
        reading = session.connection()
        if isinstance(target, str):
            return _copy_to_server(reading, target, server_setup, options)
        return _copy_to_file(reading, target, options)


# --- targets -----------------------------------------------------------------------------


def _check_target_is_empty(target: Path | str, options: StorageOptions) -> None:
    if isinstance(target, str):
        if not is_server_url(target):
            raise RegisterFileError(f"{target} is not a file path or a postgresql:// address.")
        _check_server_is_empty(target, options)
        return
    if target.is_dir():
        raise RegisterFileError(f"{target} is a folder. Name a new register file to copy into.")
    if target.exists() and target.stat().st_size > 0:
        raise RegisterFileError(
            f"{target} already exists. Copy into a new file name; nothing was changed."
        )


def _check_server_is_empty(url: str, options: StorageOptions) -> None:
    from sqlalchemy.exc import OperationalError

    from db.server import make_server_engine

    engine = make_server_engine(url, lock_wait_ms=options.busy_wait_ms)
    try:
        with engine.connect() as connection:
            _refuse_tables(connection, url)
    except OperationalError as error:
        raise RegisterFileError(
            f"Cannot connect to {without_password(url)} ({str(error.orig).splitlines()[0]}). "
            "Check the address and that the server is running; nothing was changed."
        ) from error
    finally:
        engine.dispose()


def _refuse_tables(connection: Connection, url: str) -> None:
    from sqlalchemy import inspect

    tables = inspect(connection).get_table_names()
    if tables:
        raise RegisterFileError(
            f"The database {without_password(url)} is not empty (it holds {len(tables)} "
            "tables). Copy into a new, empty database; nothing was changed."
        )


def _copy_to_server(
    reading: Connection, url: str, server_setup: ServerSetup | None, options: StorageOptions
) -> CopyCounts:
    from db.schema import upgrade_within
    from db.server import make_server_engine

    engine = make_server_engine(url, lock_wait_ms=options.busy_wait_ms)
    try:
        with engine.begin() as writing:
            # Checked again inside the transaction: another copy may have begun meanwhile
            # (if so, one of the two fails on creating the tables and changes nothing).
            _refuse_tables(writing, url)
            upgrade_within(writing)
            counts = _copy_rows(reading, writing)
            _restart_id_sequences(writing)
            if server_setup is not None:
                server_setup(writing)
    finally:
        engine.dispose()
    return counts


def _copy_to_file(reading: Connection, target: Path, options: StorageOptions) -> CopyCounts:
    # A copy killed half-way leaves its partial file beside the target; the next removes it.
    with (
        new_register_file(target, ".copying", options=options) as engine,
        engine.begin() as writing,
    ):
        return _copy_rows(reading, writing)


# --- rows --------------------------------------------------------------------------------


def copied_tables() -> list[Table]:
    """Every table of the register, parents before the rows that refer to them."""
    from db.models import Base

    return list(Base.metadata.sorted_tables)


def _copy_rows(reading: Connection, writing: Connection) -> CopyCounts:
    """Copy every row of every table, ids and all, then check the target holds as many."""
    from sqlalchemy import func, select

    to_server = writing.dialect.name == "postgresql"
    rows: dict[str, int] = {}
    for table in copied_tables():
        copied = 0
        for chunk in _chunks(reading, table):
            if to_server:
                _refuse_nul_characters(table, chunk)
            writing.execute(table.insert(), chunk)
            copied += len(chunk)
        rows[table.name] = copied
        stored = writing.execute(select(func.count()).select_from(table)).scalar_one()
        if stored != copied:
            raise RopaError(
                f"The copy of the table {table.name} holds {stored} rows, not {copied}; "
                "the copy was abandoned and the target left as it was."
            )
    return CopyCounts(rows)


def _chunks(reading: Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    from sqlalchemy import select

    ordered = select(table).order_by(*table.primary_key.columns)
    result = reading.execution_options(yield_per=CHUNK_ROWS).execute(ordered)
    for partition in result.mappings().partitions(CHUNK_ROWS):
        yield [dict(row) for row in partition]


def _refuse_nul_characters(table: Table, chunk: list[dict[str, Any]]) -> None:
    """PostgreSQL's text cannot hold U+0000, which a file register can: say where it is."""
    for row in chunk:
        for column, value in row.items():
            if isinstance(value, str) and "\x00" in value:
                where = ", ".join(f"{c.name} {row[c.name]}" for c in table.primary_key.columns)
                raise RegisterFileError(
                    f"The {column} of the row with {where} in {table.name} holds a NUL "
                    "character (U+0000), which a PostgreSQL server cannot store. Remove it in "
                    "the source register and copy again; nothing was changed."
                )


def _restart_id_sequences(writing: Connection) -> None:
    """Rows came in with their ids: each id sequence must continue after the highest one,
    or the next activity created on the server would take an id already in use."""
    from sqlalchemy import Integer

    for table in copied_tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        name = keys[0].name
        writing.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{name}'), "
            f"COALESCE((SELECT max({name}) FROM {table.name}), 0) + 1, false)"
        )
