"""Text in a workbook that stands in for an answer rather than giving one: a template's
placeholders and example wording (what counts as one is ropa/placeholders.py's to say, for
the import, the checks and the notice alike), the example organisation and the sample rows
of an Example sheet (the ICO's, and those ROPA desk's own export writes there).

A placeholder is not the organisation's answer, so the import never presents it as one: in
the organisation block it is not stored, and in an activity it is reported to be filled in.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import ropa.spreadsheets.layout as layout
from ropa.placeholders import is_prompt_wording, template_marker


def placeholder_reason(text: str, sheet_title: str = "") -> str | None:
    """Why a value of the organisation block is a placeholder, not an answer, or None; on
    an Example sheet, the example organisation ROPA desk's export writes there is one too
    (elsewhere "dpo@example.org" may be a test register's real answer)."""
    marker = template_marker(text)
    if marker is not None:
        return f"a template's placeholder ({marker}), not an answer: fill it in"
    if is_prompt_wording(text):
        return "the template's example wording, not an answer: fill it in"
    folded = " ".join(text.split()).casefold()
    is_example_sheet = sheet_title.strip().casefold() == layout.EXAMPLE_SHEET.casefold()
    if is_example_sheet and folded in _example_organisation_words():
        return "the example organisation of the template's Example sheet, not an answer"
    return None


@cache
def _example_organisation_words() -> frozenset[str]:
    from ropa.spreadsheets.export import example_organisation_values

    return frozenset(
        " ".join(value.split()).casefold()
        for kind in layout.Kind
        for value in example_organisation_values(kind)
        if value.strip()
    )


def _row_words(values: Sequence[object]) -> frozenset[str]:
    return frozenset(
        " ".join(str(value).split()).casefold()
        for value in values
        if value is not None and str(value).strip()
    )


# The rows of the ICO's processor template's Example sheet (Example!A10:G13), as written.
_ICO_PROCESSOR_SAMPLE = (
    ("Link", "Controller A - Address, Email, Tel. Number", "N/A", "Payroll", "N/A", "N/A",
     "Encrypted storage"),
    ("Link", "Controller B - Address, Email, Tel. Number", "N/A", "Payroll", "N/A", "N/A",
     "Encrypted storage"),
    ("Link", "Controller B - Address, Email, Tel. Number", "N/A", "Bookkeeping", "N/A", "N/A",
     "Encrypted storage"),
    ("Link", "Controller B - Address, Email, Tel. Number", "N/A", "Cloud storage", "Canada",
     "N/A", "Encrypted storage, access controls"),
)  # fmt: skip


@cache
def _sample_rows() -> frozenset[frozenset[str]]:
    """Each sample row's words: the ICO's, and those ROPA desk writes on the Example sheet of
    its own exports (so an export of an empty register never gives back its example)."""
    from ropa.spreadsheets.export import example_rows  # the export needs this package

    rows: list[Sequence[object]] = list(_ICO_PROCESSOR_SAMPLE)
    for kind in layout.Kind:
        rows += example_rows(kind)
    return frozenset(_row_words(row) for row in rows)


def is_sample_row(values: Sequence[object]) -> bool:
    """Whether a row of an Example sheet is one of the template's own sample rows."""
    words = _row_words(values)
    return bool(words) and words in _sample_rows()
