"""Opening a register file safely, and the transactions every service runs in.

Opening a register and reading the activities list need nothing but the sqlite3 module:
SQLAlchemy (about a third of a second to import, with the tables) is imported the first
time a service asks for a transaction, which the main window does only once it is shown.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from db import network_drive
from db.connection import checkpoints_after_save, connect, run_sqlite_apart, sqlite_runs_apart
from db.file_identity import (
    FileIdentity,
    new_register_number,
    number_statement,
    read_identity,
    why_not_the_same,
)
from db.hosted import call_while_waiting
from db.raw import RawConnection
from db.schema import head_revision, known_revisions, stored_revision, upgrade_to_head
from db.server import database_name, is_server_url, without_password
from ropa.backup import BEFORE_UPGRADE, backup_folder, make_backup, make_daily_backup
from ropa.errors import (
    FileReplacedError,
    FileWriteError,
    ReadOnlyError,
    RegisterBusyError,
    RegisterFileError,
    SaveInterruptedError,
    SaveNotConfirmedError,
    ValidationError,
    proves_damage,
    storage_problem,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from db.save_witness import SaveWitness
    from ropa.activities import ActivityService
    from ropa.history import HistoryService
    from ropa.library import LibraryService
    from ropa.notices.service import NoticeService
    from ropa.organisation import OrganisationService
    from ropa.review import ReviewService
    from ropa.storage.activity_list import ActivityList

__all__ = ["Register", "call_while_waiting", "open_in_background", "run_sqlite_apart"]

SQLITE_HEADER = b"SQLite format 3\x00"
ZIP_HEADER = b"PK\x03\x04"


class _Orm(NamedTuple):
    engine: Engine
    sessions: sessionmaker[Session]
    reader_sessions: sessionmaker[Session]


class Register:
    """One open register file. Services hang off it; each call is one transaction."""

    def __init__(
        self,
        path: Path,
        *,
        read_only: bool,
        read_only_reason: str = "",
        server_url: str | None = None,
    ) -> None:
        self.path = path
        # A team register on a PostgreSQL server (db/server.py): its URL, None for a file.
        self.server_url = server_url
        self.read_only = read_only
        # Why it is read-only, in words for the banner ("" when it is writable).
        self.read_only_reason = read_only_reason if read_only else ""
        # Where the file is when that is a network share ("" when local): such a register is
        # opened with a rollback journal, not WAL (db/connection.py), and the user is told.
        self.network_location = network_drive.network_location(path)
        # The backup made by this opening (the first of the day), if any.
        self.daily_backup: Path | None = None
        # Why the daily backup could not be made ("" when all is well): worth a warning,
        # never a reason to refuse the user their register.
        self.backup_problem = ""
        # A read-only register in a folder that cannot be written is read as immutable (see
        # db.connection.read_only_uri); decided once, as the file is opened.
        self._immutable = read_only and _needs_immutable(path)
        self._orm_lock = threading.Lock()
        self._orm: _Orm | None = None
        # Each save is confirmed on the file from another process where something else in
        # this process may open the file (the app); see db/save_witness.py.
        self.confirm_saves = sqlite_runs_apart() and server_url is None
        self._witness: SaveWitness | None = None
        # The file as this register last left it (db/file_identity.py): each save first
        # checks that the file is still that one. None until a writable file is settled.
        self._identity: FileIdentity | None = None
        # Why the file at `path` is not the register any more ("" while it is).
        self.replaced_reason = ""
        # What opening found beside the file and set aside, in words ("" when nothing).
        self.side_file_note = ""

    @property
    def location(self) -> str:
        """Where the register is, as --db takes it: the file's path or the server's URL."""
        return self.server_url if self.server_url is not None else str(self.path)

    @property
    def engine(self) -> Engine:
        return self._orm_parts().engine

    def _orm_parts(self) -> _Orm:
        """The engine and its session factories, made (and SQLAlchemy imported) the first
        time a service needs them; threads asking at once share the one engine."""
        with self._orm_lock:
            if self._orm is None and self.server_url is not None:
                from db.server import make_server_engine, make_server_session_factory

                engine = make_server_engine(self.server_url, read_only=self.read_only)
                self._orm = _Orm(
                    engine,
                    make_server_session_factory(engine),
                    make_server_session_factory(engine, reader=True),
                )
            if self._orm is None:
                from db.engine import make_engine, make_session_factory

                engine = make_engine(self.path, read_only=self.read_only, immutable=self._immutable)
                self._orm = _Orm(
                    engine, make_session_factory(engine), make_session_factory(engine, reader=True)
                )
            return self._orm

    # --- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        create: bool = True,
        read_only: bool = False,
        daily_backup: bool = True,
        reading: bool = False,
    ) -> Register:
        """Open (or create) a register, upgrading its schema after a backup copy.

        A file that cannot be a register (not SQLite, another database, damaged, from a
        newer version) is refused with a RegisterFileError and left as it was: nothing is
        written to it before it has been recognised.  A file or folder that cannot be
        written opens read-only (`read_only`, with `read_only_reason` to show the user).
        The first writable opening of each day backs the register up first.
        `reading` (the commands that only read): opened read-only, so that nothing is written
        to the file or beside it, unless its schema must first be upgraded (after a backup).
        """
        if is_server_url(path):
            return cls._open_server(str(path), create=create, read_only=read_only)
        path = Path(path).expanduser()
        refuse_unusable_path(path)
        if path.is_dir():
            raise RegisterFileError(
                f"{path} is a folder, not a register file. Choose a register file "
                "(such as register.ropa) or type a new file name."
            )
        if not path.exists():
            if not create:
                raise RegisterFileError(f"There is no register at {path}. Check the path.")
            return cls._create(path)
        _check_is_sqlite(path)
        if reading and not read_only:
            with contextlib.suppress(_UpgradeNeededError):
                return cls.open(path, create=False, read_only=True, daily_backup=False)
        reason = "it was opened read-only on request" if read_only else writability_problem(path)
        read_only = bool(reason)
        side_file_note = _set_aside_foreign_wal(path, read_only=read_only)
        unclean = _left_unclosed(path)
        if unclean and not read_only:
            _roll_back_unfinished_save(path)
        _prepare_schema(path, read_only=read_only, thorough=unclean)
        register = cls(path, read_only=read_only, read_only_reason=reason)
        register.side_file_note = side_file_note
        if not read_only:
            register._settle_file()
        if daily_backup and not read_only:
            try:
                register.daily_backup = make_daily_backup(path)
            except FileWriteError as error:
                register.backup_problem = str(error)
        return register

    @classmethod
    def _create(cls, path: Path) -> Register:
        """Build a new register beside the target, then move it in place (new_register_file)."""
        from db.engine import make_session_factory
        from ropa.starter import seed_new_register

        with (
            new_register_file(path, ".new") as engine,
            make_session_factory(engine).begin() as session,
        ):
            seed_new_register(session)
        register = cls(path, read_only=False)
        register._settle_file()
        return register

    def _settle_file(self) -> None:
        """Put a writable register file in the rollback journal mode (a file from an older
        version, or one that came to a share, leaves WAL now, while no other of our
        connections has it open), give it its own number if it has none, and note its
        identity, which every save checks first (db/file_identity.py)."""
        connection = connect(self.path)
        try:
            if connection.execute("PRAGMA application_id").fetchone()[0] == 0:
                connection.execute(number_statement(new_register_number()))
        finally:
            connection.close()
        self._identity = read_identity(self.path)

    def _check_still_the_file(self) -> None:
        """Refuse (FileReplacedError) to save into a file that is no longer the register that
        was opened: replaced, overwritten, moved or deleted by another program."""
        if self._identity is None or self.server_url is not None:
            return
        if not self.replaced_reason:
            self.replaced_reason = why_not_the_same(
                self._identity, read_identity(self.path), self.path
            )
        if self.replaced_reason:
            raise FileReplacedError(
                f"Not saved: {self.replaced_reason} after ROPA desk opened it, so ROPA desk "
                f"will not write into {self.path} (that would damage whatever is there now, "
                "and it was left exactly as it is). Your change is still shown: use File > "
                "Save a copy to keep this register as you see it in a new file, then decide "
                "which file to keep."
            )

    @classmethod
    def _open_server(cls, url: str, *, create: bool, read_only: bool) -> Register:
        """Open the register in a PostgreSQL database, creating it in an empty one.

        The server keeps its own backups and runs each migration in one transaction, so
        there is no backup file to make here.
        """
        from sqlalchemy import inspect
        from sqlalchemy.exc import OperationalError

        from ropa.starter import ensure_organisation_row, seed_new_register

        shown = without_password(url)
        register = cls(
            Path(database_name(url)),
            read_only=read_only,
            read_only_reason="it was opened read-only on request" if read_only else "",
            server_url=url,
        )
        try:
            engine = register.engine
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
                raise RegisterFileError(f"There is no register in the database {shown}.")
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
                with register._orm_parts().sessions.begin() as session:
                    if revision is None:
                        seed_new_register(session)
                    else:
                        ensure_organisation_row(session)
        except OperationalError as error:
            register.close()
            from ropa.team_refusals import refusal_on_open

            if (refusal := refusal_on_open(url, error)) is not None:
                raise refusal from error
            raise RegisterFileError(
                f"Cannot connect to the team register at {shown} ({_reason(error)}). Check "
                "the address, that the server is running, and your password in the "
                "PostgreSQL password file (pgpass)."
            ) from error
        except BaseException:
            register.close()
            raise
        return register

    def close(self) -> None:
        with self._orm_lock:
            if self._orm is not None:
                self._orm.engine.dispose()
        if self.read_only or self.server_url is not None or self._identity is None:
            return
        # The file at the path is touched again only while it is still this register: a
        # file that replaced it is left exactly as it is, with nothing beside it.
        with contextlib.suppress(Exception):
            if self.replaced_reason or why_not_the_same(
                self._identity, read_identity(self.path), self.path
            ):
                return
            # A WAL left by a read of another version's register folds back into the file.
            if self.path.with_name(self.path.name + "-wal").exists():
                connect(self.path).close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- transactions --------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back whole on any error."""
        if self.read_only:
            raise ReadOnlyError(
                f"{self.path.name} is open read-only ({self.read_only_reason}), so this "
                "change was not made. Save a copy to edit it."
            )
        from sqlalchemy.exc import OperationalError

        self._check_still_the_file()
        sessions = self._orm_parts().sessions
        mark = 0
        committing = False
        try:
            with sessions.begin() as session:
                if self.server_url is not None:
                    from db.server import lock_writer

                    lock_writer(session.connection())
                yield session
                # Flushed now, so that an error after `committing` is one of COMMIT itself.
                session.flush()
                if self.confirm_saves and _wrote(session):
                    from db.save_witness import mark_statement, new_mark

                    mark = new_mark()
                    session.connection().exec_driver_sql(mark_statement(mark))
                committing = True
        except OperationalError as error:
            from db.hosted import HostStoppedError
            from db.server import is_lock_timeout

            if isinstance(error.orig, HostStoppedError) and self.server_url is None:
                held = self._file_holds(mark) if committing and mark else False
                if held is None:
                    raise SaveInterruptedError(
                        f"Your last change may not have been saved: {error.orig} ROPA desk "
                        f"has started a new one, but could not read {self.path} afterwards "
                        "to tell whether it holds the change. Open the register again and "
                        "look before making the change again."
                    ) from error
                if not held:
                    raise SaveInterruptedError(
                        f"Your last change was not saved: {error.orig} ROPA desk has started "
                        f"a new one. The register {self.path} holds everything saved before; "
                        "make the change again."
                    ) from error
                # The helper died after COMMIT: the file holds the save, so it is saved.
                self._note_file_after_save()
                return
            if self.server_url is None and (
                problem := storage_problem(error, self.path, saving=True)
            ):
                raise problem from error
            if self.server_url is not None:
                # A lost connection, or the server's writer lock naming who holds it.
                from ropa.team_refusals import refusal_for

                if (refusal := refusal_for(self, error, committing=committing)) is not None:
                    raise refusal from error
            # SQLite says "database is locked" and has no error codes to ask; a server's lock
            # timeout is told by its SQLSTATE alone, as its words follow lc_messages.
            sqlite_locked = self.server_url is None and "locked" in str(error.orig)
            if not sqlite_locked and not is_lock_timeout(error):
                raise
            raise RegisterBusyError(
                f"{self.path.name} is busy: someone else is saving to it. Nothing was changed; "
                "wait a moment and try again."
            ) from error
        except UnicodeEncodeError as error:
            # A lone surrogate (from damaged pasted or imported text) cannot be stored.
            raise _unstorable_text(error) from error
        except Exception as error:
            if self.server_url is not None and _holds_nul(error):
                raise ValidationError(
                    "Nothing was saved: the text holds a NUL character (U+0000), which a "
                    "team register on a PostgreSQL server cannot store. It comes from damaged "
                    "pasted or imported text: retype that part of the text and save again."
                ) from error
            if self.server_url is not None:
                # A team register's server refuses what the login's role may not: in words.
                from ropa.team_refusals import refusal_for

                refusal = refusal_for(self, error, committing=committing)
                if refusal is not None:
                    raise refusal from error
            raise
        if mark:
            self._confirm_save(mark)
        if checkpoints_after_save():
            self._checkpoint()
        self._note_file_after_save()

    def _note_file_after_save(self) -> None:
        if self._identity is not None:
            now = read_identity(self.path)
            if now is not None:
                self._identity = now

    def _file_holds(self, mark: int) -> bool | None:
        """Whether the file, read afresh from another process, holds the save marked `mark`;
        None when it could not be read to tell (unknown is not "no")."""
        from db.save_witness import SaveWitness

        try:
            return SaveWitness(self.path).file_mark() == mark
        except (sqlite3.Error, OSError):
            return None

    def _checkpoint(self) -> None:
        """Fold the WAL back into the file and empty it (bench/save_modes.py's variant)."""
        pooled = self.engine.raw_connection()
        try:
            pooled.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        finally:
            pooled.close()

    def _confirm_save(self, mark: int) -> None:
        """Raise SaveNotConfirmedError unless the file itself holds the save that left `mark`."""
        from db.save_witness import SaveWitness, read_mark

        if self._witness is None:
            self._witness = SaveWitness(self.path)

        def writer_mark() -> int:
            with self.engine.connect() as connection:
                return read_mark(connection.connection.driver_connection)

        if not self._witness.confirms(mark, writer_mark):
            raise SaveNotConfirmedError(
                f"Your last change may not have reached {self.path}: the file on disk does not "
                "show it (another program may have moved, replaced or repaired the register "
                "file). Keep this window open and use File > Save a copy to keep your work in "
                "a new file, then open that copy."
            )

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session that sees one consistent snapshot of the register."""
        with self._server_words(), self._orm_parts().reader_sessions() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def _server_words(self) -> Iterator[None]:
        """A team register's read that the server gave up on (a lock held too long): in words."""
        from sqlalchemy.exc import DBAPIError

        try:
            yield
        except DBAPIError as error:
            if self.server_url is None:
                raise
            from ropa.team_refusals import reading_refusal

            if (refusal := reading_refusal(self, error)) is not None:
                raise refusal from error
            raise

    @contextlib.contextmanager
    def plain_reading(self) -> Iterator[RawConnection]:
        """The driver's own connection reading one consistent snapshot, for the few reads that
        must not wait for SQLAlchemy on a file (the activities list as the main window first
        appears) or skip its statement building (db/raw.py). Nothing read through it can be
        written back: the transaction is always rolled back."""
        if self.server_url is not None:
            import psycopg

            from ropa.team_refusals import reading_refusal

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
            return
        connection = connect(self.path, read_only=self.read_only, immutable=self._immutable)
        try:
            connection.execute("BEGIN")
            yield RawConnection(connection, server=False)
        finally:
            connection.close()

    # --- services ------------------------------------------------------------------------

    @property
    def activities(self) -> ActivityService:
        from ropa.activities import ActivityService

        return ActivityService(self)

    @property
    def activity_list(self) -> ActivityList:
        from ropa.storage.activity_list import ActivityList

        return ActivityList(self)

    @property
    def review(self) -> ReviewService:
        from ropa.review import ReviewService

        return ReviewService(
            self, self.activities, self.activity_list, self.library, self.organisation
        )

    @property
    def library(self) -> LibraryService:
        from ropa.library import LibraryService

        return LibraryService(self)

    @property
    def organisation(self) -> OrganisationService:
        from ropa.organisation import OrganisationService

        return OrganisationService(self)

    @property
    def notices(self) -> NoticeService:
        from ropa.notices.service import NoticeService

        return NoticeService(self)

    @property
    def history(self) -> HistoryService:
        from ropa.history import HistoryService

        return HistoryService(self)


