"""Cell values: text that can never turn into a formula, and splitting what DPOs type.

A cell written by the export is always text (or empty); one that starts with a character
Excel treats as the start of a formula is stored as a string and marked with a quote prefix,
so Excel shows it as typed and never evaluates it.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ropa.nothing_said import says_nothing

EXCEL_CELL_LIMIT = 32_767
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# What DPOs write in a cell that means "nothing here".
_BULLET = re.compile(r"^\s*(?:[•·▪◦●○■□*>]|[-–—](?=\s))\s*")
_NUMBERING = re.compile(r"^\s*(?:\(?\d{1,3}[.)]|\(?[a-z][.)](?=\s))\s+", re.IGNORECASE)
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029")
_GENERIC_LINK_TEXT = {"link", "here", "click here", "contract", "view", "open", "document"}


# The parts of a formula that gives the same value whatever the workbook holds: constants
# (TRUE, FALSE, numbers, quoted text), NOT and operators.  A cell reference, a name or any
# other function (TODAY(), RAND(), a lookup) is none of these.
_FIXED_VALUE_PART = re.compile(
    r'\s*(?:(?:TRUE|FALSE)(?:\(\s*\))?(?![\w.])|NOT\(|"[^"]*"|\d+(?:\.\d+)?(?![\w.])'
    r"|<>|<=|>=|[=<>+\-*/&^()%])\s*",
    re.IGNORECASE,
)


def gives_a_fixed_value(formula: str) -> bool:
    """Whether a formula, as written in the file ("FALSE()", "=0=1", "0&lt;1"), always gives
    the same value: only constants and operators, so what it shows was set by whoever made
    the template, not worked out from anything a person entered."""
    text = html.unescape(formula).strip()
    text = text[1:] if text.startswith("=") else text
    position = 0
    while position < len(text):
        part = _FIXED_VALUE_PART.match(text, position)
        if part is None or part.end() == position:
            return False
        position = part.end()
    return bool(text.strip())


def needs_quote_prefix(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def clean_for_excel(text: str) -> str:
    """Drop the control characters an xlsx file cannot hold (keeping tab and new lines)."""
    cleaned: str = ILLEGAL_CHARACTERS_RE.sub("", text)
    return cleaned


def is_empty(text: str | None) -> bool:
    return says_nothing(text)


def lines(text: str | None) -> list[str]:
    """The non-empty lines of a cell, trimmed."""
    if text is None:
        return []
    return [line.strip() for line in _LINE_BREAKS.split(text) if line.strip()]


def strip_marker(line: str) -> str:
    """A list item without its bullet ("•", "-") or numbering ("1.", "a)")."""
    line = _BULLET.sub("", line, count=1)
    return _NUMBERING.sub("", line, count=1).strip()


def split_values(text: str | None) -> list[str]:
    """The separate values in a cell: one a line, or separated by semicolons, bullets or
    numbering; "N/A", "-" and "None" mean there are none."""
    # A new list each time (callers may change it) from a cached tuple: a DPO's workbook
    # repeats the same cells down thousands of rows.
    return list(_split_values(text))


@functools.lru_cache(maxsize=16_384)
def _split_values(text: str | None) -> tuple[str, ...]:
    if is_empty(text):
        return ()
    found: list[str] = []
    for line in lines(text):
        parts = line.split(";") if ";" in line else [line]
        for part in parts:
            value = strip_marker(part)
            if not is_empty(value):
                found.append(value)
    return tuple(found)


def join_lines(values: list[str]) -> str | None:
    text = "\n".join(value for value in values if value)
    return text or None


def one_line(text: str) -> str:
    """Text that must stay on one line of a cell (the name of a piece of legislation)."""
    return " ".join(lines(text))


# --- text typed over several lines, as one item of a cell's list ------------------------------
#
# A cell that lists items one a line (lawful bases, retention rules, transfer safeguards) can
# still hold an item whose text the DPO typed over several lines: the item's first line starts
# it, and each further line is written indented under it, as a person lays such a list out by
# hand, so a reader in Excel sees at a glance which words belong to which item. A line left
# empty inside the text is written empty: it is read as part of the text when an indented line
# follows it (as it does in what the export writes), and as a mere gap between items when none
# does.
#
# A DPO also indents by hand, and not only to go on with a sentence: a list of Acts under a
# basis, a second rule under a first. An indented line is therefore taken as more of the item
# above only when it cannot be read as something of its own; what that means is the reader's
# to say (a basis or legislation in a law cell, a whole rule in a retention cell, a named
# destination in a safeguards cell), through `stands_alone`. From the first line that can,
# the item's lines are read one by one, as they were before indenting meant anything, and the
# caller asks the DPO to check them: the words may be the rest of the text the export wrote.

CONTINUATION_INDENT = "    "

# Why an indented line (trimmed) can be read as something of its own ("it names a basis"),
# given the text of its item above it, or "" when it cannot.
StandsAlone = Callable[[str, str], str]


def with_continuations(text: str) -> str:
    """Text for a cell line that its further lines follow, each indented beneath it. Line
    breaks of any kind are written as one; the text's edges are trimmed, as the import trims
    every cell's."""
    first, *further = _LINE_BREAKS.split(text.strip())
    return "\n".join([first, *(CONTINUATION_INDENT + line if line else "" for line in further)])


