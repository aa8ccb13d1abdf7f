"""A printed notice read back from its PDF as a reader meets it, page by page, with poppler's
pdftotext: the text of each page (-f N -l N -layout) and where each word is drawn (-bbox)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ElementTree
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtGui import QFontDatabase, QPageSize, QTextDocument, QTextListFormat

from ropa.notices import NoticeDocument
from ui.notice_print import LAYOUT_DPI, notice_text_document, page_body

BULLET = "\u2022"
BULLETED = {QTextListFormat.Style.ListDisc}
# Glyph boxes are the font's ascent and descent, which may reach a little past the line box
# Qt laid out; a line printed twice lands a whole line (more than 10 points) away.
TOLERANCE_POINTS = 2.0


def _missing(message: str) -> None:
    """Skip a test that needs something this machine lacks; on CI, which installs everything
    the tests need, fail instead, so that a test never passes there by not running."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _pdftotext(*arguments: str) -> str:
    if shutil.which("pdftotext") is None:
        _missing("pdftotext is not installed (Debian: poppler-utils)")
    result = subprocess.run(["pdftotext", *arguments], capture_output=True, text=True, check=True)
    # Fonts print ligatures ("ﬁ"); compare the letters.
    return unicodedata.normalize("NFKC", result.stdout)


def pdf_text(path: Path) -> str:
    """The whole PDF's text, pages separated by form feeds."""
    return _pdftotext("-layout", str(path), "-")


def squashed(text: str) -> str:
    """`text` with its letters compared as pdftotext prints them: runs of spaces (and Qt's
    line separators) as one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).replace("\u2028", " ")).strip()


def pages_lines(path: Path) -> list[list[str]]:
    """The lines of text on each page, as pdftotext lays them out: one run over the whole
    file (asking page by page read the whole file once per page), split at its form feeds."""
    pages = pdf_text(path).split("\f")
    if pages and not pages[-1].strip():
        pages.pop()  # the form feed after the last page
    return [[squashed(line) for line in page.splitlines() if line.strip()] for page in pages]


@dataclass(frozen=True)
class Word:
    text: str
    top: float  # points from the top of the sheet
    bottom: float


def page_words(path: Path) -> list[list[Word]]:
    """Every word of every page, with where it is drawn."""
    page_tag, word_tag = "{http://www.w3.org/1999/xhtml}page", "{http://www.w3.org/1999/xhtml}word"
    tree = ElementTree.fromstring(_pdftotext("-bbox", str(path), "-"))
    return [
        [
            Word(squashed(word.text or ""), float(word.get("yMin", 0)), float(word.get("yMax", 0)))
            for word in page.iter(word_tag)
        ]
        for page in tree.iter(page_tag)
    ]


def laid_out_words(document: QTextDocument) -> Counter[str]:
    """Every word of the document as Qt laid it out, with each list item's bullet or number
    before its first line."""
    words: Counter[str] = Counter()
    markers: Counter[str] = Counter()
    document.documentLayout().documentSize()  # all of it laid out, not only the first part
    block = document.begin()
    while block.isValid():
        lines, text = block.layout(), block.text()
        for number in range(lines.lineCount()):
            line = lines.lineAt(number)
            words.update(
                squashed(text[line.textStart() : line.textStart() + line.textLength()]).split()
            )
            text_list = block.textList()
            if number == 0 and text_list is not None:
                numbered = text_list.format().style() not in BULLETED
                markers[text_list.itemText(block) if numbered else BULLET] += 1
        block = block.next()
    # Every letter of the text is on some line (a line may end inside a word: "9(2)|(g)").
    letters = Counter(letter for word in words.elements() for letter in word)
    assert letters == Counter(squashed(document.toPlainText()).replace(" ", ""))
    return words + markers


def require_font_family(family: str) -> None:
    """Skip a test for a font this machine lacks; on CI (which installs them all) fail."""
    if family in QFontDatabase.families():
        return
    _missing(
        f"The font family {family!r} is not installed "
        "(Debian: fonts-dejavu-core, fonts-liberation, fonts-noto-core)"
    )


def pages_with_each_line_once(
    path: Path,
    notice: NoticeDocument,
    paper: QPageSize.PageSizeId = QPageSize.PageSizeId.A4,
    font_family: str | None = None,
) -> int:
    """The PDF's page count, once it is clear that `notice`, printed there on `paper`, reads
    as it should: every line of its text on exactly one page (the pages' words together are
    the notice's, no more and no fewer, and each page's lie inside its body); on each page
    the running header above the text and the footer below it, with nothing else drawn in
    their bands; no page starting with a lone bullet; no empty last page."""
    body_pixels = page_body(QPageSize(paper).rectPoints())
    to_points = 72 / LAYOUT_DPI
    body_top, body_bottom = body_pixels.top() * to_points, body_pixels.bottom() * to_points
    expected = laid_out_words(notice_text_document(notice, body_pixels.width(), font_family))
    header = squashed(f"{notice.marked_title} Last updated {notice.last_updated}")

    words = page_words(path)
    count = len(words)
    every_page_lines = pages_lines(path)
    assert len(every_page_lines) == count, (len(every_page_lines), count)
    printed: Counter[str] = Counter()
    for number, (on_page, lines) in enumerate(zip(words, every_page_lines, strict=True), start=1):
        footer = squashed(f"{notice.organisation.name} Page {number} of {count}")
        assert lines[0] == header and lines[-1] == footer, (number, lines[0], lines[-1])
        body = lines[1:-1]
        assert body, f"page {number} of {count} has no text"
        assert body[0] != BULLET, f"page {number} starts with a lone bullet"
        printed.update(word for line in body for word in line.split())

        above = [w.text for w in on_page if (w.top + w.bottom) / 2 < body_top]
        below = [w.text for w in on_page if (w.top + w.bottom) / 2 > body_bottom]
        assert " ".join(above) == header, (number, above)
        assert " ".join(below) == footer, (number, below)
        for word in on_page:
            if body_top <= (word.top + word.bottom) / 2 <= body_bottom:
                assert word.top > body_top - TOLERANCE_POINTS, (number, word)
                assert word.bottom < body_bottom + TOLERANCE_POINTS, (number, word)
    missing, extra = expected - printed, printed - expected
    assert not missing and not extra, (missing, extra)
    return count
