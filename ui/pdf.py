"""The PDF writer that notices and the checks report share."""

from __future__ import annotations

from PySide6.QtCore import QIODevice, QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

CREATOR = "ROPA desk"


def pdf_writer(
    target: str | QIODevice,
    title: str,
    margin_mm: float,
    paper: QPageSize.PageSizeId = QPageSize.PageSizeId.A4,
) -> QPdfWriter:
    """A portrait PDF writer (A4 unless told otherwise) onto a file name or an open device,
    with the document's title and ROPA desk as its creator in the PDF's properties."""
    writer = QPdfWriter(target)
    writer.setTitle(title)
    writer.setCreator(CREATOR)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(paper),
            QPageLayout.Orientation.Portrait,
            QMarginsF(margin_mm, margin_mm, margin_mm, margin_mm),
            QPageLayout.Unit.Millimeter,
        )
    )
    return writer
