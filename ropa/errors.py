"""Errors a user can act on. Each message says what is wrong, where, and what to do."""


class RopaError(Exception):
    """Base for every error the app shows to the user in plain words."""


class RegisterFileError(RopaError):
    """The register file cannot be opened as it is (a folder, not SQLite, too new...)."""


class ValidationError(RopaError):
    """A value the user gave is not acceptable; `field` names the field concerned."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(RopaError):
    """The activity, item or notice asked for is not (or no longer) in the register."""


class InUseError(RopaError):
    """A library item cannot be deleted because activities still use it."""


class ConflictError(RopaError):
    """Someone else saved this record since it was loaded (optimistic concurrency)."""


class RegisterBusyError(RopaError):
    """Another program held the register's write lock for longer than the busy timeout."""


class SaveNotConfirmedError(RopaError):
    """A save committed, but the register file seen from another process does not hold it."""


class ReadOnlyError(RopaError):
    """The register was opened read-only and cannot be changed."""


class FileWriteError(RopaError):
    """An output file could not be written; nothing was left half-written."""
