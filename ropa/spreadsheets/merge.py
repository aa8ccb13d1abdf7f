"""Importing into an activity the register already holds: a merge, never an overwrite.

A workbook read again is often older than the register (the DPO filled in a lawful basis in
the app since), so what a row says is merged into the activity:

- a blank cell, or one that could not be read, says nothing, and never clears a value the
  register holds;
- the organisation's own fields are added to and changed, never removed;
- values the import worked out for itself when the sheet had no column for them (a name
  made from the business function, the role a controller sheet implies) never replace what
  the register holds;
- every field that would change is listed (old, new) for the DPO to accept or reject, per
  activity or per field, before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ropa.fields import label
from ropa.history import format_value
from ropa.records import ActivityRecord, Role

if TYPE_CHECKING:
    from ropa.store import Store


@dataclass(frozen=True)
class FieldChange:
    """One field of an activity that an import changes: its old and new text, as the
    change history writes values (lists one item a line, yes/no, ISO dates)."""

    field: str
    label: str
    old: str
    new: str
    # The yes/no questions: None (not recorded) is shown apart from an empty text.
    old_unknown: bool = False


@dataclass
class ActivityChanges:
    """The changes an import makes (or, in a preview, would make) to one activity."""

    activity_id: int
    reference: str
    name: str
    sheet: str
    rows: str  # "12" or "12:14"
    changes: list[FieldChange] = field(default_factory=list)
    # Fields the DPO rejected: the register kept its value (only in a real import).
    kept: list[FieldChange] = field(default_factory=list)


# A choice made in the preview: (activity id, field) pairs whose register value is kept.
Rejected = Collection[tuple[int, str]]


def is_blank(value: Any) -> bool:
    """A value that says nothing: what an empty or unreadable cell gives."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict | tuple | set):
        return not value
    return False


def merged_values(
    before: ActivityRecord,
    incoming: Mapping[str, Any],
    *,
    source_keys: Collection[str],
) -> dict[str, Any]:
    """What a workbook row changes in an activity the register holds: its non-blank values,
    with the activity's own fields merged, and none of the values the import worked out for
    itself (`source_keys` are the fields the sheet has columns for) where the register
    already holds one."""
    changes: dict[str, Any] = {}
    for name, value in incoming.items():
        if name == "extra_fields":
            merged = dict(before.extra_fields)
            merged.update({k: v for k, v in value.items() if not is_blank(v)})
            if list(merged.items()) != list(before.extra_fields.items()):
                changes[name] = merged
            continue
        if is_blank(value):
            continue
        if name not in source_keys and not _worked_out_may_replace(name, value, before):
            continue
        changes[name] = value
    return changes


def _worked_out_may_replace(name: str, value: Any, before: ActivityRecord) -> bool:
    """Whether a value the import worked out (not read from a column of its own) may
    replace what the register holds."""
    if name == "role":
        # A processor sheet says the activity is processing for others; a joint controller's
        # name says there is one.  A controller sheet with neither says nothing about role.
        return bool(value in (Role.PROCESSOR, Role.JOINT_CONTROLLER))
    if name == "name":
        return is_blank(before.name)
    # The legislation gathered from the lawful bases, conditions written in the basis
    # column and the notes of what was not understood: all read from the row's cells.
    return True


def differences(before: ActivityRecord, changes: Mapping[str, Any]) -> list[FieldChange]:
    """The fields `changes` would change in `before`, in the record's order."""
    found = []
    for name in ActivityRecord.editable_fields():
        if name not in changes:
            continue
        old, new = getattr(before, name), changes[name]
        if name == "extra_fields":
            found += _own_field_changes(old, new)
            continue
        if _same(old, new):
            continue
        found.append(
            FieldChange(name, label(name), format_value(old), format_value(new), old is None)
        )
    return found


def _own_field_changes(old: Mapping[str, str], new: Mapping[str, str]) -> list[FieldChange]:
    return [
        FieldChange(
            "extra_fields",
            f"{header} (your own field)",
            old.get(header, ""),
            text,
            False,
        )
        for header, text in new.items()
        if old.get(header) != text
    ]


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, str) and isinstance(new, str):
        return old.strip() == new.strip()
    return bool(old == new)


def without_rejected(
    activity_id: int, changes: dict[str, Any], rejected: Rejected
) -> tuple[dict[str, Any], set[str]]:
    """The changes the DPO accepted, and the names of the fields they rejected."""
    refused = {name for name in changes if (activity_id, name) in rejected}
    return {k: v for k, v in changes.items() if k not in refused}, refused


def rejected_for(activities: Iterable[ActivityChanges]) -> set[tuple[int, str]]:
    """Every change of these activities, as rejections (to keep them as the register has)."""
    return {(entry.activity_id, change.field) for entry in activities for change in entry.changes}


def backup_before_import(register: Store) -> Path | None:
    """A copy of the register file in its backup folder, made before an import writes, so
    that the register as it was can be put back (File, Restore a backup).  None for a team
    register on a server, which keeps its own backups; a copy that cannot be made stops
    the import (ropa.errors.FileWriteError), before anything is changed."""
    from ropa.backup import backup_before_import as backup_file

    if register.server_url is not None or register.read_only:
        return None  # a read-only register refuses the import's writes anyway
    return backup_file(register.path, options=register.options)


def shown_value(text: str, unknown: bool) -> str:
    """A field's value in the list of changes: "not recorded" for an unanswered question,
    "(empty)" for nothing, else the text."""
    if unknown:
        return "not recorded"
    return text if text.strip() else "(empty)"


def describe_changes(
    activities: Iterable[ActivityChanges], *, dry_run: bool, shown: Callable[[str], str] = str
) -> list[str]:
    """The changes in lines for the command line: per activity, each field, old and new."""
    lines = []
    for entry in activities:
        where = f"sheet “{shown(entry.sheet)}” row {entry.rows}"
        lines.append(f"{shown(entry.reference)} {shown(entry.name)} ({where}):")
        verb = "would change" if dry_run else "changed"
        for change in entry.changes:
            old = shown(shown_value(change.old, change.old_unknown))
            lines.append(
                f"  {change.label} {verb}: {_one_line(old)} -> {_one_line(shown(change.new))}"
            )
        for change in entry.kept:
            lines.append(f"  {change.label} kept as the register had it (the change was rejected)")
    return lines


def _one_line(text: str) -> str:
    return "; ".join(part.strip() for part in text.splitlines() if part.strip()) or "(empty)"
