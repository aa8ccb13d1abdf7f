"""A team register on a PostgreSQL server: recognising its URL and making its engine.

The URL is the standard libpq one (postgresql://LOGIN@HOST[:PORT]/DATABASE). The password is
never ours to keep: libpq reads it from the standard password file (~/.pgpass, or the file
PGPASSFILE names; %APPDATA%\\postgresql\\pgpass.conf on Windows) or the server takes another
way of signing in that libpq knows (Kerberos, certificates). A password typed into a URL is
used for that connection and never written anywhere by us.

Connections to a server never go through the helper process that file registers use in the
app (db/hosted.py): that process exists to keep SQLite's file locks, which a server has not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from db.storage_options import SQLITE_IN_PROCESS
from db.team_security import WRITER_WAIT_SETTING

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.orm import Session, sessionmaker

SCHEMES = ("postgresql://", "postgres://")


def is_server_url(location: object) -> bool:
    """Whether `location` names a register on a PostgreSQL server rather than a file."""
    return isinstance(location, str) and location.lower().startswith(SCHEMES)


def server_url_problem(url: str) -> str | None:
    """What is wrong with a server URL's form, in words (None when nothing is)."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 (raises for a port that is not a number)
    except ValueError:
        return (
            f"{without_password(url)}: the port, after the server's name and a colon, must be a "
            "number from 1 to 65535, as in postgresql://LOGIN@HOST:5432/DATABASE."
        )
    if not parts.hostname or not parts.path.strip("/"):
        return (
            f"{without_password(url)} names no server or no database: a team register's "
            "address is postgresql://LOGIN@HOST:PORT/DATABASE."
        )
    return None


def without_password(url: str) -> str:
    """The URL to show and remember: never with a password in it."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    login = f"{parts.username}@" if parts.username else ""
    return urlunsplit((parts.scheme, login + host, parts.path, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


# Every session of the app answers within seconds, whatever another session holds: a
# statement waits at most the process's busy wait for a lock (StorageOptions
# .busy_wait_seconds, 5 s unless `--wait` says) and runs at most STATEMENT_LIMIT, and a
# transaction left idle (a crashed client) is ended by the server.
LOCK_WAIT_MS = SQLITE_IN_PROCESS.busy_wait_ms
STATEMENT_LIMIT_MS = 60_000
IDLE_IN_TRANSACTION_MS = 60_000


def session_options(lock_wait_ms: int) -> str:
    """libpq's `options` for every session of the app: the limits above, and the same wait
    for a team register's writer lock (read by its take_writer_lock)."""
    return (
        f"-c lock_timeout={int(lock_wait_ms)} -c statement_timeout={STATEMENT_LIMIT_MS} "
        f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS} "
        f"-c {WRITER_WAIT_SETTING}={int(lock_wait_ms)}"
    )


def _driver_url(url: str) -> str:
    """SQLAlchemy's spelling of the URL for the psycopg 3 driver."""
    rest = url.split("://", 1)[1]
    return f"postgresql+psycopg://{rest}"


def make_server_engine(
    url: str, *, read_only: bool = False, lock_wait_ms: int = LOCK_WAIT_MS
) -> Engine:
    """An engine over the register database at `url`, whose statements wait at most
    `lock_wait_ms` for a lock another session holds.

    Writers run at READ COMMITTED and queue for the register's writer lock (`lock_writer`),
    as writers of a file queue for the file.
    """
    from sqlalchemy import create_engine

    engine = create_engine(
        _driver_url(url),
        # A server connection may have been dropped while the app sat idle (a restart, a VPN
        # that slept): checked as it is taken from the pool, and replaced.
        pool_pre_ping=True,
        connect_args={
            "application_name": "ROPA desk",
            "options": session_options(lock_wait_ms),
        },
    )
    if read_only:
        engine = engine.execution_options(postgresql_readonly=True)
    return engine


def make_server_session_factory(engine: Engine, *, reader: bool = False) -> sessionmaker[Session]:
    """Sessions over the engine; `reader` sessions see one snapshot and cannot write."""
    from sqlalchemy.orm import sessionmaker

    bind = (
        engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        if reader
        else engine
    )
    return sessionmaker(bind, expire_on_commit=False)


# One number for "the register's writer": an advisory lock, held for a transaction.
_WRITER_LOCK_KEY = 0x524F5041  # "ROPA"


def lock_writer(connection: Connection, wait_ms: int) -> None:
    """Wait (at most `wait_ms`, the process's busy wait, as a file's writer waits) to be the
    register's one writer until this transaction ends, as BEGIN IMMEDIATE makes a file's
    writers queue.

    Every service reads, checks the version the user saw, and writes, in one transaction;
    at READ COMMITTED two people saving one activity at the same moment could both pass the
    check and the second save overwrite the first. Behind the lock each writer's reads see
    every save committed before it, so the second is told of the first (a ConflictError)
    and nothing is lost. Readers never take it.

    On a team register the lock is a row only the server's own function may lock, so that
    nobody can take it any other way; a save that waits too long is told who holds it.
    """
    if is_team_register(connection):
        # The server's function waits as long as the session's WRITER_WAIT_SETTING says
        # (session_options), with no statement more per save.
        connection.exec_driver_sql("SELECT ropa_team.take_writer_lock()")
        return
    connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(wait_ms)}")
    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_WRITER_LOCK_KEY})")


def is_team_register(connection: Connection) -> bool:
    """Whether the server behind `connection` holds a team register (ropa team init), whose
    triggers write the change history and whose function hands out the writer lock.
    Asked once per server connection."""
    info = connection.connection.info
    if "ropa_team" not in info:
        info["ropa_team"] = bool(
            connection.exec_driver_sql(
                "SELECT to_regprocedure('ropa_team.take_writer_lock()') IS NOT NULL"
            ).scalar()
        )
    return bool(info["ropa_team"])


def is_lock_timeout(error: BaseException) -> bool:
    """Whether the server gave up waiting for a lock (SQLSTATE 55P03, lock_not_available)."""
    original = getattr(error, "orig", None) or error
    return getattr(original, "sqlstate", None) == "55P03"


def may_connect(url: str) -> bool | None:
    """Whether the login of `url` holds the CONNECT privilege on its database, asked of the
    server in its maintenance database "postgres"; None when that cannot be asked (no such
    database, or the login may not connect there either).

    A connection refused at the door carries no SQLSTATE (libpq keeps no error fields for a
    failed connection) and the server's words follow its lc_messages, so why a login was
    kept out is asked of the server rather than read from its message.
    """
    import psycopg

    parts = urlsplit(url)
    maintenance = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    try:
        # Briefly: a server that did not answer the first time is not waited for again.
        with psycopg.connect(maintenance, connect_timeout=3, autocommit=True) as connection:
            row = connection.execute(
                "SELECT has_database_privilege(session_user, oid, 'CONNECT') "
                "FROM pg_database WHERE datname = %s",
                (database_name(url),),
            ).fetchone()
    except psycopg.Error:
        return None
    return None if row is None else bool(row[0])
