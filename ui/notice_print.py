"""Notices on paper and in PDF, through Qt's rich text engine.

The notice's HTML is laid out by a QTextDocument page by page inside the margins; each page
gets a header (the title, and the date it was last updated) and a footer ("Page 2 of 5").
The same painting serves the PDF writer, the print preview and the printer.
"""

from __future__ import annotations

import atexit
import os
import sys

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QPagedPaintDevice,
    QPainter,
    QPen,
    QTextCursor,
    QTextDocument,
)

from ropa.notices import NoticeDocument, render_html
from ui.pdf import a4_pdf_writer

PDF_RESOLUTION = 300
# Page margins in millimetres: generous, like a printed council leaflet.
MARGIN_MM = 20.0
HEADER_MM = 10.0
FOOTER_MM = 10.0
BODY_FONT_POINTS = 10.5
FONT_FAMILIES = ["Segoe UI", "Arial", "Helvetica", "DejaVu Sans", "Liberation Sans"]


def ensure_gui_application() -> None:
    """Qt needs a GUI application for fonts; the command line has none, so make one (with
    no window system on a Linux machine that has no display)."""
    if QGuiApplication.instance() is not None:
        return
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    # Kept on the module so that it lives as long as the process.
    global _application
    _application = QGuiApplication(["ropa"])
    # Tear Qt down before Python's own finalisation, which otherwise can crash on exit.
    atexit.register(_application.shutdown)


_application: QGuiApplication | None = None


def notice_pdf_bytes(notice: NoticeDocument) -> bytes:
    """The notice as an A4 PDF (the writer registered for ".pdf")."""
    ensure_gui_application()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # No page margins: the notice paints its own margins, header and footer.
    writer = a4_pdf_writer(buffer, notice.title, margin_mm=0)
    writer.setResolution(PDF_RESOLUTION)
    paint_notice(writer, notice)
    buffer.close()
    return bytes(data.data())


def paint_notice(device: QPagedPaintDevice, notice: NoticeDocument) -> int:
    """Lay the notice out on `device` (a QPdfWriter or a QPrinter); returns the page count."""
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("The printer or PDF file could not be started.")
    try:
        return _paint_pages(painter, device, notice)
    finally:
        painter.end()


def _space_blocks(document: QTextDocument, dots_per_mm: float) -> None:
    """Give paragraphs and headings room to breathe: Qt's rich text takes stylesheet
    margins in device pixels, which on a 300 dpi page are too small to see."""
    # One edit block, so the document is laid out once rather than after every change.
    editing = QTextCursor(document)
    editing.beginEditBlock()
    block = document.begin()
    while block.isValid():
        block_format = block.blockFormat()
        level = block_format.headingLevel()
        if level in (1, 2):
            block_format.setTopMargin((0.5 if level == 1 else 2.0) * dots_per_mm)
            block_format.setBottomMargin(0.6 * dots_per_mm)
        elif level == 3:
            block_format.setTopMargin(1.0 * dots_per_mm)
            block_format.setBottomMargin(0.3 * dots_per_mm)
        elif block.textList() is None:
            block_format.setBottomMargin(0.8 * dots_per_mm)
        else:
            block_format.setBottomMargin(0.2 * dots_per_mm)
            next_block = block.next()
            if not next_block.isValid() or next_block.textList() != block.textList():
                block_format.setBottomMargin(0.8 * dots_per_mm)
        QTextCursor(block).setBlockFormat(block_format)
        block = block.next()
    editing.endEditBlock()


def _paint_pages(painter: QPainter, device: QPagedPaintDevice, notice: NoticeDocument) -> int:
    layout = device.pageLayout()
    full = layout.fullRectPixels(device.logicalDpiX())
    dots_per_mm = device.logicalDpiX() / 25.4
    margin = MARGIN_MM * dots_per_mm
    header = HEADER_MM * dots_per_mm
    footer = FOOTER_MM * dots_per_mm
    body = QRectF(
        margin,
        margin + header,
        full.width() - 2 * margin,
        full.height() - 2 * margin - header - footer,
    )

    document = QTextDocument()
    document.documentLayout().setPaintDevice(device)
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(BODY_FONT_POINTS)
    document.setDefaultFont(font)
    document.setDocumentMargin(0)
    # Use the stylesheet's @media print rules, as a browser does when printing.
    document.setMetaInformation(QTextDocument.MetaInformation.CssMedia, "print")
    document.setHtml(render_html(notice))
    _space_blocks(document, dots_per_mm)
    document.setPageSize(QSizeF(body.width(), body.height()))
    pages = document.pageCount()

    small = QFont(font)
    small.setPointSizeF(8.5)
    grey = QColor("#505a5f")
    for page in range(pages):
        if page:
            device.newPage()
        painter.save()
        painter.setFont(small)
        painter.setPen(grey)
        header_rect = QRectF(margin, margin, body.width(), header * 0.8)
        bottom = Qt.AlignmentFlag.AlignBottom
        painter.drawText(header_rect, int(bottom | Qt.AlignmentFlag.AlignLeft), notice.title)
        painter.drawText(
            header_rect,
            int(bottom | Qt.AlignmentFlag.AlignRight),
            f"Last updated {notice.last_updated}",
        )
        painter.setPen(QPen(QColor("#b7c9d6"), max(1.0, dots_per_mm * 0.2)))
        painter.drawLine(
            int(margin),
            int(margin + header * 0.9),
            int(margin + body.width()),
            int(margin + header * 0.9),
        )
        painter.setPen(grey)
        footer_rect = QRectF(margin, body.bottom() + footer * 0.3, body.width(), footer * 0.7)
        painter.drawText(
            footer_rect,
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
            notice.organisation.name,
        )
        painter.drawText(
            footer_rect,
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight),
            f"Page {page + 1} of {pages}",
        )
        painter.restore()

        painter.save()
        painter.translate(body.left(), body.top() - page * body.height())
        document.drawContents(painter, QRectF(0, page * body.height(), body.width(), body.height()))
        painter.restore()
    return pages
