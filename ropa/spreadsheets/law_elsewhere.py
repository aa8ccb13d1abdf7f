"""Bases and conditions written in another column, put in their own field and reported.

"Art 6(1)(b) & Art 9(2)(h)" in the Article 6 column names an Article 9 condition; "Article 10
- official authority" there names the Article 10 basis.  Each goes to its own field, an
explanation already there is kept beside the new one, and the report quotes the line that
named it as the DPO wrote it.
"""

from __future__ import annotations

from typing import Any

import ropa.spreadsheets.legal_refs as legal_refs
from ropa import law
from ropa.records import ConditionEntry, LawfulBasisEntry
from ropa.spreadsheets.columns import CellIn
from ropa.spreadsheets.report import Problem

_FIELD_NAMES = {
    legal_refs.ARTICLE6: "Article 6 lawful basis",
    legal_refs.ARTICLE9: "Article 9 condition",
    legal_refs.SCHEDULE1: "Schedule 1 condition",
    legal_refs.ARTICLE10: "Article 10 basis",
}


def place(values: dict[str, Any], found: list[tuple[str, ConditionEntry, CellIn]]) -> list[Problem]:
    """Put each basis or condition in `found` into the activity's `values`; what to tell the
    DPO, one line for each, quoting the line that named it."""
    told: list[Problem] = []
    for scheme, entry, cell in found:
        outcome = _put(values, scheme, entry)
        what = f"{_FIELD_NAMES[scheme]} ({legal_refs.title(scheme, entry.code)})"
        why = f"written in the “{cell.header}” column; {outcome} the activity's {what}"
        if entry.explanation:
            why += f", with “{entry.explanation}” as its explanation"
        told.append(Problem(cell.sheet, cell.ref, cell.text or "", why))
    return told


def _put(values: dict[str, Any], scheme: str, entry: ConditionEntry) -> str:
    """Add the entry to its field; how it went, in words that follow "…column; "."""
    if scheme == legal_refs.ARTICLE10:
        current = values.get("article10_basis") or ""
        if current and current != entry.code:
            kept = law.article10_bases()[current].name
            return f"the Article 10 column says “{kept}”, which was kept, rather than"
        values["article10_basis"] = entry.code
        return "recorded as"
    if scheme == legal_refs.ARTICLE6:
        bases: list[LawfulBasisEntry] = values.setdefault("lawful_bases", [])
        same_basis = next((basis for basis in bases if basis.basis == entry.code), None)
        if same_basis is None:
            bases.append(LawfulBasisEntry(entry.code, entry.explanation, []))
            return "recorded as"
        same_basis.explanation = _joined(same_basis.explanation, entry.explanation)
        return "added to"
    entries: list[ConditionEntry] = values.setdefault(scheme, [])
    same = next((existing for existing in entries if existing.code == entry.code), None)
    if same is None:
        entries.append(ConditionEntry(entry.code, entry.explanation))
        return "recorded as"
    same.explanation = _joined(same.explanation, entry.explanation)
    return "added to"


def _joined(kept: str, more: str) -> str:
    """An explanation with more words from another column, unless it already says them."""
    if not more or more in kept:
        return kept
    return f"{kept}; {more}" if kept else more
