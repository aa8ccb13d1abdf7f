"""The DPO's choices remembered per layout of headings, and how they meet today's choices.

When the DPO tells the import how to read a column ("Scribbles" is nothing to keep) or which
record a sheet is, the choice is remembered for the layout of the sheet's headings (its
signature, ropa.spreadsheets.report.SheetReport).  The next workbook of that layout is first
checked as it reads, and then, if what was remembered would read it differently, checked
again with the remembered choices.  This module is that rule; where the choices are kept
(QSettings in the desktop app) is the caller's business.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ropa.spreadsheets.layout import Kind


class SheetLayout(Protocol):
    """A sheet of the first check's report, as far as remembered choices go."""

    @property
    def sheet(self) -> str: ...
    @property
    def signature(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def kind_unsure(self) -> bool: ...


@dataclass(frozen=True)
class Remembered:
    """What was remembered for layouts of headings (by signature): heading (folded) ->
    field key, "own" or "ignore"; and the record ("controller" or "processor")."""

    mappings: Mapping[str, Mapping[str, str]]
    roles: Mapping[str, str]


@dataclass(frozen=True)
class ChoicesToUse:
    mapping: dict[str, str]
    roles: dict[str, Kind]
    # True when these read the workbook differently from the check just made: the preview
    # must be checked again with them before the DPO can import.
    changed: bool


def with_remembered(
    sheets: Sequence[SheetLayout],
    remembered: Remembered,
    mapping: Mapping[str, str],
    roles: Mapping[str, Kind],
) -> ChoicesToUse:
    """The choices to read the workbook with: what was remembered for its sheets' layouts,
    under what the DPO chose for this workbook (their choice today wins).

    A remembered record counts only for a sheet the DPO has not chosen one for, and only
    where it differs from how the sheet was read or settles a sheet that said both."""
    remembered_mapping: dict[str, str] = {}
    remembered_roles: dict[str, Kind] = {}
    for sheet in sheets:
        remembered_mapping.update(remembered.mappings.get(sheet.signature, {}))
        role = remembered.roles.get(sheet.signature)
        if role not in (Kind.CONTROLLER.value, Kind.PROCESSOR.value) or sheet.sheet in roles:
            continue
        if role != sheet.kind or sheet.kind_unsure:
            remembered_roles[sheet.sheet] = Kind(role)
    reads_otherwise = any(mapping.get(key) != value for key, value in remembered_mapping.items())
    return ChoicesToUse(
        mapping={**remembered_mapping, **mapping},
        roles={**remembered_roles, **roles},
        changed=reads_otherwise or bool(remembered_roles),
    )


def to_remember(remembered: Mapping[str, str], chosen: Mapping[str, str]) -> dict[str, str]:
    """What to keep for a layout after the DPO chose again: the new choices over the old,
    and the old ones for headings not chosen again (a workbook need not have them all)."""
    return {**remembered, **chosen}
