"""Notices on paper and in PDF, through Qt's rich text engine.

The notice's HTML is laid out by a QTextDocument page by page inside the margins; each page
gets a header (the title, and the date it was last updated) and a footer ("Page 2 of 5").
The same painting serves the PDF writer, the print preview and the printer.

Most of the time goes to Qt's PDF engine, which writes every glyph with its own position
(about 60 KB of page description per page, then compressed); the Python side lays the
document out once, with no pass over its blocks, and paints each page's slice of it.
"""

from __future__ import annotations

import atexit
import math
import os
import sys

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRect, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPagedPaintDevice,
    QPainter,
    QPen,
    QTextBlock,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

from ropa.notices import NoticeDocument, render_html
from ui.pdf import a4_pdf_writer

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


def _layout_device() -> QImage:
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


def notice_text_document(notice: NoticeDocument, page_size: QSizeF) -> QTextDocument:
    """The notice's HTML laid out in pages of `page_size` layout pixels (LAYOUT_DPI)."""
    document = QTextDocument()
    document.documentLayout().setPaintDevice(_layout_device())
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
    # The page size first, so the text is laid out once, straight onto pages.
    document.setPageSize(page_size)
    document.setHtml(render_html(notice))
    keep_headings_with_their_text(document)
    return document


def keep_headings_with_their_text(document: QTextDocument) -> None:
    """Start a page at any heading that would otherwise end one, apart from its text.

    Qt ignores the stylesheet's `page-break-after: avoid`, so a heading could sit alone at the
    foot of a page; as a word processor does, it moves to the next page, with any headings
    just above it (a section's heading and its first sub-heading go together).  Each break
    moves only what follows it, so the scan goes on from there once the document has been
    laid out again (rarely more than two or three times for a notice)."""
    page_height = document.pageSize().height()
    layout = document.documentLayout()
    headings_start: QTextBlock | None = None  # the first of the headings just read
    block = document.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() > 0:
            if headings_start is None:
                headings_start = block
        elif headings_start is not None:
            top = layout.blockBoundingRect(headings_start).top()
            text_top = _first_line_top(block, layout.blockBoundingRect(block).top())
            if int(text_top // page_height) > int(top // page_height) and top % page_height > 1:
                page_break = headings_start.blockFormat()
                page_break.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                QTextCursor(headings_start).setBlockFormat(page_break)
                # Qt lays out again only the block edited, not the pages after it.
                document.setPageSize(document.pageSize())
            headings_start = None
        block = block.next()


def _first_line_top(block: QTextBlock, block_top: float) -> float:
    """Where the block's first line starts (below its top margin), in document pixels."""
    lines = block.layout()
    if lines.lineCount() == 0:
        return block_top
    return lines.position().y() + lines.lineAt(0).y()


def page_body(paper: QRect) -> QRectF:
    """Where the notice's text goes on a sheet of `paper` (in points), in layout pixels.

    Whole pixels wide and high: Qt lays text out in 1/64 pixel steps, so with a page edge at
    a fraction of a pixel a line it had moved to the next page came out a hair above the
    edge, and was painted at the foot of one page and again at the top of the next."""
    per_mm = LAYOUT_DPI / 25.4
    margin, header, footer = MARGIN_MM * per_mm, HEADER_MM * per_mm, FOOTER_MM * per_mm
    return QRectF(
        margin,
        margin + header,
        math.floor(paper.width() / 72 * LAYOUT_DPI - 2 * margin),
        math.floor(paper.height() / 72 * LAYOUT_DPI - 2 * margin - header - footer),
    )


def _paint_pages(painter: QPainter, device: QPagedPaintDevice, notice: NoticeDocument) -> int:
    # Everything is measured in layout pixels (LAYOUT_DPI); the painter scales to the device.
    per_mm = LAYOUT_DPI / 25.4
    margin, header, footer = MARGIN_MM * per_mm, HEADER_MM * per_mm, FOOTER_MM * per_mm
    body = page_body(device.pageLayout().fullRectPoints())

    document = notice_text_document(notice, QSizeF(body.width(), body.height()))
    pages = document.pageCount()

    scale = device.logicalDpiX() / LAYOUT_DPI
    painter.scale(scale, device.logicalDpiY() / LAYOUT_DPI)
    small = QFont(document.defaultFont())
    # In pixels of the layout device, as the painter is scaled from those.
    small.setPixelSize(round(HEADER_FONT_POINTS * LAYOUT_DPI / 72))
    grey, rule = QColor("#505a5f"), QPen(QColor("#b7c9d6"), 0.25 * per_mm)
    header_rect = QRectF(margin, margin, body.width(), header * 0.8)
    footer_rect = QRectF(margin, body.bottom() + footer * 0.3, body.width(), footer * 0.7)
    left, right = Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignRight
    bottom, middle = Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignVCenter
    updated = f"Last updated {notice.last_updated}"
    rule_y = margin + header * 0.9
    layout = document.documentLayout()
    context = QAbstractTextDocumentLayout.PaintContext()
    for page in range(pages):
        if page:
            device.newPage()
        painter.setFont(small)
        painter.setPen(grey)
        painter.drawText(header_rect, int(bottom | left), notice.title)
        painter.drawText(header_rect, int(bottom | right), updated)
        painter.drawText(footer_rect, int(middle | left), notice.organisation.name)
        painter.drawText(footer_rect, int(middle | right), f"Page {page + 1} of {pages}")
        painter.setPen(rule)
        painter.drawLine(QPointF(margin, rule_y), QPointF(margin + body.width(), rule_y))

        # The page's slice of the document.  The layout starts no line across a page break,
        # so the lines of this page all lie inside it; the clip tells the layout which lines
        # those are (a line touching an edge counts, hence the pixel off each edge), without
        # clipping the painter, which the PDF would repeat for every line.
        painter.save()
        painter.translate(body.left(), body.top() - page * body.height())
        context.clip = QRectF(0, page * body.height() + 1, body.width(), body.height() - 2)
        layout.draw(painter, context)
        painter.restore()
    return pages
