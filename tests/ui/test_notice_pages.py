"""Printed notices page by page, for several fonts, paper sizes and resolutions: each line on
one page, nothing over the running header or footer, no lone bullet, no empty last page, and
each table rule on the page of the row it borders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QTextDocument
from PySide6.QtPrintSupport import QPrinter

from bench.register_data import build_register
from ropa.demo import write_demo
from ropa.notices import NoticeDocument, NoticeRecord, NoticeService, build_document
from tests.helpers.printed_pages import pages_with_each_line_once, require_font_family
from ui.notice_print import (
    layout_device,
    notice_pdf_bytes,
    notice_text_document,
    page_body,
    paint_notice,
)
from ui.text_pages import TextPages

pytestmark = pytest.mark.gui

FONT_FAMILIES = ["DejaVu Sans", "Liberation Serif", "Noto Sans"]
PAPERS = [QPageSize.PageSizeId.A4, QPageSize.PageSizeId.Letter]


@pytest.fixture(scope="module")
def example_notice(tmp_path_factory: pytest.TempPathFactory) -> NoticeDocument:
    """The example register's published notice (ropa demo, then its notice)."""
    path = tmp_path_factory.mktemp("example") / "example.ropa"
    with write_demo(path) as register:
        [published] = [n for n in NoticeService(register).list() if n.audience == "adults"]
        return build_document(register, published)


@pytest.fixture(scope="module")
def large_notice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NoticeDocument]:
    """A notice covering 300 activities, made through the register's services."""
    register = build_register(tmp_path_factory.mktemp("large") / "large.ropa", 300)
    try:
        ids = [summary.id for summary in register.activity_list.summaries()]
        yield build_document(register, NoticeRecord(title="Everything we do", activity_ids=ids))
    finally:
        register.close()


@pytest.mark.parametrize("family", FONT_FAMILIES)
@pytest.mark.parametrize("paper", PAPERS, ids=lambda paper: paper.name)
@pytest.mark.parametrize("which", ["example_notice", "large_notice"])
def test_every_line_is_printed_once_clear_of_the_header_and_footer(  # type: ignore[no-untyped-def]
    qapp, request: pytest.FixtureRequest, tmp_path: Path, which: str, paper, family: str
) -> None:
    require_font_family(family)
    notice: NoticeDocument = request.getfixturevalue(which)
    target = tmp_path / "notice.pdf"
    target.write_bytes(notice_pdf_bytes(notice, paper, family))
    pages = pages_with_each_line_once(target, notice, paper, family)
    assert pages >= (10 if which == "example_notice" else 50)


@pytest.mark.parametrize("family", FONT_FAMILIES)
@pytest.mark.parametrize("paper", PAPERS, ids=lambda paper: paper.name)
@pytest.mark.parametrize("which", ["example_notice", "large_notice"])
def test_each_table_rule_is_printed_with_its_row_and_no_page_starts_blank(  # type: ignore[no-untyped-def]
    qapp, request: pytest.FixtureRequest, which: str, paper, family: str
) -> None:
    """A rule under a table's last row was drawn at the top of the next page, over nothing,
    when the empty block Qt puts after a table started that page; and a rule below the foot
    of a page was cut off.  Each rule across the page is painted on one page, inside its
    body and beside the lines of its row there."""
    require_font_family(family)
    notice: NoticeDocument = request.getfixturevalue(which)
    body = page_body(QPageSize(paper).rectPoints())
    pages = TextPages(
        notice_text_document(notice, body.width(), family), body.height(), layout_device()
    )
    painted: list[tuple[float, float, float]] = []
    for page in range(pages.count):
        start, _ = pages.page_bounds(page)
        lines = pages.lines_on(page)
        assert lines[0].text.strip() or lines[0].block.textList(), f"page {page + 1} starts blank"
        for rule in pages.rules_on(page):
            y = rule.line.y1()
            if y != rule.line.y2():
                continue  # a rule down the page, on each page it passes
            assert start <= y <= start + body.height(), (page, y - start)
            assert any(line.row is not None and line.top <= y <= line.bottom for line in lines), (
                f"a rule on page {page + 1} at {y - start:.1f}px borders none of its lines"
            )
            painted.append((rule.line.x1(), y, rule.line.x2()))
    across = [rule for rule in pages.rules if rule.line.y1() == rule.line.y2()]
    assert across, "the notice has tables"
    assert sorted(painted) == sorted((r.line.x1(), r.line.y1(), r.line.x2()) for r in across)


