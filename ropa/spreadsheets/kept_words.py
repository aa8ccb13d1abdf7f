"""Which words of a cell the fields read from it kept: the import's guard against losing text.

The readers of the law, yes/no, date, transfer and retention columns turn what a DPO wrote
into the register's fields, and the register writes those back in its own words ("Art 6(1)(b)"
becomes "Article 6(1)(b) Contract").  Whatever a reader does, every word of four letters or
more that the cell held must be found in the activity it went to; a cell with words found
nowhere is kept whole in the activity's notes and reported, so no reader, however it is
written, can lose what the DPO wrote.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
from collections.abc import Callable
from typing import Any

import ropa.spreadsheets.lawtext as lawtext
from ropa import law
from ropa.fields import ROLE_LABELS, STATUS_LABELS
from ropa.records import (
    ConditionEntry,
    LawfulBasisEntry,
    RetentionEntry,
    Role,
    Status,
    TransferEntry,
)
from ropa.review_rules import CHANGED_SINCE_APPROVED
from ropa.spreadsheets.cells import format_date

_WORD = re.compile(r"[^\W\d_]{4,}")


def words(text: str) -> list[str]:
    """The words of four letters or more, folded, in the order they stand."""
    return [word.casefold() for word in _WORD.findall(text)]


def missing_words(text: str, kept: str) -> list[str]:
    """The words of `text` (four letters or more) not found in `kept`, which is folded."""
    found: list[str] = []
    for word in words(text):
        if word not in kept and word not in found:
            found.append(word)
    return found


def activity_text(values: dict[str, Any], *others: Any) -> str:
    """Everything an activity's values (and `others`, such as its processors' contract
    links) say, in the words the register shows them with, folded: what a cell's words
    are looked for in."""
    parts: list[str] = []
    _collect(values, parts)
    _collect(list(others), parts)
    return "\n".join(parts).casefold()


def _collect(value: Any, parts: list[str]) -> None:
    if value is None:
        return
    if isinstance(value, Role):  # Role and Status before str: each is a str too
        parts.append(ROLE_LABELS[value])
    elif isinstance(value, Status):
        parts.append(STATUS_LABELS[value])
        if value == Status.DRAFT:
            # An approved activity edited since is exported as "Changed since approved" and
            # read back as a draft (ropa.review_rules): the label's words went there.
            parts.append(CHANGED_SINCE_APPROVED)
    elif isinstance(value, str):
        parts.append(value)
    elif isinstance(value, bool):
        # "TRUE" and "FALSE" are how a spreadsheet writes a yes or a no.
        parts.append("yes true" if value else "no false")
    elif isinstance(value, enum.Enum):
        parts.append(str(value.value))
    elif isinstance(value, dt.date):
        parts.append(format_date(value) or "")
    elif isinstance(value, dict):
        for key, item in value.items():
            parts.append(str(key))
            if key == "article10_basis" and item:
                parts.append(_title(lawtext.article10_title, str(item)))
            if key == "dpia_criteria" and item:
                criteria = law.dpia_criteria()
                parts += [criteria[c].name for c in str(item).split("\n") if c in criteria]
            _collect(item, parts)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _collect(item, parts)
    elif isinstance(value, LawfulBasisEntry):
        parts.append(_title(lawtext.basis_title, value.basis))
        parts.append(value.explanation)
        parts.extend(value.legislation)
        parts += [value.annex1_condition, value.outside_tasks_reason]
    elif isinstance(value, RetentionEntry):
        parts.append(lawtext.format_retention(value))
    elif isinstance(value, TransferEntry):
        parts.append(value.destination)
        parts.extend(lawtext.format_transfer_safeguards([value]))
        parts += [value.data_protection_test_date, value.data_protection_test_link]
    elif isinstance(value, ConditionEntry):
        for title in (lawtext.article9_title, lawtext.schedule1_title):
            parts.append(_title(title, value.code))
        parts.append(value.explanation)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            _collect(getattr(value, item.name), parts)
    else:
        parts.append(str(value))


def _title(title: Callable[[str], str], code: str) -> str:
    """The law's name for a code, or "" where the code is not of that scheme."""
    try:
        return title(code)
    except KeyError:
        return ""
