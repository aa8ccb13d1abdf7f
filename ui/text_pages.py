"""A QTextDocument cut into pages and painted one page at a time: each line of text on
exactly one page, whatever the font, the paper or the resolution.

Qt lays the text out in one long column (the width of the page body); the lines are then
put into pages here, rather than by Qt's own pagination (QTextDocument.setPageSize), which
failed in three ways that depended on the font: painting one page of it painted the last
line of a paragraph that ran over a page break on the next page too, over the header (Qt's
QTextLayout::draw starts from the last line wholly above the clip rectangle); now and then,
in a long document, Qt left a line across the foot of a page, over the footer; and a block
that had to start a page could start the page after, leaving an empty one.

A page takes lines for as long as they fit whole, so no line crosses its foot; a line in a
table cell reaches to the cell's foot (its padding and the rule below it) when it is the
cell's last, and up to the cell's top when it is the first, so a row's rules go with its text.
A page does not end with a heading or a table's header row when there is text after it (the
stylesheet's `page-break-after: avoid`, which Qt ignores), as in a word processor, and a
heading with a sub-heading below it goes with it.  A table row that fits on a page is not
split between two.  A paragraph or list item that runs over a page break leaves at least two
of its lines on each side (no first line alone at a foot, no last line alone at a top),
moving a line or the whole of it to the next page.  Empty lines (the empty block Qt puts
after a table) print nothing and start no page.

Each page then paints its own lines (QTextLine.draw, with the character formats Qt laid
out), a list item's bullet or number beside its first line, block backgrounds and the
borders of table cells (the rules between rows), each rule on the page of the lines it
borders, cut at the edges of the page.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QBrush,
    QColor,
    QFont,
    QPaintDevice,
    QPainter,
    QPen,
    QTextBlock,
    QTextCursor,
    QTextDocument,
    QTextFrame,
    QTextLayout,
    QTextLine,
    QTextListFormat,
    QTextTable,
    QTextTableCell,
    QTextTableCellFormat,
)

# Qt positions lines in 1/64 pixel steps: a line that ends within one of a page's foot fits.
_STEP = 1 / 64
_MARKERS = {
    QTextListFormat.Style.ListDisc: "\u2022",
    QTextListFormat.Style.ListCircle: "\u25e6",
    QTextListFormat.Style.ListSquare: "\u25aa",
}


@dataclass(frozen=True)
class PlacedLine:
    """One line of text where Qt laid it out, in document coordinates."""

    block: QTextBlock
    number: int  # the line's number in its block
    origin: QPointF  # where the block's layout is placed
    top: float
    bottom: float
    # The table row the line is in (the table's first position, the row), if any.
    row: tuple[int, int] | None = None
    in_header_row: bool = False  # a cell of a table's header row (<thead>)

    @property
    def heading(self) -> bool:
        return self.block.blockFormat().headingLevel() > 0

    @property
    def keeps_with_next(self) -> bool:
        """A heading or a table's header row: never the last thing on a page."""
        return self.heading or self.in_header_row

    def text_line(self) -> QTextLine:
        return self.block.layout().lineAt(self.number)

    @property
    def text(self) -> str:
        line = self.text_line()
        return self.block.text()[line.textStart() : line.textStart() + line.textLength()]


@dataclass(frozen=True)
class Rule:
    line: QLineF  # in document coordinates, y1 <= y2
    pen: QPen


def _cell_boxes(document: QTextDocument) -> list[tuple[QTextTableCell, QRectF]]:
    """Every table cell with the box its padding and borders take, as Qt laid them out."""
    return [
        placed
        for table in _tables(document.rootFrame())
        for placed in _table_cell_boxes(table, document.documentLayout())
    ]


