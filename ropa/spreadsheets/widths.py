"""Column widths for the written workbook, fitted to what each column holds.

Excel measures a column in widths of the digit 0 of the default font (Calibri 11); text in
Calibri averages a little less than that per character.  The widths are worked out from
character counts, not from font metrics: from each heading (which wraps in its row, as the
ICO's do) and from the longest line of the cells of a sample of rows.  Data cells wrap, so
a column of paragraphs stops at the widest width and its rows grow taller instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

NARROWEST = 12.0  # a column of one-word answers still shows its heading legibly
WIDEST = 50.0  # wider than this, a paragraph is hard to read and the sheet hard to scan
# The columns frozen at the left stay on screen while the others scroll past them: kept
# narrower, so that on a laptop most of the window is left for the rest, but as wide as
# the ICO's own columns (35.7), which also hold the contact details in rows 3 to 6.
WIDEST_KEPT_IN_VIEW = 36.0
# Rows whose cells are measured, spread over the register: enough to see what a column
# holds, few enough that the export does not notice.
SAMPLE_ROWS = 200
# The heading row is 60.75 points tall: four lines of bold Calibri 11.
HEADING_LINES = 4
_CHARACTER = 0.9  # an average character of Calibri 11, in widths of a 0
_BOLD_CHARACTER = 1.0
_PADDING = 2.0  # the cell's margins and a little air

Item = TypeVar("Item")


@dataclass(frozen=True)
class Span:
    """A bold title over merged columns `first` to `last` (counted from 0) that must show on
    one line, as the ICO's contact headings (row 2) and section titles (row 8) do."""

    first: int
    last: int
    title: str


def heading_width(heading: str) -> float:
    """What a heading needs to fit its row's four lines, without breaking a word."""
    words = heading.split()
    longest_word = max((len(word) for word in words), default=0)
    # Word wrapping rarely fills a line, hence a little more than a quarter per line.
    per_line = math.ceil(len(heading) / (HEADING_LINES - 0.5))
    return max(longest_word, per_line) * _BOLD_CHARACTER + _PADDING


def text_width(text: str) -> float:
    """What a cell needs to show its longest line unwrapped."""
    longest = max((len(line) for line in text.splitlines()), default=0)
    return longest * _CHARACTER + _PADDING


def title_width(title: str) -> float:
    """What a bold title needs on one line."""
    return len(title) * _BOLD_CHARACTER + _PADDING


def spread_sample(items: Sequence[Item]) -> Sequence[Item]:
    """At most SAMPLE_ROWS of `items`, evenly spread from first to last (a register sorted
    by reference has one department's activities after another's)."""
    if len(items) <= SAMPLE_ROWS:
        return items
    step = math.ceil(len(items) / SAMPLE_ROWS)
    return items[::step]


def fitted_widths(
    headings: Sequence[str],
    rows: Iterable[Sequence[str | None]],
    *,
    spans: Iterable[Span] = (),
    kept_in_view: int = 0,
) -> list[float]:
    """One width per heading: room for the heading and for the longest line in `rows` (a
    sample), within NARROWEST and WIDEST (WIDEST_KEPT_IN_VIEW for the first `kept_in_view`
    columns, the ones frozen at the left); then wide enough together for each span's title."""
    needed = [heading_width(heading) for heading in headings]
    for row in rows:
        for index, text in enumerate(row):
            if text and needed[index] < WIDEST:
                needed[index] = max(needed[index], text_width(text))
    widest = [
        WIDEST_KEPT_IN_VIEW if index < kept_in_view else WIDEST for index in range(len(needed))
    ]
    widths = [min(max(width, NARROWEST), most) for width, most in zip(needed, widest, strict=True)]
    for span in spans:
        _widen(widths, widest, range(span.first, span.last + 1), title_width(span.title))
    return [round(width, 2) for width in widths]


def _widen(widths: list[float], widest: Sequence[float], covered: range, total: float) -> None:
    """Widen the `covered` columns until together they are `total` wide, sharing the extra
    out evenly among those still below their widest (a span may stay short when none is)."""
    short = total - sum(widths[index] for index in covered)
    room = [index for index in covered if widths[index] < widest[index]]
    while short > 0.01 and room:
        share = short / len(room)
        for index in room:
            added = min(share, widest[index] - widths[index])
            widths[index] += added
            short -= added
        room = [index for index in room if widths[index] < widest[index]]