@dataclass(frozen=True)
class ItemLines:
    """A line of a cell with the indented lines that continue it."""

    # The line as written, untrimmed (its trailing spaces belong to a text that continues).
    first: str
    # The lines beneath it, each without its indent: the words as typed, "" for an empty line.
    continued: tuple[str, ...] = ()

    def whole(self) -> str:
        """The text the lines make together, line breaks kept, its edges trimmed."""
        return "\n".join((self.first.lstrip(), *self.continued)).strip()

    def one_by_one(self) -> list[str]:
        """Each non-empty line trimmed, as `lines` reads a cell: for a cell whose indenting
        means nothing to its reader."""
        return [line.strip() for line in (self.first, *self.continued) if line.strip()]

    def split_off(self, stands_alone: StandsAlone) -> tuple[ItemLines, list[str]]:
        """The item up to the first further line that `stands_alone`, and that line with
        every non-empty line after it, trimmed, to be read one by one."""
        for index, line in enumerate(self.continued):
            above = ItemLines(self.first, self.continued[:index])
            if line.strip() and stands_alone(line.strip(), above.whole()):
                apart = [rest.strip() for rest in self.continued[index:] if rest.strip()]
                return ItemLines(self.first, self.continued[:index]), apart
        return self, []


def item_lines(text: str | None) -> list[ItemLines]:
    """The non-empty lines of a cell, each with the indented lines beneath it."""
    items: list[ItemLines] = []
    empty: list[str] = []  # empty lines since the last with words: kept if an indented follows
    for line in _LINE_BREAKS.split(text or ""):
        if not line.strip():
            empty.append(_unindented(line))
        elif line[:1].isspace() and items:
            last = items[-1]
            items[-1] = ItemLines(last.first, (*last.continued, *empty, _unindented(line)))
            empty = []
        else:
            items.append(ItemLines(line))
            empty = []
    return items


@dataclass(frozen=True)
class ItemText:
    """An item of a cell that lists them one a line, its line breaks kept, trimmed."""

    text: str
    # For a line indented under the item above but read on its own: why, for the DPO to
    # check; "" for an item that starts on a line of its own.
    set_apart: str = ""


def item_texts(text: str | None, stands_alone: StandsAlone) -> list[ItemText]:
    """The items of a cell that lists them one a line, each with the indented lines that go
    on with it; an indented line that `stands_alone`, and each after it under the same item,
    is an item of its own that says why."""
    found: list[ItemText] = []
    for item in item_lines(text):
        kept, apart = item.split_off(stands_alone)
        found.append(ItemText(kept.whole()))
        for line in apart:
            why = set_apart_reason(stands_alone(line, found[-1].text))
            found.append(ItemText(line, why))
    return found


def set_apart_reason(why: str) -> str:
    """What the import says of a line indented under another but read on its own, given why
    the line can stand alone ("" for one that followed such a line under the same item)."""
    if why:
        return (
            f"indented under the line above, as more of its text would be, but {why}, so it "
            "was read on its own; check it is not the rest of the line above"
        )
    return (
        "indented under the line above, after a line that was read on its own, so it was "
        "read on its own too; check it is not the rest of the line above"
    )


def _unindented(line: str) -> str:
    """A continuation line without the export's indent (the spaces after it are the DPO's),
    or, indented some other way (by hand in Excel), without any."""
    if line.startswith(CONTINUATION_INDENT):
        return line[len(CONTINUATION_INDENT) :]
    return line.lstrip()


def format_date(value: dt.date | None) -> str | None:
    """A date as British readers write it: 21 November 2026."""
    if value is None:
        return None
    return f"{value.day} {value:%B %Y}"


_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y")


@functools.lru_cache(maxsize=4_096)  # dates are immutable; a register repeats a few hundred
def parse_date(text: str) -> dt.date | None:
    """A date typed in any of the usual British ways, or ISO; None when it is not one."""
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.strip())
    try:
        return dt.date.fromisoformat(cleaned)
    except ValueError:
        pass
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    return None


def is_generic_link_text(text: str) -> bool:
    return text.strip().casefold() in _GENERIC_LINK_TEXT


URL = re.compile(r"^(?:https?://|www\.|file:|mailto:|\\\\)\S+$", re.IGNORECASE)


def is_url(text: str) -> bool:
    return bool(URL.match(text.strip()))