def _table_cell_boxes(
    table: QTextTable, layout: QAbstractTextDocumentLayout
) -> list[tuple[QTextTableCell, QRectF]]:
    """The cells of `table` in boxes that meet: each reaches the next cell's left edge and
    the top of the row below (where Qt places it), the last row its tallest cell's foot."""
    cells = [
        table.cellAt(row, column)
        for row in range(table.rows())
        for column in range(table.columns())
    ]
    boxes = {
        (cell.row(), cell.column()): _cell_box(cell, layout) for cell in cells if cell.row() >= 0
    }
    right_edge = max((box.right() for box in boxes.values()), default=0.0)
    row_tops: dict[int, float] = {}
    row_bottoms: dict[int, float] = {}
    for (row, _), box in boxes.items():
        row_tops[row] = min(row_tops.get(row, box.top()), box.top())
        row_bottoms[row] = max(row_bottoms.get(row, box.bottom()), box.bottom())
    placed = []
    for (row, column), box in boxes.items():
        cell = table.cellAt(row, column)
        next_cell = boxes.get((row, column + cell.columnSpan()))
        last_row = row + cell.rowSpan() - 1
        foot = row_tops.get(last_row + 1, row_bottoms[last_row])
        right = next_cell.left() if next_cell is not None else right_edge
        placed.append((cell, QRectF(QPointF(box.left(), row_tops[row]), QPointF(right, foot))))
    return placed


def table_rules(cell_boxes: list[tuple[QTextTableCell, QRectF]]) -> list[Rule]:
    """The borders of every table cell (as the notice's stylesheet draws rules between rows),
    placed around the cell's text and padding."""
    rules: list[Rule] = []
    for cell, box in cell_boxes:
        rules.extend(_cell_rules(cell.format().toTableCellFormat(), box))
    return rules


def _tables(frame: QTextFrame) -> list[QTextTable]:
    tables = []
    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            tables.append(child)
        tables.extend(_tables(child))
    return tables


def _cell_blocks(cell: QTextTableCell, document: QTextDocument) -> tuple[QTextBlock, QTextBlock]:
    """The first and last blocks of `cell` (found by position: a cursor per cell is slow)."""
    return document.findBlock(cell.firstPosition()), document.findBlock(cell.lastPosition())


def _cell_box(cell: QTextTableCell, layout: QAbstractTextDocumentLayout) -> QRectF:
    """The cell's text with its padding and borders around it."""
    cell_format = cell.format().toTableCellFormat()
    first, last = _cell_blocks(cell, layout.document())
    top = layout.blockBoundingRect(first).top() - first.blockFormat().topMargin()
    bottom = _advance_bottom(last, layout) + last.blockFormat().bottomMargin()
    left = layout.blockBoundingRect(first).left()
    return QRectF(
        QPointF(
            left - cell_format.leftPadding() - cell_format.leftBorder(),
            top - cell_format.topPadding() - cell_format.topBorder(),
        ),
        QPointF(
            left + first.layout().boundingRect().width() + cell_format.rightPadding(),
            bottom + cell_format.bottomPadding() + cell_format.bottomBorder(),
        ),
    )


def _advance_bottom(block: QTextBlock, layout: QAbstractTextDocumentLayout) -> float:
    """Where what follows `block` starts: below its last line's full line height (the
    stylesheet's line-height reaches past the text itself)."""
    rect = layout.blockBoundingRect(block)
    lines = block.layout()
    if not lines.lineCount():
        return rect.bottom()
    last = lines.lineAt(lines.lineCount() - 1)
    return rect.top() + last.y() + block.blockFormat().lineHeight(last.height(), 1.0)


def _cell_rules(cell_format: QTextTableCellFormat, box: QRectF) -> list[Rule]:
    rules = []
    sides = [
        (cell_format.topBorder(), cell_format.topBorderBrush(), "top"),
        (cell_format.bottomBorder(), cell_format.bottomBorderBrush(), "bottom"),
        (cell_format.leftBorder(), cell_format.leftBorderBrush(), "left"),
        (cell_format.rightBorder(), cell_format.rightBorderBrush(), "right"),
    ]
    for width, brush, side in sides:
        if width <= 0 or brush.style() == Qt.BrushStyle.NoBrush:
            continue
        pen = QPen(brush.color(), width)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        half = width / 2
        line = {
            "top": QLineF(box.left(), box.top() + half, box.right(), box.top() + half),
            "bottom": QLineF(box.left(), box.bottom() - half, box.right(), box.bottom() - half),
            "left": QLineF(box.left() + half, box.top(), box.left() + half, box.bottom()),
            "right": QLineF(box.right() - half, box.top(), box.right() - half, box.bottom()),
        }[side]
        rules.append(Rule(line, pen))
    return rules


