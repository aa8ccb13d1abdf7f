"""Cell values: text that can never turn into a formula, and splitting what DPOs type.

A cell written by the export is always text (or empty); one that starts with a character
Excel treats as the start of a formula is stored as a string and marked with a quote prefix,
so Excel shows it as typed and never evaluates it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ropa.nothing_said import says_nothing

EXCEL_CELL_LIMIT = 32_767
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# What DPOs write in a cell that means "nothing here".
_BULLET = re.compile(r"^\s*(?:[•·▪◦●○■□*>]|[-–—](?=\s))\s*")
_NUMBERING = re.compile(r"^\s*(?:\(?\d{1,3}[.)]|\(?[a-z][.)](?=\s))\s+", re.IGNORECASE)
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029")
_GENERIC_LINK_TEXT = {"link", "here", "click here", "contract", "view", "open", "document"}


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
    """Text that must stay on one line of a cell (explanations beside a lawful basis)."""
    return " ".join(lines(text))


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