@contextlib.contextmanager
def new_register_file(path: Path, suffix: str) -> Iterator[Engine]:
    """An engine over a new register at the newest schema, built in a temporary file (`path`
    with `suffix`) and moved into place when the block ends without error, so that a failure
    (or the process killed) never leaves a half-made register at `path`."""
    from db.engine import make_engine

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RegisterFileError(
            f"Cannot create the folder {path.parent}: {error.strerror}. Choose another place."
        ) from error
    partial = path.with_name(path.name + suffix)
    try:
        _create_private_file(partial)
        engine = make_engine(partial)
        try:
            upgrade_to_head(engine)
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
        raise RegisterFileError(
            f"Cannot create a register at {path}: {error.strerror or error}. "
            "Check that you may write to that folder, or choose another place."
        ) from error
    except BaseException:
        remove_with_sidecars(partial)
        raise


def open_in_background(path: Path | str, **options: bool) -> Future[Register]:
    """Start opening `path` (Register.open with `options`) on a thread of its own.

    The integrity check reads every page of the file; SQLite does that without holding
    Python's interpreter lock, so a caller loading Qt meanwhile is not held up by it.
    `result()` gives the register or raises what Register.open raised.
    """
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="open-register")
    opening = executor.submit(Register.open, path, **options)
    executor.shutdown(wait=False)  # the thread ends once the register is open
    return opening


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