def _lines(
    document: QTextDocument, cell_boxes: list[tuple[QTextTableCell, QRectF]]
) -> list[PlacedLine]:
    """Every line of the document with text, top to bottom (lines side by side in a table,
    left to right).  A cell's first line reaches up to the cell's top and its last line down
    to the cell's foot (see _cell_extents)."""
    layout = document.documentLayout()
    # Qt lays a document out a part at a time, as it is asked for; a block not yet laid out
    # has no lines, so lay it all out first.
    layout.documentSize()
    tops, bottoms = _cell_extents(cell_boxes, document)
    lines = []
    block = document.begin()
    while block.isValid():
        text_layout = block.layout()
        if block.isVisible() and text_layout.lineCount() and _prints_something(block):
            # Where the layout is placed in the document, inside any frame (a table cell)
            # it is in: Qt puts the block's bounding rectangle there.
            origin = layout.blockBoundingRect(block).topLeft()
            row, in_header_row = _table_place(block)
            last = text_layout.lineCount() - 1
            for number in range(last + 1):
                line = text_layout.lineAt(number)
                top = origin.y() + line.y()
                bottom = top + line.height()
                if number == 0:
                    top = min(top, tops.get(block.blockNumber(), top))
                if number == last:
                    bottom = max(bottom, bottoms.get(block.blockNumber(), bottom))
                lines.append(PlacedLine(block, number, origin, top, bottom, row, in_header_row))
        block = block.next()
    lines.sort(key=lambda line: (line.top, line.origin.x()))
    return lines


def _prints_something(block: QTextBlock) -> bool:
    """Whether `block` has text or a list item's marker: Qt gives an empty block (the one it
    puts after every table) a line, which prints nothing and must not start a page."""
    return bool(block.text().strip()) or block.textList() is not None


def _cell_extents(
    cell_boxes: list[tuple[QTextTableCell, QRectF]], document: QTextDocument
) -> tuple[dict[int, float], dict[int, float]]:
    """By block number: the top of the cell a cell's first block starts, and the foot of the
    cell its last block ends (padding and rules included)."""
    tops: dict[int, float] = {}
    bottoms: dict[int, float] = {}
    for cell, box in cell_boxes:
        first, last = _cell_blocks(cell, document)
        tops[first.blockNumber()] = box.top()
        bottoms[last.blockNumber()] = box.bottom()
    return tops, bottoms


def _table_place(block: QTextBlock) -> tuple[tuple[int, int] | None, bool]:
    """The table row `block` is in (if any), and whether that row is a header row."""
    table = QTextCursor(block).currentTable()
    if table is None:
        return None, False
    row = table.cellAt(block.position()).row()
    return (table.firstPosition(), row), 0 <= row < table.format().headerRowCount()


def _without_trailing_headings(page: list[PlacedLine], following: PlacedLine) -> list[PlacedLine]:
    """`page` less any headings (and table header rows) at its foot, which go on to the next
    page with what follows them (`following` first); unless the page holds nothing else."""
    keep = len(page)
    while keep and page[keep - 1].keeps_with_next:
        keep -= 1
    return page[:keep] if keep else page


def _without_split_row(page: list[PlacedLine], following: PlacedLine) -> list[PlacedLine]:
    """`page` less the lines of a table row that the break (`following` is the next page's
    first line) would split: the row goes to the next page whole, unless it fills the page."""
    if following.row is None:
        return page
    keep = len(page)
    while keep and page[keep - 1].row == following.row:
        keep -= 1
    return page[:keep] if keep else page


