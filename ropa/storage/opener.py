"""Opening a register: recognising the file, refusing what cannot be a register, setting
aside what does not belong beside it, rolling back an unfinished save, upgrading an older
schema after a backup copy, creating a new register, the first backup of the day; and the
same for a team register's database. What it opens is a store (ropa/storage/factory.py);
ropa/register.py builds the services over it.

Opening a register file needs nothing but the sqlite3 module: SQLAlchemy (about a third of a
second to import, with the tables) is imported only for an upgrade or a new register, or the
first time a service asks for a transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from db.connection import connect, needs_immutable
from db.file_identity import new_register_number, number_statement
from db.raw import RawConnection
from db.schema import (
    empty_register_image,
    head_revision,
    known_revisions,
    stored_revision,
    upgrade_to_head,
)
from db.server import is_server_url, without_password
from db.storage_options import SQLITE_IN_PROCESS, StorageOptions
from db.team_catalog import register_tables_owner
from ropa.backup import BEFORE_UPGRADE, backup_folder, make_backup, make_daily_backup
from ropa.errors import (
    FileWriteError,
    NoRegisterError,
    RegisterFileError,
    RopaError,
    held_by_another,
    proves_damage,
    storage_problem,
)
from ropa.storage.factory import OpenStore, make_store
from ropa.storage.file_store import FileStore
from ropa.storage.store_parts import first_line_of, in_use_refusal

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from ropa.storage.server_store import ServerStore


SQLITE_HEADER = b"SQLite format 3\x00"
ZIP_HEADER = b"PK\x03\x04"


@dataclass
class OpenedStore:
    """A store as opening left it, with what opening did that the user should hear of."""

    store: OpenStore
    # The backup made by this opening (the first of the day), if any.
    daily_backup: Path | None = None
    # Why the daily backup could not be made ("" when all is well): worth a warning, never a
    # reason to refuse the user their register.
    backup_problem: str = ""
    # What opening found beside the file and set aside, in words ("" when nothing).
    side_file_note: str = ""
    # A team register whose protections are older than this version's, in words ("" when
    # they are current, or for a file).
    team_note: str = ""


def open_store(
    location: Path | str,
    *,
    options: StorageOptions,
    create: bool = True,
    read_only: bool = False,
    daily_backup: bool = True,
    reading: bool = False,
) -> OpenedStore:
    """Open (or create) a register, upgrading its schema after a backup copy.

    A file that cannot be a register (not SQLite, another database, damaged, from a newer
    version) is refused with a RegisterFileError and left as it was: nothing is written to
    it before it has been recognised. A file or folder that cannot be written opens
    read-only (the store's `read_only`, with `read_only_reason` to show the user). The
    first writable opening of each day backs the register up first. `reading` (the
    commands that only read): opened read-only, so that nothing is written to the file or
    beside it, unless its schema must first be upgraded (after a backup). `options`: how
    this process keeps its registers (SQLite apart or in process, saves confirmed).
    """
    if is_server_url(location):
        store = _open_server(str(location), options, create=create, read_only=read_only)
        return OpenedStore(store, team_note=_team_note(store))
    path = Path(location).expanduser()
    refuse_unusable_path(path)
    if path.is_dir():
        raise RegisterFileError(
            f"{path} is a folder, not a register file. Choose a register file "
            "(such as register.ropa) or type a new file name."
        )
    if not path.exists():
        if not create:
            raise NoRegisterError(f"There is no register at {path}. Check the path.")
        return OpenedStore(_create(path, options))
    _check_is_sqlite(path)
    if reading and not read_only:
        with contextlib.suppress(_UpgradeNeededError):
            return open_store(
                path, options=options, create=False, read_only=True, daily_backup=False
            )
    reason = "it was opened read-only on request" if read_only else writability_problem(path)
    read_only = bool(reason)
    side_file_note = _set_aside_foreign_wal(path, read_only=read_only)
    unclean = _left_unclosed(path)
    if unclean and not read_only:
        _roll_back_unfinished_save(path, options)
    _prepare_schema(path, options, read_only=read_only, thorough=unclean)
    opened = OpenedStore(
        make_store(path, options=options, read_only=read_only, read_only_reason=reason),
        side_file_note=side_file_note,
    )
    if not read_only:
        try:
            with _in_use_when_locked(path, options):
                _file_store(opened.store).settle()
        except BaseException:
            opened.store.close()
            raise
    if daily_backup and not read_only:
        try:
            opened.daily_backup = make_daily_backup(path, options=options)
        except FileWriteError as error:
            opened.backup_problem = str(error)
    return opened


@contextlib.contextmanager
def _in_use_when_locked(path: Path, options: StorageOptions) -> Iterator[None]:
    """Another program that locked the file after it was recognised (while it is settled or
    upgraded) makes the opening a refusal in words, not an error nobody expected."""
    try:
        yield
    except RopaError:
        raise
    except Exception as error:
        if held_by_another(error):
            raise in_use_refusal(path, options.busy_wait_seconds) from error
        raise


def _file_store(store: OpenStore) -> FileStore:
    assert isinstance(store, FileStore), "a path always makes a file's store"
    return store


def _create(path: Path, options: StorageOptions) -> FileStore:
    """Build a new register beside the target, then move it in place (new_register_file)."""
    from db.engine import make_session_factory
    from ropa.starter import seed_new_register

    with (
        new_register_file(path, ".new", options=options) as engine,
        make_session_factory(engine).begin() as session,
    ):
        seed_new_register(session)
    store = _file_store(make_store(path, options=options, read_only=False))
    store.settle()
    return store


def _open_server(
    url: str, options: StorageOptions, *, create: bool, read_only: bool
) -> ServerStore:
    """Open the register in a PostgreSQL database, creating it in an empty one.

    The server keeps its own backups and runs each migration in one transaction, so
    there is no backup file to make here.
    """
    from sqlalchemy import inspect
    from sqlalchemy.exc import OperationalError

    from ropa.starter import ensure_organisation_row, seed_new_register
    from ropa.storage.server_store import ServerStore

    shown = without_password(url)
    store = make_store(
        url,
        options=options,
        read_only=read_only,
        read_only_reason="it was opened read-only on request" if read_only else "",
    )
    assert isinstance(store, ServerStore), "a postgresql:// URL always makes a server's store"
    try:
        engine = store.engine
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            revision = None
            if "alembic_version" in tables:
                raw = RawConnection(connection.connection.driver_connection, server=True)
                revision = stored_revision(raw)  # type: ignore[arg-type]
        if revision is None and tables:
            raise RegisterFileError(
                f"The database {shown} holds tables but no ROPA desk register. Name an "
                "empty database, or the one that holds the register; nothing was changed."
            )
        if revision is None and not create:
            raise NoRegisterError(f"There is no register in the database {shown}.")
        known = revision is None or revision == head_revision()
        if not known and revision not in known_revisions():
            raise RegisterFileError(
                f"The register in {shown} was saved by a newer version of ROPA desk "
                f"(schema {revision}). Install the latest version to open it."
            )
        if not read_only:
            if revision != head_revision():
                if revision is not None:
                    _refuse_upgrade_by_others(engine, shown)
                from db.schema import upgrade_within
                from ropa.team import refresh_team_within

                # The upgrade and the team's grants for the tables it adds commit
                # together: if either fails, the register stays as it was, usable.
                with engine.begin() as connection:
                    upgrade_within(connection)
                    refresh_team_within(connection)
            with store.writer_sessions.begin() as session:
                if revision is None:
                    seed_new_register(session)
                else:
                    ensure_organisation_row(session)
    except OperationalError as error:
        store.close()
        from ropa.team_refusals import refusal_on_open

        if (refusal := refusal_on_open(url, error)) is not None:
            raise refusal from error
        raise RegisterFileError(
            f"Cannot connect to the team register at {shown} ({first_line_of(error)}). Check "
            "the address, that the server is running, and your password in the "
            "PostgreSQL password file (pgpass)."
        ) from error
    except BaseException:
        store.close()
        raise
    return store


def _team_note(store: ServerStore) -> str:
    from ropa.team import protections_note

    try:
        with store.engine.connect() as connection:
            return protections_note(connection.connection.driver_connection)
    except BaseException:
        store.close()
        raise


@contextlib.contextmanager
def new_register_file(
    path: Path, suffix: str, *, options: StorageOptions = SQLITE_IN_PROCESS
) -> Iterator[Engine]:
    """An engine over a new register at the newest schema, built in a temporary file (`path`
    with `suffix`) and moved into place when the block ends without error, so that a failure
    (or the process killed) never leaves a half-made register at `path`.

    The schema is a copy of the empty register the migrations made once in this process
    (db.schema.empty_register_image): 2-3 ms a register, where migrating each new file took
    50-70 ms once Alembic was loaded (bench/new_register.py, docs/performance.md)."""
    from db.engine import make_engine

    image = empty_register_image()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RegisterFileError(
            f"Cannot create the folder {path.parent}: {error.strerror}. Choose another place."
        ) from error
    partial = path.with_name(path.name + suffix)
    writing_image: OSError | None = None
    try:
        _create_private_file(partial)
        try:
            _write_into(partial, image)
        except OSError as error:
            writing_image = error
            raise
        engine = make_engine(partial, options=options)
        try:
            with engine.connect() as connection:
                # Outside any transaction: the pool's own connection, in autocommit.
                connection.connection.driver_connection.execute(  # type: ignore[union-attr]
                    number_statement(new_register_number())
                )
            yield engine
        finally:
            # Closing the last connection checkpoints the WAL into the file itself.
            engine.dispose()
        remove_sidecars(partial)
        if path.exists() and path.stat().st_size > 0:
            # Checked before the build began, which may take seconds: a register saved there
            # meanwhile (another copy, another window creating it) must not be replaced.
            raise RegisterFileError(
                f"{path} was saved by someone else while this register was being made: "
                "theirs is kept as it is, and this one was not written there. Open it, or "
                "choose another name."
            )
        partial.replace(path)
    except OSError as error:
        remove_with_sidecars(partial)
        if error is writing_image:
            # A disk that fills while the schema is written: left as the operating system
            # said it, as SQLite's own error was when the migrations ran here, so that the
            # caller says in its words (storage_problem) that the disk is full, naming the
            # file it was making.
            raise
        raise RegisterFileError(
            f"Cannot create a register at {path}: {error.strerror or error}. "
            "Check that you may write to that folder, or choose another place."
        ) from error
    except BaseException:
        remove_with_sidecars(partial)
        raise


def _check_is_sqlite(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except PermissionError as error:
        raise RegisterFileError(
            f"{path} cannot be read: permission denied. Ask whoever manages the folder for "
            "read access, or open a copy."
        ) from error
    except OSError as error:
        raise RegisterFileError(f"{path} cannot be read: {error.strerror or error}.") from error
    if header == SQLITE_HEADER:
        return
    hint = (
        " It looks like a spreadsheet: use Import (ropa import) to bring it into a register."
        if header.startswith(ZIP_HEADER)
        else " Choose a .ropa register file."
    )
    raise RegisterFileError(f"{path} is not a ROPA desk register (not an SQLite database).{hint}")


class _UpgradeNeededError(RegisterFileError):
    """A read-only opening of a register whose schema must be upgraded first."""


def refuse_unusable_path(path: Path) -> None:
    """Refuse (RegisterFileError) a path that must not be opened, nor replaced by a new
    register: a link to a file that is not there (a share or drive not connected) and an
    empty file (a copy that failed, a sync that has not finished)."""
    if path.is_symlink() and not path.exists():
        raise RegisterFileError(
            f"{path} is a link to {path.readlink()}, which is not there (a drive or network "
            "share that is not connected?). Connect it and try again; nothing was changed."
        )
    try:
        empty = path.is_file() and path.stat().st_size == 0
    except OSError:
        empty = False
    if empty:
        raise RegisterFileError(
            f"{path} is empty (0 bytes), so it is not a register: perhaps a copy or a sync "
            "that did not finish. ROPA desk has left it as it is. Open the register from "
            f"wherever it was copied from, or a backup in the folder "
            f"\u201c{backup_folder(path).name}\u201d; to start a new register there, delete "
            "the empty file first."
        )


_HEADER_ROLLBACK = b"\x01\x01"


def _side_file(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _set_aside_foreign_wal(path: Path, *, read_only: bool) -> str:
    """Move a -wal file that cannot belong to the register out of SQLite's way, before
    SQLite opens the register (it would replay any -wal beside it into the file).

    A register is kept with a rollback journal (db/connection.py), and SQLite writes a WAL
    only for a file whose header says WAL: a -wal beside a file whose header says rollback
    was left by another file (a register copied or synced over this one while another was
    open). It goes into the backup folder, unused. Returns what was done, in words."""
    wal = _side_file(path, "-wal")
    if not wal.exists():
        return ""
    with path.open("rb") as handle:
        header = handle.read(20)
    if header[18:20] != _HEADER_ROLLBACK:
        return ""  # a WAL-mode file (older versions): its -wal may hold its last saves
    folder = backup_folder(path)
    kept = folder / f"{path.stem} {dt.datetime.now():%Y-%m-%d %H%M%S} not used{path.suffix}-wal"
    if read_only:
        raise RegisterFileError(
            f"A file {wal.name} lies beside {path.name}, left by another register file, and "
            "ROPA desk cannot move it out of the way here (the folder is read-only). Copy "
            f"{path.name} alone somewhere you can write to and open the copy; nothing was "
            "changed."
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        wal.replace(kept)
        _side_file(path, "-shm").unlink(missing_ok=True)
    except OSError as error:
        raise RegisterFileError(
            f"A file {wal.name} lies beside {path.name}, left by another register file, and "
            f"could not be moved out of the way ({error.strerror or error}). Nothing was "
            "changed."
        ) from error
    return (
        f"A file {wal.name} lay beside the register, left by another register file (this one "
        f"does not use such a file). It was not used: it is in \u201c{folder.name}\u201d as "
        f"{kept.name}. The register is as it was last saved."
    )


def _left_unclosed(path: Path) -> bool:
    """Whether the file was not closed cleanly: a journal or WAL with content beside it."""
    for suffix in ("-journal", "-wal"):
        try:
            if _side_file(path, suffix).stat().st_size > 0:
                return True
        except OSError:
            continue
    return False


def _roll_back_unfinished_save(path: Path, options: StorageOptions) -> None:
    """Let SQLite roll back a save that a crash left half-written (a hot -journal), which a
    read-only connection cannot do; a journal in use by another process is not hot, and
    SQLite leaves it alone."""
    if not _side_file(path, "-journal").exists():
        return
    try:
        connection = connect(path, options=options)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        if held_by_another(error):
            # The journal is another program's save under way, not ours left by a crash.
            raise in_use_refusal(path, options.busy_wait_seconds) from error
        if problem := storage_problem(error, path, saving=False):
            raise problem from error
        raise RegisterFileError(
            f"{path} was not closed cleanly and its unfinished last save could not be rolled "
            f"back ({first_line_of(error)}). Close every program that has it open and try again."
        ) from error


def _prepare_schema(
    path: Path, options: StorageOptions, *, read_only: bool, thorough: bool = False
) -> None:
    """Recognise the file's schema version; back it up and upgrade it when it is older.

    Everything up to the upgrade reads through a mode=ro connection, so a file refused here
    cannot have been written to. `thorough`: the file was not closed cleanly, and is checked
    with integrity_check, which also compares every index with its table.
    """
    try:
        inspector = connect(path, options=options, read_only=True, immutable=needs_immutable(path))
    except sqlite3.Error as error:
        if problem := storage_problem(error, path, saving=False):
            raise problem from error
        raise RegisterFileError(
            f"{path} cannot be opened as a register ({first_line_of(error)}). "
            "Check that it is a register file; it has not been changed."
        ) from error
    try:
        # quick_check reads every page: a truncated file or garbage pages are found
        # now, with a clear message, rather than half-way through the user's work.
        check = "integrity_check" if thorough else "quick_check"
        verdict = inspector.execute(f"PRAGMA {check}").fetchone()[0]
        if verdict != "ok":
            raise RegisterFileError(
                f"{path} is damaged ({str(verdict).splitlines()[0]}). Restore it from a "
                "backup copy; the file has not been changed."
            )
        listed = inspector.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = {row[0] for row in listed}
        revision = stored_revision(inspector) if "alembic_version" in tables else None
        # At the head (the everyday case) Alembic is not even imported.
        known = revision is not None and (
            revision == head_revision() or revision in known_revisions()
        )
        has_organisation = (
            known and inspector.execute("SELECT 1 FROM organisation LIMIT 1").fetchone() is not None
        )
    except sqlite3.Error as error:
        if problem := storage_problem(error, path, saving=False):
            raise problem from error
        if held_by_another(error):
            raise in_use_refusal(path, options.busy_wait_seconds) from error
        if proves_damage(error):
            raise RegisterFileError(
                f"{path} is damaged and cannot be read as a register ({first_line_of(error)}). "
                "Restore it from a backup copy; the file has not been changed."
            ) from error
        raise RegisterFileError(
            f"{path} cannot be read as a register now ({first_line_of(error)}). The file has not "
            "been changed and nothing shows it is damaged: close other programs that may "
            "have it open and try again."
        ) from error
    finally:
        inspector.close()

    if revision is None:
        if tables:
            raise RegisterFileError(
                f"{path} is an SQLite database but not a ROPA desk register. "
                "Choose a .ropa register file; the file has not been changed."
            )
        raise RegisterFileError(
            f"{path} is an empty SQLite database, not a ROPA desk register. "
            "Choose a .ropa register file or a new file name."
        )
    if not known:
        raise RegisterFileError(
            f"{path} was saved by a newer version of ROPA desk (schema {revision}). "
            "Install the latest version of ROPA desk to open it; the file has not been changed."
        )
    if revision != head_revision() or not has_organisation:
        if read_only:
            if revision != head_revision():
                raise _UpgradeNeededError(
                    f"{path} comes from an older version of ROPA desk and must be upgraded, but "
                    "it is read-only. Copy it somewhere you can write to and open the copy."
                )
            return
        with _in_use_when_locked(path, options):
            _upgrade(path, revision, options)


def _upgrade(path: Path, revision: str, options: StorageOptions) -> None:
    """Bring an older (or organisation-less) register up to date, after a backup copy."""
    from db.engine import make_engine, make_session_factory
    from ropa.starter import ensure_organisation_row

    if revision != head_revision():
        make_backup(path, BEFORE_UPGRADE, options=options)
    engine = make_engine(path, options=options)
    try:
        if revision != head_revision():
            upgrade_to_head(engine)
        with make_session_factory(engine).begin() as session:
            ensure_organisation_row(session)
    finally:
        engine.dispose()


def _refuse_upgrade_by_others(engine: Engine, shown: str) -> None:
    """Only the owner of a server register's tables can upgrade them (PostgreSQL lets no one
    else alter a table): anyone else opening it after ROPA desk was updated is told whom to
    ask, rather than shown the server's refusal of the first statement of the upgrade."""
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None  # a live connection of the pool
        tables = register_tables_owner(driver)
    owner = tables.owner
    if not tables.may_alter:
        raise RegisterFileError(
            f"The register in {shown} must be upgraded for this version of ROPA desk, which "
            f"only the owner of its tables, {owner}, can do: for a team register the IT team "
            f"runs ropa team init {shown} with its administrator login. Nothing was changed."
        )


def writability_problem(path: Path) -> str:
    """Why the register cannot be written, in words for the user; "" when it can.

    The one place the app asks the operating system; tests replace it to simulate a
    read-only file for a user (root writes everywhere that is not immutable).
    """
    if not os.access(path, os.W_OK):
        return "the file is read-only"
    # WAL needs to create the -wal and -shm files beside the register, hence the folder too.
    if not os.access(path.parent, os.W_OK):
        return f"the folder {path.parent.name or path.parent} cannot be written to"
    return ""


def _create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only (on POSIX; Windows ignores the mode)."""
    remove_with_sidecars(path)
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(descriptor)


def _write_into(path: Path, image: bytes) -> None:
    """Write `image` into the existing, empty file at `path`, keeping the file (and the
    permissions _create_private_file gave it). Not synced here: the register number's
    commit that follows syncs the whole file (synchronous FULL) before it is moved in place."""
    with path.open("r+b") as handle:
        handle.write(image)


def remove_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def remove_with_sidecars(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
        remove_sidecars(path)
