"""A privacy notice covering 500 activities: loading them from the register against
composing the notice and rendering each format (html, md, txt, docx, and pdf through Qt
offscreen).  Target: rendering a format is no slower than loading the activities.

    /work/venv/bin/python bench/notice.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QSizeF

from bench.register_data import build_register
from bench.timing import median_of
from ropa.notice_writers import NoticeWriters
from ropa.notices import NoticeRecord
from ropa.notices.content import compose
from ropa.records import LibraryKind
from ui.notice_print import (
    FOOTER_MM,
    HEADER_MM,
    LAYOUT_DPI,
    MARGIN_MM,
    notice_pdf_bytes,
    notice_text_document,
)

ACTIVITIES = 500
RUNS = 3


def median_time(work: Callable[[], Any]) -> tuple[float, Any]:
    return median_of(work, RUNS)


def main() -> None:
    path = Path(tempfile.gettempdir()) / "ropa-bench-notice.ropa"
    register = build_register(path, ACTIVITIES)
    ids = [s.id for s in register.activity_list.summaries()]
    notice = NoticeRecord(title="Everything we do", activity_ids=ids)
    organisation = register.organisation.get()
    items = register.library.items(LibraryKind.DATA_CATEGORY)
    special = {item.name.casefold() for item in items if item.special_category}
    criminal = {item.name.casefold() for item in items if item.criminal_offence}

    load_time, activities = median_time(lambda: register.activities.load(ids))
    compose_time, document = median_time(
        lambda: compose(
            notice,
            organisation,
            activities,
            special_categories=special,
            criminal_categories=criminal,
        )
    )
    print(f"Notice covering {len(activities)} activities ({RUNS} runs, medians)")
    print(f"  load (ActivityService.load)   {load_time * 1000:8.1f} ms   baseline")
    print(
        f"  compose the sections          {compose_time * 1000:8.1f} ms   "
        f"{compose_time / load_time:5.2f} x load"
    )
    writers: dict[str, Callable[[Any], str | bytes]] = {
        fmt: NoticeWriters.domain().writer_for(fmt) for fmt in ("html", "md", "txt", "docx")
    }
    writers["pdf"] = notice_pdf_bytes
    for fmt, writer in writers.items():
        elapsed, output = median_time(partial(writer, document))
        size = len(output if isinstance(output, bytes) else output.encode("utf-8"))
        verdict = "ok" if elapsed <= load_time else "SLOWER than load"
        print(
            f"  render {fmt:<5} ({size / 1024:7.0f} KiB)   {elapsed * 1000:8.1f} ms   "
            f"{elapsed / load_time:5.2f} x load  {verdict}"
        )
    # Where the PDF's time goes: Qt laying the HTML out in pages (A4 inside the margins, at
    # 96 dpi), the rest being Qt's PDF engine painting and writing every glyph.
    per_mm = LAYOUT_DPI / 25.4
    body = QSizeF(
        (210 - 2 * MARGIN_MM) * per_mm, (297 - 2 * MARGIN_MM - HEADER_MM - FOOTER_MM) * per_mm
    )
    layout_time, laid_out = median_time(
        lambda: notice_text_document(document, body.width()).pageCount()
    )
    print(
        f"    of which Qt's layout ({laid_out} pages) {layout_time * 1000:8.1f} ms   "
        f"{layout_time / load_time:5.2f} x load"
    )
    register.close()
    path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    # PySide6 6.12 can abort while Python finalises after a QGuiApplication made here
    # (none_dealloc); the figures are printed, so leave without the finalisation.
    os._exit(0)
