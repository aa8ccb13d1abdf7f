"""Notices on paper and in PDF, through Qt's rich text engine.

The notice's HTML is laid out by a QTextDocument in pages the size of the page body (inside
the margins, below the header, above the footer); each page then paints its own lines (see
ui/text_pages.py), its header (the title, and the date it was last updated) and its footer
("Page 2 of 5").  The same painting serves the PDF writer, the print preview and the printer,
on any paper size and at any resolution: the layout is made at LAYOUT_DPI and scaled.
"""

from __future__ import annotations

import atexit
import os
import sys

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPagedPaintDevice,
    QPageSize,
    QPainter,
    QPen,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtPrintSupport import QPrinter

from ropa.notices import NoticeDocument, render_html
from ui.pdf import pdf_writer
from ui.text_pages import TextPages

# The notice is laid out at LAYOUT_DPI and painted scaled to the device; the PDF writer
# works at the same resolution, so nothing is scaled there (its coordinates are fractional,
# so the PDF is as sharp as at any other resolution).
LAYOUT_DPI = 96
PDF_RESOLUTION = LAYOUT_DPI
# Page margins in millimetres: generous, like a printed council leaflet.
MARGIN_MM = 20.0
HEADER_MM = 10.0
FOOTER_MM = 10.0
BODY_FONT_POINTS = 10.5
HEADER_FONT_POINTS = 8.5
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


def notice_pdf_bytes(
    notice: NoticeDocument,
    paper: QPageSize.PageSizeId = QPageSize.PageSizeId.A4,
    font_family: str | None = None,
) -> bytes:
    """The notice as a PDF, on A4 unless told otherwise (the writer registered for ".pdf");
    `font_family` prints it in that font instead of the stylesheet's."""
    ensure_gui_application()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # No page margins: the notice paints its own margins, header and footer.
    writer = pdf_writer(buffer, notice.marked_title, margin_mm=0, paper=paper)
    writer.setResolution(PDF_RESOLUTION)
    paint_notice(writer, notice, font_family)
    buffer.close()
    return bytes(data.data())


def paint_notice(
    device: QPagedPaintDevice, notice: NoticeDocument, font_family: str | None = None
) -> int:
    """Lay the notice out on `device` (a QPdfWriter or a QPrinter) in pages of its paper
    size; returns the page count."""
    if isinstance(device, QPrinter):
        # The notice draws its own margins, measured from the edge of the sheet: without
        # this a printer would move everything by its own margins, and the footer off the page.
        device.setFullPage(True)
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("The printer or PDF file could not be started.")
    try:
        return _paint_pages(painter, device, notice, font_family)
    finally:
        painter.end()


def layout_device() -> QImage:
    """A paint device of 96 dots per inch for the layout, whatever prints it: the stylesheet's
    pixel lengths (margins, rules) then mean what they mean in a browser, 1/96 inch, and the
    same notice breaks into the same pages on the PDF writer, the printer and the preview."""
    global _layout_image
    if _layout_image is None:
        image = QImage(1, 1, QImage.Format.Format_ARGB32)
        dots_per_metre = round(LAYOUT_DPI / 0.0254)
        image.setDotsPerMeterX(dots_per_metre)
        image.setDotsPerMeterY(dots_per_metre)
        _layout_image = image
    return _layout_image


_layout_image: QImage | None = None


def notice_text_document(
    notice: NoticeDocument, width: float, font_family: str | None = None
) -> QTextDocument:
    """The notice's HTML laid out in one column `width` layout pixels (LAYOUT_DPI) wide, to
    be cut into pages by TextPages; in `font_family` if one is given, else in the
    stylesheet's fonts."""
    document = QTextDocument()
    document.documentLayout().setPaintDevice(layout_device())
    # Glyphs placed at their designed widths, not rounded to whole pixels: the page is
    # printed far finer than it is laid out.
    document.setUseDesignMetrics(True)
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(BODY_FONT_POINTS)
    document.setDefaultFont(font)
    document.setDocumentMargin(0)
    # Use the stylesheet's @media print rules, as a browser does when printing.  Its margins
    # are in px or em (see notice.css), so no pass over the blocks is needed to space them.
    document.setMetaInformation(QTextDocument.MetaInformation.CssMedia, "print")
    # The width first, so that the text is laid out once.
    document.setTextWidth(width)
    document.setHtml(render_html(notice))
    if font_family:
        print_in_font_family(document, font_family)
    return document


def print_in_font_family(document: QTextDocument, family: str) -> None:
    """Set every character of `document` in `family`, keeping its size, weight and colour."""
    default = document.defaultFont()
    default.setFamilies([family])
    document.setDefaultFont(default)
    everything = QTextCursor(document)
    everything.select(QTextCursor.SelectionType.Document)
    font = QTextCharFormat()
    font.setFontFamilies([family])
    everything.mergeCharFormat(font)


def page_body(paper: QRect) -> QRectF:
    """Where the notice's text goes on a sheet of `paper` (in points), in layout pixels."""
    per_mm = LAYOUT_DPI / 25.4
    margin, header, footer = MARGIN_MM * per_mm, HEADER_MM * per_mm, FOOTER_MM * per_mm
    return QRectF(
        margin,
        margin + header,
        paper.width() / 72 * LAYOUT_DPI - 2 * margin,
        paper.height() / 72 * LAYOUT_DPI - 2 * margin - header - footer,
    )


def _paint_pages(
    painter: QPainter,
    device: QPagedPaintDevice,
    notice: NoticeDocument,
    font_family: str | None,
) -> int:
    # Everything is measured in layout pixels (LAYOUT_DPI); the painter scales to the device.
    per_mm = LAYOUT_DPI / 25.4
    margin, header, footer = MARGIN_MM * per_mm, HEADER_MM * per_mm, FOOTER_MM * per_mm
    body = page_body(device.pageLayout().fullRectPoints())

    document = notice_text_document(notice, body.width(), font_family)
    pages = TextPages(document, body.height(), layout_device())

    painter.scale(device.logicalDpiX() / LAYOUT_DPI, device.logicalDpiY() / LAYOUT_DPI)
    small = QFont(document.defaultFont())
    # In pixels of the layout device, as the painter is scaled from those.
    small.setPixelSize(round(HEADER_FONT_POINTS * LAYOUT_DPI / 72))
    grey, rule = QColor("#505a5f"), QPen(QColor("#b7c9d6"), 0.25 * per_mm)
    # The header's text and rule sit in the upper part of its band, clear of the first line.
    header_rect = QRectF(margin, margin, body.width(), header * 0.6)
    footer_rect = QRectF(margin, body.bottom() + footer * 0.3, body.width(), footer * 0.7)
    left, right = Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignRight
    bottom, middle = Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignVCenter
    updated = f"Last updated {notice.last_updated}"
    rule_y = margin + header * 0.7
    for page in range(pages.count):
        if page:
            device.newPage()
        painter.setFont(small)
        painter.setPen(grey)
        painter.drawText(header_rect, int(bottom | left), notice.marked_title)
        painter.drawText(header_rect, int(bottom | right), updated)
        painter.drawText(footer_rect, int(middle | left), notice.organisation.name)
        painter.drawText(footer_rect, int(middle | right), f"Page {page + 1} of {pages.count}")
        painter.setPen(rule)
        painter.drawLine(QPointF(margin, rule_y), QPointF(margin + body.width(), rule_y))

        painter.save()
        painter.translate(body.topLeft())
        pages.paint(painter, page)
        painter.restore()
    return pages.count
