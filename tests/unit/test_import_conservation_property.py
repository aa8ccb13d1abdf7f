"""Messy registers, generated: nothing a DPO wrote is lost, and the report says so truly.

Hypothesis writes registers as people keep them: headings drawn from the real variants
(ropa.spreadsheets.vocabulary and the ICO's own), title lines above the table, the
organisation's own columns, sentences in yes/no columns, several bases in one cell, "N/A"
and "None", a sheet of look-up lists beside the register, merged title cells and a cell
merged down two rows; as .xlsx, .ods and .csv.  Each is imported into a new register and
exported, and tests/helpers/conservation.py checks every cell, read apart from the import.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ropa.spreadsheets import import_workbook
from ropa.spreadsheets.layout import CONTROLLER_LAYOUT
from ropa.spreadsheets.vocabulary import meaning_of
from tests.data.import_corpus import Sheet, write_ods
from tests.helpers.conservation import SourceCell, check_conservation
from tests.helpers.register_files import fresh_register

# (heading, kind of text its cells hold), as real registers write them.
_HEADINGS = [
    ("Business function", "name"),
    ("Department", "name"),
    ("Processing activity", "name"),
    ("Purpose of processing", "text"),
    ("Purpose", "text"),
    ("Categories of individuals", "list"),
    ("Data subjects", "list"),
    ("Categories of personal data", "list"),
    ("Data Type", "list"),
    ("Categories", "list"),
    ("Recipients/processors", "list"),
    ("Third Party Recipients", "list"),
    ("Categories of recipients", "list"),
    ("Lawful basis (proposed)", "basis"),
    ("Article 6 lawful basis for processing personal data", "basis"),
    ("Article 9 basis for processing special category data", "condition"),
    ("Int'l Transfer?", "text"),
    ("Retention", "text"),
    ("Retention schedule (if possible)", "text"),
    ("Security measures (summary)", "list"),
    ("Data Protection Impact Assessment required?", "yesno"),
    ("DPIA required", "yesno"),
    ("Has a personal data breach occurred?", "yesno"),
    ("Notes to self", "text"),
    ("Colour code", "text"),
    ("System supplier", "text"),
]
# What each heading means, as the import's vocabulary says (own columns by their name).
_FIELD = {
    heading: (meaning.key if (meaning := meaning_of(heading)) else heading)
    for heading, _kind in _HEADINGS
}
_CORE = {"Purpose of processing", "Purpose", "Data subjects", "Categories of individuals"}
_BASES = [
    "Public task",
    "Contract: Necessary for the performance of our contract with the Trust.",
    "Legitimate interests (Art. 6(1)(f)); Pre-contract (Art. 6(1)(b))",
    "Public task (Art 6(1)(e)); Art 9(2)(g) substantial public interest",
    "Consent\nLegal obligation",
    "Art 6(1)(c) and Art 9(2)(b) - Sch.1 Pt.1 para 1",
    "Contract / legitimate interest",
]
_YES_NO = ["Yes", "No", "Completed by the board in March 2024", "Perhaps next year?", "TBC"]
_NOTHING = ["N/A", "None", "-", "Not applicable"]
_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzAEIOU", min_size=1, max_size=9)
_PHRASE = st.lists(_WORDS, min_size=1, max_size=5).map(" ".join)


@dataclass
class GeneratedRegister:
    """A generated register: its sheets (title -> rows) and merges (sheet -> ranges)."""

    sheets: dict[str, list[list[str | None]]]
    merges: dict[str, list[str]]


def _cell(kind: str) -> st.SearchStrategy[str | None]:
    texts: dict[str, st.SearchStrategy[str]] = {
        "name": _PHRASE,
        "text": _PHRASE,
        "list": st.lists(_PHRASE, min_size=1, max_size=3).map(lambda items: st_join(items)),
        "basis": st.one_of(st.sampled_from(_BASES), _PHRASE),
        "condition": st.one_of(
            st.sampled_from(["Article 9(2)(h) health or social care", "Explicit consent"]),
            _PHRASE,
        ),
        "yesno": st.one_of(st.sampled_from(_YES_NO), _PHRASE),
    }
    return st.one_of(st.none(), st.sampled_from(_NOTHING), texts[kind], texts[kind])


def st_join(items: list[str]) -> str:
    """A list as DPOs write one in a cell: by commas, semicolons or lines."""
    separator = [", ", "; ", "\n"][len(items) % 3]
    return separator.join(items)


@st.composite
def registers(draw: st.DrawFn) -> GeneratedRegister:
    core = draw(st.sampled_from(sorted(_CORE)))
    # Headings of different meanings (two headings of one field make one column of it
    # and an own column, which is tested elsewhere; here the table must be a table).
    others = draw(
        st.lists(
            st.sampled_from([h for h in _HEADINGS if _FIELD[h[0]] != _FIELD[core]]),
            min_size=3,
            max_size=8,
            unique_by=lambda h: _FIELD[h[0]],
        ).filter(
            # At least three headings of a register in all, or the import rightly refuses the
            # sheet as no table (tested elsewhere): two more of known meaning beside the core.
            lambda chosen: sum(meaning_of(heading) is not None for heading, _ in chosen) >= 2
        )
    )
    columns = [next(h for h in _HEADINGS if h[0] == core), *others]
    columns = draw(st.permutations(columns))
    titles = draw(
        st.lists(
            st.one_of(
                _PHRASE,
                st.just("Record of Processing Activities (Art. 30 UK GDPR)"),
                st.just("Controller: Example Trust, ICO ZA123456. DPO/contact: dpo@example.org"),
            ),
            max_size=3,
        )
    )
    rows: list[list[str | None]] = [[title] for title in titles]
    if titles:
        rows.append([])
    rows.append([heading for heading, _ in columns])
    count = draw(st.integers(min_value=1, max_value=4))
    for _ in range(count):
        rows.append([draw(_cell(kind)) for _, kind in columns])
    # Every data row names its activity in the first column, or it continues the one above.
    first = len(titles) + (1 if titles else 0) + 1
    rows[first][0] = rows[first][0] or draw(_PHRASE)
    sheets = {"Register": rows}
    merges: dict[str, list[str]] = {"Register": []}
    if titles and draw(st.booleans()):
        merges["Register"].append("A1:C1")
    if count >= 2 and draw(st.booleans()):
        # A cell merged down over the next row, as people merge a shared retention period.
        column = openpyxl.utils.get_column_letter(len(columns))
        merges["Register"].append(f"{column}{first + 1}:{column}{first + 2}")
    if draw(st.booleans()):
        sheets["Lookups"] = [[draw(_PHRASE)] for _ in range(draw(st.integers(1, 4)))]
    return GeneratedRegister(sheets, merges)


def _write_xlsx(register: GeneratedRegister, path: Path) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in register.sheets.items():
        sheet = workbook.create_sheet(title)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(number, column, value).data_type = "s"
        for cells in register.merges.get(title, []):
            sheet.merge_cells(cells)
    workbook.save(path)
    return path


def _write_csv(register: GeneratedRegister, path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(
            [value or "" for value in row] for row in register.sheets["Register"]
        )
    return path


def _merge_ranges(register: GeneratedRegister, title: str) -> list[tuple[int, int, int, int]]:
    found = []
    for cells in register.merges.get(title, []):
        first, last = cells.split(":")
        r1, c1 = openpyxl.utils.cell.coordinate_to_tuple(first)
        r2, c2 = openpyxl.utils.cell.coordinate_to_tuple(last)
        found.append((r1, c1, r2, c2))
    return found


def _write_ods(register: GeneratedRegister, path: Path) -> Path:
    sheets = [
        Sheet(title, rows, merges=_merge_ranges(register, title))
        for title, rows in register.sheets.items()
    ]
    return write_ods(path, sheets)


def _cells_written(register: GeneratedRegister) -> list[SourceCell]:
    """The cells as the test wrote them (a merge keeps only its first cell's text)."""
    found = []
    for title, rows in register.sheets.items():
        covered = {
            (row, column)
            for r1, c1, r2, c2 in _merge_ranges(register, title)
            for row in range(r1, r2 + 1)
            for column in range(c1, c2 + 1)
            if (row, column) != (r1, c1)
        }
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                if value and value.strip() and (number, column) not in covered:
                    found.append(SourceCell(title, number, column, value))
    return found


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(register=registers(), kind=st.sampled_from(["xlsx", "csv", "ods"]))
def test_a_messy_register_loses_nothing(
    _new_register_file: Path, register: GeneratedRegister, kind: str
) -> None:
    with fresh_register(_new_register_file) as (target, folder):
        source = folder / f"register.{kind}"
        written = {"xlsx": _write_xlsx, "csv": _write_csv, "ods": _write_ods}[kind]
        written(register, source)
        cells = _cells_written(register) if kind == "ods" else None
        report = import_workbook(target, source)
        check_conservation(target, source, report, folder, cells)
        if kind == "csv" or "Lookups" not in register.sheets:
            return
        # A sheet not read is never "understood".
        assert ("Lookups", "it has no row of register headings in its first 40 rows") in (
            report.skipped
        )


def test_the_ico_headings_are_among_the_generated_ones() -> None:
    ico = {column.header for column in CONTROLLER_LAYOUT.ico_columns}
    assert {heading for heading, _ in _HEADINGS} & ico


@pytest.mark.parametrize("kind", ["xlsx", "csv", "ods"])
def test_false_typed_as_text_under_a_yes_no_heading_is_read_as_no(
    _new_register_file: Path, kind: str
) -> None:
    """The example Hypothesis found (a continuation row holding only "false" under the breach
    question): read as the answer No, which the export writes as "No", never dropped."""
    headings = [
        "Categories of individuals",
        "Purpose of processing",
        "Lawful basis (proposed)",
        "Has a personal data breach occurred?",
    ]
    rows = [headings, ["N/A", None, None, None], [None] * 4, [None, None, None, "false"]]
    register = GeneratedRegister(sheets={"Register": rows}, merges={"Register": []})
    with fresh_register(_new_register_file) as (target, folder):
        source = folder / f"register.{kind}"
        {"xlsx": _write_xlsx, "csv": _write_csv, "ods": _write_ods}[kind](register, source)
        report = import_workbook(target, source)
        cells = _cells_written(register) if kind == "ods" else None
        check_conservation(target, source, report, folder, cells)
        ((reference, _name),) = report.created
        activity = target.activities.find_by_reference(reference)
        assert activity is not None and activity.breach_occurred is False
