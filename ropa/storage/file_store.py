"""The unit of work over one register file: its engine and sessions, each save one
transaction, confirmed on the file where the process's options say so, never written into a
file that is no longer the register, and SQLite's storage errors in words.

Made by ropa/storage/factory.py (make_store) once the opener (ropa/storage/opener.py) has
recognised the file; nothing here decides how SQLite runs: the StorageOptions say.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from db import network_drive
from db.connection import connect, needs_immutable
from db.file_identity import (
    FileIdentity,
    new_register_number,
    number_statement,
    read_identity,
    why_not_the_same,
)
from db.raw import RawConnection
from db.storage_options import StorageOptions
from ropa.errors import (
    FileReplacedError,
    SaveInterruptedError,
    SaveNotConfirmedError,
    storage_problem,
)
from ropa.storage.store_parts import (
    LazyOrm,
    OrmParts,
    busy_refusal,
    read_only_refusal,
    unstorable_text,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from db.save_witness import SaveWitness


class FileStore:
    """One open register file. Each `transaction()` is one save; readings see one snapshot."""

    server_url: str | None = None

    def __init__(
        self,
        path: Path,
        *,
        options: StorageOptions,
        read_only: bool,
        read_only_reason: str = "",
    ) -> None:
        self.path = path
        self.options = options
        self.read_only = read_only
        # Why it is read-only, in words for the banner ("" when it is writable).
        self.read_only_reason = read_only_reason if read_only else ""
        # Where the file is when that is a network share ("" when local): such a register is
        # opened with a rollback journal whatever the options say (db/connection.py).
        self.network_location = network_drive.network_location(path)
        # A read-only register in a folder that cannot be written is read as immutable (see
        # db.connection.read_only_uri); decided once, as the file is opened.
        self._immutable = read_only and needs_immutable(path)
        self._orm = LazyOrm(self._make_orm)
        self._witness: SaveWitness | None = None
        # The file as this store last left it (db/file_identity.py): each save first checks
        # that the file is still that one. None until a writable file is settled.
        self._identity: FileIdentity | None = None
        # Why the file at `path` is not the register any more ("" while it is).
        self.replaced_reason = ""

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def confirm_saves(self) -> bool:
        """Whether each save is confirmed on the file from another process (where something
        else in this process may open the file: the app); see db/save_witness.py."""
        return self.options.saves_confirmed

    @property
    def engine(self) -> Engine:
        return self._orm.parts().engine

    def _make_orm(self) -> OrmParts:
        from db.engine import make_engine, make_session_factory

        engine = make_engine(
            self.path, options=self.options, read_only=self.read_only, immutable=self._immutable
        )
        return OrmParts(
            engine, make_session_factory(engine), make_session_factory(engine, reader=True)
        )

    def settle(self) -> None:
        """Put a writable register file in the options' journal mode (a file from an older
        version, or one that came to a share, leaves WAL now, while no other of our
        connections has it open), give it its own number if it has none, and note its
        identity, which every save checks first (db/file_identity.py)."""
        connection = connect(self.path, options=self.options)
        try:
            if connection.execute("PRAGMA application_id").fetchone()[0] == 0:
                connection.execute(number_statement(new_register_number()))
        finally:
            connection.close()
        self._identity = read_identity(self.path)

    def close(self) -> None:
        self._orm.dispose()
        if self.read_only or self._identity is None:
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
                connect(self.path, options=self.options).close()

    # --- saving ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back whole on any error."""
        if self.read_only:
            raise read_only_refusal(self.path, self.read_only_reason)
        from sqlalchemy.exc import OperationalError

        self._check_still_the_file()
        sessions = self._orm.parts().sessions
        mark = 0
        committing = False
        try:
            with sessions.begin() as session:
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

            if isinstance(error.orig, HostStoppedError):
                self._after_helper_stopped(error.orig, committing=committing, mark=mark)
                # The helper died after COMMIT: the file holds the save, so it is saved.
                self._note_file_after_save()
                return
            reached = self._reached_file(committing, mark)
            if problem := storage_problem(error, self.path, saving=True, reached_file=reached):
                if reached:
                    self._note_file_after_save()
                raise problem from error
            # SQLite says "database is locked" and has no error codes to ask.
            if "locked" not in str(error.orig):
                raise
            raise busy_refusal(self.path) from error
        except UnicodeEncodeError as error:
            raise unstorable_text(error) from error
        if mark:
            self._confirm_save(mark)
        if self.options.checkpoints_after_save:
            self._checkpoint()
        self._note_file_after_save()

    def _after_helper_stopped(self, error: BaseException, *, committing: bool, mark: int) -> None:
        """Raise SaveInterruptedError unless the file shows the save the stopped helper
        process was making (then return: it is saved)."""
        held = self._file_holds(mark) if committing and mark else False
        if held is None:
            raise SaveInterruptedError(
                f"Your last change may not have been saved: {error} ROPA desk has started a "
                f"new one, but could not read {self.path} afterwards to tell whether it holds "
                "the change. Open the register again and look before making the change again."
            ) from error
        if not held:
            raise SaveInterruptedError(
                f"Your last change was not saved: {error} ROPA desk has started a new one. "
                f"The register {self.path} holds everything saved before; make the change "
                "again."
            ) from error

    def _check_still_the_file(self) -> None:
        """Refuse (FileReplacedError) to save into a file that is no longer the register that
        was opened: replaced, overwritten, moved or deleted by another program."""
        if self._identity is None:
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

    def _note_file_after_save(self) -> None:
        if self._identity is not None:
            now = read_identity(self.path)
            if now is not None:
                self._identity = now

    def _reached_file(self, committing: bool, mark: int) -> bool | None:
        """Whether a save that met an error reached the file: not before COMMIT (SQLite rolls
        the transaction back whole), unknown at COMMIT unless the file's mark tells."""
        if not committing:
            return False
        return self._file_holds(mark) if mark else None

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

    # --- reading --------------------------------------------------------------------------

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session that sees one consistent snapshot of the register."""
        with self._orm.parts().reader_sessions() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def plain_reading(self) -> Iterator[RawConnection]:
        """The driver's own connection reading one consistent snapshot, for the few reads that
        must not wait for SQLAlchemy (the activities list as the main window first appears)
        or skip its statement building (db/raw.py). Nothing read through it can be written
        back: the transaction is always rolled back."""
        connection = connect(
            self.path, options=self.options, read_only=self.read_only, immutable=self._immutable
        )
        try:
            connection.execute("BEGIN")
            yield RawConnection(connection, server=False)
        finally:
            connection.close()


def _wrote(session: Session) -> bool:
    """Whether the session's transaction has changed any row (flushing what is pending)."""
    from db.engine import changes_since_begin

    session.flush()
    return changes_since_begin(session.connection()) > 0
