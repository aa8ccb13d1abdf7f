"""Printed notices page by page, for several fonts and paper sizes: each line on one page,
nothing over the running header or footer, no lone bullet, no empty last page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QPageSize

from bench.register_data import build_register
from ropa.demo import write_demo
from ropa.notices import NoticeDocument, NoticeRecord, NoticeService, build_document
from tests.ui.printed_pages import pages_with_each_line_once, require_font_family
from ui.notice_print import notice_pdf_bytes

pytestmark = pytest.mark.gui

FONT_FAMILIES = ["DejaVu Sans", "Liberation Serif", "Noto Sans"]
PAPERS = [QPageSize.PageSizeId.A4, QPageSize.PageSizeId.Letter]


@pytest.fixture(scope="module")
def example_notice(tmp_path_factory: pytest.TempPathFactory) -> NoticeDocument:
    """The example register's published notice (ropa demo, then its notice)."""
    path = tmp_path_factory.mktemp("example") / "example.ropa"
    with write_demo(path) as register:
        [published] = NoticeService(register).list()
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