def _without_widow_or_orphan(page: list[PlacedLine], following: PlacedLine) -> list[PlacedLine]:
    """`page` less the lines of a paragraph cut by the break (`following` is the next page's
    first line) that would leave one of its lines alone on either side: a first line alone
    goes to the next page; so does the line before a last line left alone, or the whole
    paragraph if it starts on this page with only two lines.  A page is never emptied."""
    last = page[-1]
    if last.row is not None or last.block != following.block:
        return page
    here = 0  # the paragraph's lines on this page
    while here < len(page) and page[-1 - here].block == last.block:
        here += 1
    after = last.block.layout().lineCount() - 1 - last.number  # its lines on later pages
    starts_here = last.number + 1 == here
    if last.number == 0:
        move = 1
    elif after == 1:
        move = here if here == 2 and starts_here else 1
    else:
        return page
    return page[:-move] if move < len(page) else page


# What a page gives up to the next, in turn, when the page does not end the document: each
# is asked about the page as the one before it left it.
_KEEPS: list[Callable[[list[PlacedLine], PlacedLine], list[PlacedLine]]] = [
    _without_split_row,
    _without_widow_or_orphan,
    _without_trailing_headings,
]


class TextPages:
    """The pages, `page_height` layout pixels high, of `document`, which Qt has laid out to
    the width of the page body (with no page height of its own)."""

    def __init__(
        self, document: QTextDocument, page_height: float, layout_device: QPaintDevice
    ) -> None:
        if not page_height > 0:
            raise ValueError("A page must have a height to hold text.")
        self.document = document
        self.page_height = page_height
        self.layout_device = layout_device
        cell_boxes = _cell_boxes(document)
        # Where each page starts in the document's column, and its lines.
        self._starts: list[float] = []
        self._pages: list[list[PlacedLine]] = []
        self._cut_into_pages(_lines(document, cell_boxes))
        self._rules = table_rules(cell_boxes)
        self._rules_by_page: list[list[Rule]] | None = None
        # Each list marker's text laid out once per font: (its line, the gap before the text).
        self._markers: dict[tuple[str, str], tuple[QTextLayout, float]] = {}

    @property
    def count(self) -> int:
        return max(len(self._pages), 1)

    def lines_on(self, page: int) -> list[PlacedLine]:
        """The lines printed on `page`, top to bottom (see page_bounds for where it starts)."""
        return list(self._pages[page]) if page < len(self._pages) else []

    def page_bounds(self, page: int) -> tuple[float, float]:
        """Where `page` starts and where the next one starts, in the document's column."""
        end = self._starts[page + 1] if page + 1 < len(self._starts) else float("inf")
        return self._starts[page], end

    @property
    def rules(self) -> list[Rule]:
        """Every table rule of the document, in the document's column."""
        return list(self._rules)

    def rules_on(self, page: int) -> list[Rule]:
        """The table rules painted on `page`, in the document's column.  A rule across the
        page goes on the page whose lines it borders (their reach takes in their cells'
        rules, and the next page starts where its first line or cell does); a rule down the
        page goes on each page it passes."""
        if self._rules_by_page is None:
            self._rules_by_page = [[] for _ in self._starts]
            for rule in self._rules:
                top, bottom = rule.line.y1(), rule.line.y2()
                # The page the rule starts on, and each page after it that it reaches.
                first = max(bisect_right(self._starts, top) - 1, 0)
                last = first if top == bottom else bisect_left(self._starts, bottom) - 1
                for each in range(first, max(first, last) + 1):
                    self._rules_by_page[each].append(rule)
        return list(self._rules_by_page[page]) if page < len(self._rules_by_page) else []

    def paint(self, painter: QPainter, page: int) -> None:
        """Paint `page` with the painter's origin at the top left of the page body."""
        if page >= len(self._pages):
            return
        start = self._starts[page]
        shift = QPointF(0, -start)
        painter.save()
        # Backgrounds and rules of blocks and tables that run over the page edge stop at it.
        painter.setClipRect(QRectF(0, 0, self.document.textWidth(), self.page_height))
        painted: set[int] = set()
        for line in self._pages[page]:
            if line.block.blockNumber() not in painted:
                painted.add(line.block.blockNumber())
                self._paint_background(painter, line.block, shift)
        for rule in self.rules_on(page):
            painter.setPen(rule.pen)
            painter.drawLine(rule.line.translated(shift))
        painter.setClipping(False)
        painter.setPen(QColor(Qt.GlobalColor.black))
        for line in self._pages[page]:
            origin = line.origin + shift
            text_line = line.text_line()
            text_line.draw(painter, origin)
            if line.number == 0:
                self._paint_list_marker(painter, line.block, text_line, origin)
                painter.setPen(QColor(Qt.GlobalColor.black))
        painter.restore()

    def _cut_into_pages(self, lines: list[PlacedLine]) -> None:
        at = 0
        while at < len(lines):
            start = lines[at].top
            foot = start + self.page_height + _STEP
            # The page ends at the top of the highest line that does not fit (lines of table
            # cells side by side come in turns, and a tall one may end below a short one).
            cut, after = float("inf"), at
            while after < len(lines) and lines[after].top < foot:
                if lines[after].bottom > foot:
                    cut = min(cut, lines[after].top)
                after += 1
            end = at
            while end < after and lines[end].top < cut:
                end += 1
            end = max(end, at + 1)  # a line taller than a page goes on a page of its own
            taken = lines[at:end]
            for keep_together in _KEEPS:
                if at + len(taken) < len(lines):
                    taken = keep_together(taken, lines[at + len(taken)])
            self._starts.append(start)
            self._pages.append(taken)
            at += len(taken)

    def _paint_background(self, painter: QPainter, block: QTextBlock, shift: QPointF) -> None:
        brush = block.blockFormat().background()
        if brush.style() == Qt.BrushStyle.NoBrush:
            return
        rect = self.document.documentLayout().blockBoundingRect(block).translated(shift)
        painter.fillRect(rect, QBrush(brush))

    def _marker_layout(self, marker: str, font: QFont) -> tuple[QTextLayout, float]:
        """`marker` laid out in `font`, and a space's width in it; each once per document.
        Laid out on the layout device, as the text is, so that it scales with it."""
        key = (marker, font.toString())
        if key not in self._markers:
            marker_layout = QTextLayout(marker, font, self.layout_device)
            space = QTextLayout(" ", font, self.layout_device)
            for each in (marker_layout, space):
                each.beginLayout()
                each.createLine()
                each.endLayout()
            self._markers[key] = (marker_layout, space.lineAt(0).horizontalAdvance())
        return self._markers[key]

    def _paint_list_marker(
        self, painter: QPainter, block: QTextBlock, first_line: QTextLine, origin: QPointF
    ) -> None:
        """The bullet or number of a list item, as text (so it can be read and copied), a
        space's width before the item's first line and on its baseline, as Qt places it."""
        text_list = block.textList()
        if text_list is None:
            return
        style = text_list.format().style()
        marker = _MARKERS.get(style) or text_list.itemText(block)
        if not marker:
            return
        fragment = block.begin().fragment()
        char_format = fragment.charFormat() if fragment.isValid() else block.charFormat()
        # The marker goes with the item's text, not with a link that the text may start with:
        # no underline, taken off the font (clearing the format's own left it on the font).
        font = char_format.font()
        font.setUnderline(False)
        marker_layout, gap = self._marker_layout(marker, font)
        marker_line = marker_layout.lineAt(0)
        x = origin.x() + first_line.x() - gap - marker_line.horizontalAdvance()
        baseline = origin.y() + first_line.y() + first_line.ascent()
        foreground = char_format.foreground()
        if foreground.style() != Qt.BrushStyle.NoBrush:
            painter.setPen(foreground.color())
        marker_layout.draw(painter, QPointF(x, baseline - marker_line.ascent()))