def _roll_back_unfinished_save(path: Path) -> None:
    """Let SQLite roll back a save that a crash left half-written (a hot -journal), which a
    read-only connection cannot do; a journal in use by another process is not hot, and
    SQLite leaves it alone."""
    if not _side_file(path, "-journal").exists():
        return
    try:
        connection = connect(path)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        if problem := storage_problem(error, path, saving=False):
            raise problem from error
        raise RegisterFileError(
            f"{path} was not closed cleanly and its unfinished last save could not be rolled "
            f"back ({_reason(error)}). Close every program that has it open and try again."
        ) from error


def _prepare_schema(path: Path, *, read_only: bool, thorough: bool = False) -> None:
    """Recognise the file's schema version; back it up and upgrade it when it is older.

    Everything up to the upgrade reads through a mode=ro connection, so a file refused here
    cannot have been written to. `thorough`: the file was not closed cleanly, and is checked
    with integrity_check, which also compares every index with its table.
    """
    try:
        inspector = connect(path, read_only=True, immutable=_needs_immutable(path))
    except sqlite3.Error as error:
        if problem := storage_problem(error, path, saving=False):
            raise problem from error
        raise RegisterFileError(
            f"{path} cannot be opened as a register ({_reason(error)}). "
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
        if proves_damage(error):
            raise RegisterFileError(
                f"{path} is damaged and cannot be read as a register ({_reason(error)}). "
                "Restore it from a backup copy; the file has not been changed."
            ) from error
        raise RegisterFileError(
            f"{path} cannot be read as a register now ({_reason(error)}). The file has not "
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
        _upgrade(path, revision)


def _upgrade(path: Path, revision: str) -> None:
    """Bring an older (or organisation-less) register up to date, after a backup copy."""
    from db.engine import make_engine, make_session_factory
    from ropa.starter import ensure_organisation_row

    if revision != head_revision():
        make_backup(path, BEFORE_UPGRADE)
    engine = make_engine(path)
    try:
        if revision != head_revision():
            upgrade_to_head(engine)
        with make_session_factory(engine).begin() as session:
            ensure_organisation_row(session)
    finally:
        engine.dispose()


def _wrote(session: Session) -> bool:
    """Whether the session's transaction has changed any row (flushing what is pending)."""
    from db.engine import changes_since_begin

    session.flush()
    return changes_since_begin(session.connection()) > 0


def _refuse_upgrade_by_others(engine: Engine, shown: str) -> None:
    """Only the owner of a server register's tables can upgrade them (PostgreSQL lets no one
    else alter a table): anyone else opening it after ROPA desk was updated is told whom to
    ask, rather than shown the server's refusal of the first statement of the upgrade."""
    with engine.connect() as connection:
        owner, may_alter = connection.exec_driver_sql(
            "SELECT tableowner, pg_has_role(tableowner, 'USAGE') FROM pg_tables "
            "WHERE schemaname = 'public' AND tablename = 'alembic_version'"
        ).one()
    if not may_alter:
        raise RegisterFileError(
            f"The register in {shown} must be upgraded for this version of ROPA desk, which "
            f"only the owner of its tables, {owner}, can do: for a team register the IT team "
            f"runs ropa team init {shown} with its administrator login. Nothing was changed."
        )


def _holds_nul(error: BaseException) -> bool:
    """Whether psycopg refused a text value for holding U+0000 (PostgreSQL's text cannot)."""
    original = getattr(error, "orig", None) or error
    return "NUL (0x00)" in str(original)


def _unstorable_text(error: UnicodeEncodeError) -> ValidationError:
    text = str(error.object)
    start, end = error.start, error.end
    shown = (text[max(start - 30, 0) : start] + "\ufffd" + text[end : end + 30]).strip()
    character = f"U+{ord(text[start]):04X}" if start < len(text) else "unknown"
    return ValidationError(
        f"Nothing was saved: the text \u201c{shown}\u201d holds a broken character "
        f"({character}, shown as \ufffd), as damaged text pasted from elsewhere can. "
        "Retype that part of the text and save again."
    )


def _reason(error: BaseException) -> str:
    original = getattr(error, "orig", None)
    return str(original or error).splitlines()[0]


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


def _needs_immutable(path: Path) -> bool:
    """Whether SQLite must read the file as immutable to read it at all.

    mode=ro on a WAL-mode file needs a -shm file beside it, which a read-only folder
    cannot receive.  With no -wal file the main file holds every committed change, so it
    may be read as immutable.
    """
    folder_locked = not os.access(path.parent, os.W_OK)
    has_wal = path.with_name(path.name + "-wal").exists()
    return folder_locked and not has_wal


def _create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only (on POSIX; Windows ignores the mode)."""
    remove_with_sidecars(path)
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(descriptor)


def remove_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def remove_with_sidecars(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
        remove_sidecars(path)
