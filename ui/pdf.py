"""The A4 PDF writer that notices and the checks report share."""

from __future__ import annotations

from PySide6.QtCore import QIODevice, QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

CREATOR = "ROPA desk"


def a4_pdf_writer(target: str | QIODevice, title: str, margin_mm: float) -> QPdfWriter:
    """A portrait A4 PDF writer onto a file name or an open device, with the document's title
    and ROPA desk as its creator in the PDF's properties."""
    writer = QPdfWriter(target)
    writer.setTitle(title)
    writer.setCreator(CREATOR)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(margin_mm, margin_mm, margin_mm, margin_mm),
            QPageLayout.Unit.Millimeter,
        )
    )
    return writer
