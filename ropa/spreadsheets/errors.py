"""Errors of reading and writing Article 30 spreadsheets, each said in one plain line."""

from __future__ import annotations

from ropa.errors import RopaError


class SpreadsheetError(RopaError):
    """A workbook cannot be imported or written as it is; nothing was changed."""


class ImportCancelled(RopaError):  # noqa: N818 (the name other modules use)
    """The user stopped an import; the register was left exactly as it was."""


class ExportCancelled(RopaError):  # noqa: N818 (the name other modules use)
    """The user stopped an export; no file was written."""
