"""The change history for the annual review: per activity, register-wide, or since a date,
as rows a person reads and as an Excel workbook.

Times are stored in UTC and shown in the computer's local time ("21 November 2026 14:05").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from openpyxl import Workbook

from ropa.checks.report import write_table
from ropa.dates import british_date, british_datetime
from ropa.fields import label as field_label
from ropa.files import write_atomically
from ropa.history import Change

if TYPE_CHECKING:
    from ropa.history import HistoryService

HEADINGS = ("When", "Who", "What", "Action", "Field", "Old value", "New value")
_ACTIONS = {
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "duplicate": "Duplicated",
    "rename": "Renamed",
    "merge": "Merged",
    "publish": "Published",
    "import": "Imported",
}


@dataclass(frozen=True)
class HistoryRow:
    """One change as people read it."""

    when: str
    who: str
    what: str
    action: str
    field: str
    old_value: str
    new_value: str

    def values(self) -> tuple[str, ...]:
        return (
            self.when,
            self.who,
            self.what,
            self.action,
            self.field,
            self.old_value,
            self.new_value,
        )


class HistorySource(Protocol):
    """An open register (ropa/register.py) as far as its change history goes."""

    @property
    def history(self) -> HistoryService: ...


def start_of_day_utc(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in local time, as the naive UTC the history stores."""
    local_midnight = dt.datetime.combine(day, dt.time()).astimezone()
    return local_midnight.astimezone(dt.UTC).replace(tzinfo=None)


def changes(
    register: HistorySource,
    *,
    activity_ids: Collection[int] | None = None,
    since: dt.date | None = None,
) -> list[Change]:
    """Changes newest first: all of them, or about some activities, or since a date."""
    moment = start_of_day_utc(since) if since is not None else None
    if activity_ids is not None and len(activity_ids) == 1:
        (only,) = activity_ids
        return register.history.changes(entity_type="activity", entity_id=only, since=moment)
    found = register.history.changes(since=moment)
    if activity_ids is None:
        return found
    wanted = set(activity_ids)
    return [c for c in found if c.entity_type == "activity" and c.entity_id in wanted]


def to_rows(found: Sequence[Change]) -> list[HistoryRow]:
    return [
        HistoryRow(
            when=british_datetime(change.changed_at),
            who=change.changed_by,
            what=change.entity_label or change.entity_type.replace("_", " ").capitalize(),
            action=_ACTIONS.get(change.action, change.action.capitalize()),
            field=field_label(change.field) if change.field else "",
            old_value=change.old_value,
            new_value=change.new_value,
        )
        for change in found
    ]


def write_history_xlsx(rows: Sequence[HistoryRow], path: Path, *, title: str = "Changes") -> None:
    """Write the rows to one sheet; user text stays text (never a formula)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    write_table(sheet, HEADINGS, [row.values() for row in rows], (22, 16, 36, 12, 24, 40, 40))
    write_atomically(path, lambda temporary: workbook.save(temporary))


def export_history(
    register: HistorySource,
    path: Path,
    *,
    activity_ids: Collection[int] | None = None,
    since: dt.date | None = None,
) -> int:
    """Export changes (filtered as `changes` does) to `path`; returns how many rows."""
    rows = to_rows(changes(register, activity_ids=activity_ids, since=since))
    write_history_xlsx(rows, path, title=sheet_title(since))
    return len(rows)


def sheet_title(since: dt.date | None) -> str:
    return f"Changes since {british_date(since)}" if since else "Changes"