@pytest.mark.parametrize("resolution", [72, 1200])
def test_a_printer_of_any_resolution_prints_the_same_pages(  # type: ignore[no-untyped-def]
    qapp, example_notice: NoticeDocument, tmp_path: Path, resolution: int
) -> None:
    """The printer (and the print preview, which paints through one) at its own resolution:
    the notice is laid out at 96 dpi and scaled, so every line is still on exactly one page."""
    family = FONT_FAMILIES[0]
    require_font_family(family)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setResolution(resolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    target = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(target))
    pages = paint_notice(printer, example_notice, family)
    on_paper = pages_with_each_line_once(
        target, example_notice, QPageSize.PageSizeId.Letter, family
    )
    assert on_paper == pages


def _cut_at_many_heights(notice: NoticeDocument, family: str) -> Iterator[TextPages]:
    """The notice cut into pages of a range of heights, so that every paragraph, list and
    table row falls across a page foot somewhere."""
    a4 = page_body(QPageSize(QPageSize.PageSizeId.A4).rectPoints())
    laid_out = notice_text_document(notice, a4.width(), family)
    for height in range(400, 1100, 13):
        yield TextPages(laid_out, height, layout_device())


@pytest.mark.parametrize("family", FONT_FAMILIES)
def test_no_paragraph_leaves_one_line_alone_across_a_page_break(  # type: ignore[no-untyped-def]
    qapp, example_notice: NoticeDocument, family: str
) -> None:
    """Widows and orphans: a paragraph or list item split by a page break keeps at least two
    of its lines on each side (a lone first line at a page's foot, or a lone last line at the
    next page's top, reads as a mistake; a lone bullet worse)."""
    require_font_family(family)
    split = 0
    for pages in _cut_at_many_heights(example_notice, family):
        for page in range(pages.count - 1):
            last, first = pages.lines_on(page)[-1], pages.lines_on(page + 1)[0]
            if last.block != first.block or last.row is not None:
                continue
            before = sum(line.block == last.block for line in pages.lines_on(page))
            after = sum(line.block == last.block for line in pages.lines_on(page + 1))
            assert before >= 2 and after >= 2, (pages.page_height, page, last.text, first.text)
            split += 1
    assert split  # some paragraphs did run over a page break


@pytest.mark.parametrize("family", FONT_FAMILIES)
def test_a_table_row_is_not_split_and_its_header_row_goes_with_it(  # type: ignore[no-untyped-def]
    qapp, example_notice: NoticeDocument, family: str
) -> None:
    """A table row (a record and how long it is kept) stays on one page, and a table's header
    row never ends a page with the rows it heads on the next."""
    require_font_family(family)
    row_breaks = 0
    for pages in _cut_at_many_heights(example_notice, family):
        for page in range(pages.count - 1):
            last, first = pages.lines_on(page)[-1], pages.lines_on(page + 1)[0]
            assert not last.in_header_row, (pages.page_height, page, last.text)
            assert last.row is None or last.row != first.row, (pages.page_height, page, last.text)
            row_breaks += last.row is not None and first.row is not None
    assert row_breaks  # some tables did run over a page break, between rows


def test_a_list_items_number_is_not_underlined_with_the_link_it_starts_with(qapp) -> None:  # type: ignore[no-untyped-def]
    """The notice's contents list numbers links: "1." is painted beside a link, in the link's
    font, but without its underline (it was underlined with it)."""
    require_font_family(FONT_FAMILIES[0])
    document = QTextDocument()
    document.documentLayout().setPaintDevice(layout_device())
    document.setDefaultFont(QFont(FONT_FAMILIES[0], 40))
    document.setTextWidth(600)
    document.setHtml('<ol><li><a href="#who">Who we are</a></li></ol>')
    pages = TextPages(document, 400, layout_device())
    [line] = pages.lines_on(0)
    margin = 100  # room on the left for the number, which hangs outside the text
    image = QImage(700, 400, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.translate(margin, 0)
    pages.paint(painter, 0)
    painter.end()
    text_line = line.text_line()
    top = line.origin.y() + text_line.y() - pages.page_bounds(0)[0]  # where it is painted
    text_left = margin + round(line.origin.x() + text_line.x())
    below = range(round(top + text_line.ascent()) + 1, round(top + text_line.height()))

    def inked(left: int, right: int) -> bool:
        return any(
            QColor(image.pixel(x, y)).lightness() < 200 for y in below for x in range(left, right)
        )

    assert inked(text_left, text_left + 100)  # the link's underline
    assert not inked(0, text_left - 2)  # none under its number
