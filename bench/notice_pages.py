"""A printed notice of about 100 A4 pages: how long the PDF takes, page by page as ROPA desk
lays it out (ui/text_pages.py), against Qt printing the same HTML with its own pagination
(QTextDocument.print_, the baseline, measured in the same run).  Target: a 100-page notice
in about a second (issue 14: correctness first; the earlier speed target is withdrawn).

    python -m bench.notice_pages [--activities 210] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSizeF
from PySide6.QtGui import QPageSize, QPdfWriter

from bench.register_data import build_register
from bench.timing import median_of
from ropa.notices import NoticeDocument, NoticeRecord, render_html
from ui.notice_print import (
    PDF_RESOLUTION,
    ensure_gui_application,
    layout_device,
    notice_pdf_bytes,
    notice_text_document,
    page_body,
)
from ui.text_pages import TextPages

TARGET_SECONDS_PER_100_PAGES = 1.0


def qt_own_pages(document: NoticeDocument) -> tuple[int, bytes]:
    """The baseline: the notice's HTML printed by Qt itself, in pages of the same body."""
    body = page_body(QPageSize(QPageSize.PageSizeId.A4).rectPoints())
    laid_out = notice_text_document(document, body.width())
    laid_out.setPageSize(QSizeF(body.width(), body.height()))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setResolution(PDF_RESOLUTION)
    laid_out.print_(writer)
    buffer.close()
    return laid_out.pageCount(), bytes(data.data())


def our_layout(document: NoticeDocument) -> int:
    """Laying the notice out and cutting it into pages, without painting them."""
    body = page_body(QPageSize(QPageSize.PageSizeId.A4).rectPoints())
    laid_out = notice_text_document(document, body.width())
    return TextPages(laid_out, body.height(), layout_device()).count


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.notice_pages", description=__doc__)
    parser.add_argument("--activities", type=int, default=210)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args(argv)
    ensure_gui_application()
    path = Path(tempfile.gettempdir()) / "ropa-bench-notice-pages.ropa"
    register = build_register(path, options.activities)
    try:
        ids = [summary.id for summary in register.activity_list.summaries()]
        notice = NoticeRecord(title="Everything we do", activity_ids=ids)
        document = register.notices.document(notice)
    finally:
        register.close()
        path.unlink(missing_ok=True)

    html_time, _ = median_of(lambda: render_html(document), options.runs)
    qt_time, (qt_pages, _) = median_of(lambda: qt_own_pages(document), options.runs)
    layout_time, pages = median_of(lambda: our_layout(document), options.runs)
    pdf_time, pdf = median_of(lambda: notice_pdf_bytes(document), options.runs)
    per_100 = pdf_time / pages * 100
    verdict = "met" if per_100 <= TARGET_SECONDS_PER_100_PAGES * 1.1 else "NOT met"
    print(f"Notice of {options.activities} activities, A4 ({options.runs} runs, medians)")
    print(f"  html for the layout           {html_time * 1000:8.1f} ms")
    print(f"  Qt's own pages (baseline)     {qt_time * 1000:8.1f} ms   {qt_pages} pages   1.00 x")
    print(
        f"  ours: layout and cut          {layout_time * 1000:8.1f} ms   {pages} pages   "
        f"{layout_time / qt_time:4.2f} x"
    )
    print(
        f"  ours: the PDF ({len(pdf) / 1024:.0f} KiB)       {pdf_time * 1000:8.1f} ms   "
        f"{pages} pages   {pdf_time / qt_time:4.2f} x"
    )
    target = TARGET_SECONDS_PER_100_PAGES
    print(f"  per 100 pages: {per_100:.2f} s (target about {target:.0f} s: {verdict})")
    return 0


if __name__ == "__main__":
    status = main(sys.argv[1:])
    sys.stdout.flush()
    # PySide6 can abort while Python finalises after a QGuiApplication made here; the
    # figures are printed, so leave without the finalisation (as bench/notice.py does).
    os._exit(status)
