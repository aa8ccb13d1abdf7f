"""The ICO's Article 30 spreadsheets: the register written out as them, and read back in."""

from ropa.spreadsheets.errors import ExportCancelled, ImportCancelled, SpreadsheetError
from ropa.spreadsheets.export import export_workbook
from ropa.spreadsheets.importer import import_workbook
from ropa.spreadsheets.report import ExportResult, ImportReport, Problem

__all__ = [
    "ExportCancelled",
    "ExportResult",
    "ImportCancelled",
    "ImportReport",
    "Problem",
    "SpreadsheetError",
    "export_workbook",
    "import_workbook",
]