# --- row heights --------------------------------------------------------------------------

# One line of Calibri 11 is Excel's default row height, 15 points; Excel's tallest row is 409.
LINE_POINTS = 15.0
TALLEST_ROW = 409.0
# Word wrap leaves the end of most lines empty, and LibreOffice draws Calibri with Carlito:
# a line holds a little less than the average character width suggests.
_WRAP_FILL = 0.9


def line_capacity(width: float) -> int:
    """How many characters a line of a wrapping cell `width` wide holds."""
    return max(1, math.floor((width - _PADDING) / _CHARACTER * _WRAP_FILL))


def wrapped_lines(text: str, width: float) -> int:
    """How many lines `text` takes in a wrapping cell `width` wide (a word longer than a line
    is broken, as Excel and LibreOffice break it)."""
    return _lines(text, line_capacity(width))


def _lines(text: str, per_line: int) -> int:
    lines = 0
    for paragraph in text.splitlines() or [""]:
        lines += 1
        if len(paragraph) <= per_line:
            continue
        used = 0
        for word in paragraph.split():
            length = len(word)
            if used and used + 1 + length <= per_line:
                used += 1 + length
                continue
            if used:
                lines += 1
            lines += (length - 1) // per_line  # a word longer than a line runs on
            used = length % per_line or per_line
    return lines


class RowHeights:
    """The height (points) that shows every line of every cell of a data row, or None when
    each fits on one line (the default height does).  Written into each row, because
    LibreOffice does not grow rows to fit wrapped text when it opens a workbook.  Made once
    per sheet: ten thousand rows are measured."""

    def __init__(self, widths: Sequence[float]) -> None:
        self._capacities = [line_capacity(width) for width in widths]

    def __call__(self, texts: Sequence[str | None]) -> float | None:
        most = 1
        for text, per_line in zip(texts, self._capacities, strict=False):
            # Most cells are one short line: no need to look at their words.
            if text and (len(text) > per_line or "\n" in text or "\r" in text):
                most = max(most, _lines(text, per_line))
        if most <= 1:
            return None
        return min(most * LINE_POINTS + 2, TALLEST_ROW)


def row_height(texts: Sequence[str | None], widths: Sequence[float]) -> float | None:
    """RowHeights for one row (the contact rows, a test)."""
    return RowHeights(widths)(texts)


# --- printed pages ------------------------------------------------------------------------

# A column `w` wide is 7w + 5 pixels of a 96 dpi screen (Calibri 11's digit is 7 pixels).
_POINTS_PER_WIDTH = 5.25
_POINTS_PER_COLUMN = 3.75


def column_points(width: float) -> float:
    """How wide a column of `width` prints, at 100 %."""
    return width * _POINTS_PER_WIDTH + _POINTS_PER_COLUMN


def column_breaks(
    widths: Sequence[float],
    groups: Sequence[range],
    *,
    repeated: int,
    page_points: float,
    scale: int,
) -> list[int]:
    """The columns (counted from 0) after which a printed page ends, so that each page holds
    whole column groups (the ICO's sections) where they fit beside the `repeated` columns
    printed at the left of every page, and a group wider than a page is split between its
    columns.  `page_points` is the printable width, `scale` the print scale in per cent."""
    room = page_points * 100 / scale - sum(column_points(w) for w in widths[:repeated])
    breaks: list[int] = []
    used = 0.0
    for group in groups:
        columns = [index for index in group if index >= repeated]
        if not columns:
            continue
        needed = sum(column_points(widths[index]) for index in columns)
        if used and used + needed > room:
            breaks.append(columns[0] - 1)
            used = 0.0
        if used + needed <= room:
            used += needed
            continue
        for index in columns:  # wider than a page: split between its columns
            points = column_points(widths[index])
            if used and used + points > room:
                breaks.append(index - 1)
                used = 0.0
            used += points
    return breaks
