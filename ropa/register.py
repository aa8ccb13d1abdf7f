"""The register: the one façade that opens a store and builds the services over it.

Opening (recognition, upgrades, backups) is ropa/storage/opener.py; the unit of work
(engines, transactions, save confirmation, error words) is the store it opens
(ropa/storage/file_store.py or server_store.py, made by ropa/storage/factory.py). How the
process keeps its registers (SQLite apart or in process) comes in as StorageOptions, chosen
where the process starts: ui/app.py for the desktop app, this module's default for the
command line. Each service takes the store, never this class.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from db.hosted import call_while_waiting
from db.storage_options import SQLITE_IN_PROCESS, StorageOptions
from ropa.storage.opener import (
    OpenedStore,
    new_register_file,
    open_store,
    refuse_unusable_path,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from db.raw import RawConnection
    from ropa.activities import ActivityService
    from ropa.history import HistoryService
    from ropa.library import LibraryService
    from ropa.notices.service import NoticeService
    from ropa.organisation import OrganisationService
    from ropa.review import ReviewService
    from ropa.storage.activity_list import ActivityList
    from ropa.storage.factory import OpenStore

# StorageOptions is handed on to the desktop layer from here, so that ui/ reaches storage
# only through ropa/ (ui -> ropa -> db).
__all__ = [
    "SQLITE_IN_PROCESS",
    "Register",
    "StorageOptions",
    "call_while_waiting",
    "new_register_file",
    "open_in_background",
    "refuse_unusable_path",
]


class Register:
    """One open register (a file or a team register's database). Services hang off it; each
    call is one transaction of its store."""

    def __init__(self, opened: OpenedStore) -> None:
        self.store: OpenStore = opened.store
        # The backup made by this opening (the first of the day), if any.
        self.daily_backup = opened.daily_backup
        # Why the daily backup could not be made ("" when all is well).
        self.backup_problem = opened.backup_problem
        # What opening found beside the file and set aside, in words ("" when nothing).
        self.side_file_note = opened.side_file_note
        # A team register whose protections are older than this version's ("" otherwise).
        self.team_note = opened.team_note

    @classmethod
    def open(
        cls,
        location: Path | str,
        *,
        options: StorageOptions = SQLITE_IN_PROCESS,
        create: bool = True,
        read_only: bool = False,
        daily_backup: bool = True,
        reading: bool = False,
    ) -> Register:
        """Open (or create) the register at `location` (a file path or a postgresql:// URL);
        see ropa.storage.opener.open_store. `options`: how this process keeps its registers;
        the default, SQLite in this process, is the command line's."""
        return cls(
            open_store(
                location,
                options=options,
                create=create,
                read_only=read_only,
                daily_backup=daily_backup,
                reading=reading,
            )
        )

    # --- what the windows and commands read of the store ----------------------------------

    @property
    def options(self) -> StorageOptions:
        """How this register was opened: a window opens the next one the same way."""
        return self.store.options

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def location(self) -> str:
        """Where the register is, as --db takes it: the file's path or the server's URL."""
        return self.store.location

    @property
    def server_url(self) -> str | None:
        return self.store.server_url

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    @property
    def read_only_reason(self) -> str:
        return self.store.read_only_reason

    @property
    def network_location(self) -> str:
        return self.store.network_location

    @property
    def replaced_reason(self) -> str:
        return self.store.replaced_reason

    @property
    def confirm_saves(self) -> bool:
        return self.store.confirm_saves

    @property
    def engine(self) -> Engine:
        return self.store.engine

    def transaction(self) -> AbstractContextManager[Session]:
        return self.store.transaction()

    def reading(self) -> AbstractContextManager[Session]:
        return self.store.reading()

    def plain_reading(self) -> AbstractContextManager[RawConnection]:
        return self.store.plain_reading()

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- services ------------------------------------------------------------------------

    @property
    def activities(self) -> ActivityService:
        from ropa.activities import ActivityService

        return ActivityService(self.store)

    @property
    def activity_list(self) -> ActivityList:
        from ropa.storage.activity_list import ActivityList

        return ActivityList(self.store)

    @property
    def review(self) -> ReviewService:
        from ropa.review import ReviewService

        return ReviewService(
            self.store, self.activities, self.activity_list, self.library, self.organisation
        )

    @property
    def library(self) -> LibraryService:
        from ropa.library import LibraryService

        return LibraryService(self.store)

    @property
    def organisation(self) -> OrganisationService:
        from ropa.organisation import OrganisationService

        return OrganisationService(self.store)

    @property
    def notices(self) -> NoticeService:
        from ropa.notices.service import NoticeService

        # The notices read the other services too (ropa/notices/service.py NoticeRegister).
        return NoticeService(self)

    @property
    def history(self) -> HistoryService:
        from ropa.history import HistoryService

        return HistoryService(self.store)


def open_in_background(
    location: Path | str, *, options: StorageOptions = SQLITE_IN_PROCESS, **choices: bool
) -> Future[Register]:
    """Start opening `location` (Register.open with `options` and `choices`) on a thread of
    its own.

    The integrity check reads every page of the file; SQLite does that without holding
    Python's interpreter lock, so a caller loading Qt meanwhile is not held up by it.
    `result()` gives the register or raises what Register.open raised.
    """
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="open-register")
    opening = executor.submit(Register.open, location, options=options, **choices)
    executor.shutdown(wait=False)  # the thread ends once the register is open
    return opening
