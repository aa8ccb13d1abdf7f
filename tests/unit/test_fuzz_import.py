"""Fuzzing the import: any workbook either imports or is refused with a clear RopaError.

Hypothesis builds workbooks with random sheet names, headers (real ICO headings mixed with
anything), values of every type, merged cells and stray rows, and random non-workbook bytes.
A refusal must leave the register exactly as it was, compared as a full dump: every activity
(retired too), every library item, the organisation and the length of the change history.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from openpyxl import Workbook

from ropa.errors import RopaError
from ropa.records import LibraryKind
from ropa.register import Register
from ropa.spreadsheets import import_workbook
from tests.data.make_dpo_workbook import HEADERS
from tests.helpers.register_files import fresh_register

FUZZ_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# What an xlsx cell can hold: no surrogates, no control characters but new lines.
_CELL_CHARACTERS = st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n")
_SHEET_NAME_CHARACTERS = st.characters(
    blacklist_characters="[]:*?/\\'", blacklist_categories=("Cs", "Cc")
)
sheet_names = st.text(_SHEET_NAME_CHARACTERS, min_size=1, max_size=31).filter(str.strip)
_tricky_text = st.sampled_from(
    [
        "",
        "N/A",
        "-",
        "=1+1",
        "@SUM(A1)",
        "Yes",
        "no",
        "Public task\nChildren Act 1989",
        "9(2)(h)",
        "Schedule 1 paragraph 18",
        "• Children\n• Parents",
        "<b>bold</b>",
        "{{ 7*7 }}",
        "\u202eevil",
        "x" * 5000,
    ]
)
cell_values = st.one_of(
    st.none(),
    _tricky_text,
    st.text(_CELL_CHARACTERS, max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
)
headers = st.one_of(
    # The ICO headings in order, some cut short or with a column of the DPO's own...
    st.tuples(st.integers(3, len(HEADERS)), st.integers(0, len(HEADERS))).map(
        lambda cut: [*HEADERS[: cut[0]][: cut[1]], "Our own notes", *HEADERS[cut[1] : cut[0]]]
    ),
    # ...or anything at all.
    st.lists(
        st.one_of(st.sampled_from(HEADERS), st.text(_CELL_CHARACTERS, max_size=30), st.none()),
        min_size=1,
        max_size=len(HEADERS) + 3,
    ),
)


@st.composite
def workbooks(draw: st.DrawFn) -> dict[str, Any]:
    sheets = []
    for name in draw(st.lists(sheet_names, min_size=1, max_size=3, unique_by=str.casefold)):
        sheet_headers = draw(headers)
        rows = draw(
            st.lists(st.lists(cell_values, max_size=len(sheet_headers) + 2), min_size=1, max_size=6)
        )
        header_row = draw(st.integers(min_value=1, max_value=9))
        merges = draw(
            st.lists(
                st.tuples(st.integers(1, 20), st.integers(1, 8), st.integers(0, 2)),
                max_size=3,
                unique_by=lambda merge: merge[0],
            )
        )
        sheets.append(
            {
                "name": name,
                "header_row": header_row,
                "headers": sheet_headers,
                "rows": rows,
                "merges": merges,
            }
        )
    return {"sheets": sheets}


def write_workbook(shape: dict[str, Any], path: Path) -> None:
    workbook = Workbook()
    default = workbook.active
    assert default is not None
    workbook.remove(default)
    for spec in shape["sheets"]:
        sheet = workbook.create_sheet(spec["name"])
        for column, header in enumerate(spec["headers"], start=1):
            sheet.cell(spec["header_row"], column, header)
        for offset, row in enumerate(spec["rows"], start=1):
            for column, value in enumerate(row, start=1):
                sheet.cell(spec["header_row"] + offset, column, value)
        for row, column, width in spec["merges"]:
            # One merge per row (unique_by above), so merges never overlap.
            sheet.merge_cells(
                start_row=row, start_column=column, end_row=row, end_column=column + width
            )
    workbook.save(path)


def dump(register: Register) -> tuple[Any, ...]:
    """Everything the register holds that an import could change."""
    return (
        register.activities.load(include_retired=True),
        [register.library.items(kind) for kind in LibraryKind],
        register.organisation.get(),
        len(register.history.changes()),
    )


def _import_or_refuse(register: Register, path: Path) -> bool:
    """Import; True if it did, False if refused with a RopaError (and nothing changed)."""
    before = dump(register)
    try:
        import_workbook(register, path)
    except RopaError as error:
        message = str(error)
        assert message.strip() and "Traceback" not in message
        assert dump(register) == before, "a refused import changed the register"
        _note(f"refused: {type(error).__name__}")
        return False
    _note("imported")
    return True


def _note(outcome: str) -> None:
    # Shown by --hypothesis-show-statistics: how many examples imported, how many refused.
    if currently_in_test_context():
        event(outcome)


@FUZZ_SETTINGS
@given(shape=workbooks(), dry_run=st.booleans())
def test_any_workbook_imports_or_is_refused_clearly(
    _new_register_file: Path, shape: dict[str, Any], dry_run: bool
) -> None:
    with fresh_register(_new_register_file) as (fuzz_register, folder):
        _import_fuzzed(fuzz_register, folder / "fuzzed.xlsx", shape, dry_run)


def _import_fuzzed(
    fuzz_register: Register, path: Path, shape: dict[str, Any], dry_run: bool
) -> None:
    write_workbook(shape, path)
    if dry_run:
        before = dump(fuzz_register)
        try:
            import_workbook(fuzz_register, path, dry_run=True)
            _note("dry run: would import")
        except RopaError:
            _note("dry run: refused")
        assert dump(fuzz_register) == before, "a dry run changed the register"
    else:
        _import_or_refuse(fuzz_register, path)
    with fuzz_register.engine.connect() as raw:
        assert raw.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


@FUZZ_SETTINGS
@given(
    data=st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=2000).map(lambda tail: b"PK\x03\x04" + tail),
        st.binary(max_size=500).map(lambda tail: b"SQLite format 3\x00" + tail),
    )
)
def test_any_bytes_named_xlsx_are_refused_clearly(_new_register_file: Path, data: bytes) -> None:
    with fresh_register(_new_register_file) as (fuzz_register, folder):
        path = folder / "not really.xlsx"
        path.write_bytes(data)
        assert not _import_or_refuse(fuzz_register, path)


def test_a_truncated_real_workbook_is_refused_clearly(register: Register, tmp_path: Path) -> None:
    from tests.data.make_dpo_workbook import build

    whole = build(tmp_path / "whole.xlsx").read_bytes()
    for cut in (10, len(whole) // 3, len(whole) // 2, len(whole) - 30):
        path = tmp_path / f"cut{cut}.xlsx"
        path.write_bytes(whole[:cut])
        assert not _import_or_refuse(register, path)


# --- the reader ------------------------------------------------------------------------------

_VALUES = st.one_of(
    st.text(_CELL_CHARACTERS, min_size=1, max_size=40).filter(
        lambda text: text.strip() != "" and not text.startswith("=")
    ),
    st.integers(-(10**9), 10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
)


@settings(max_examples=40, deadline=None)
@given(
    cells=st.dictionaries(
        st.tuples(st.integers(1, 30), st.integers(1, 12)), _VALUES, min_size=1, max_size=30
    )
)
def test_the_reader_reads_every_value_as_openpyxl_wrote_it(
    cells: dict[tuple[int, int], Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    from ropa.spreadsheets.reader import read_spreadsheet

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for (row, column), value in cells.items():
        sheet.cell(row, column, value)
    path = tmp_path_factory.mktemp("reader") / "values.xlsx"
    workbook.save(path)
    (read,) = read_spreadsheet(path).sheets
    found = {
        (row, column): value
        for row, values in read.rows.items()
        for column, value in values.items()
    }
    expected = {place: value for place, value in cells.items() if value != ""}
    assert found.keys() == expected.keys()
    for place, value in expected.items():
        if isinstance(value, float):
            assert found[place] == pytest.approx(value, rel=1e-6), place
        else:
            assert found[place] == value, place
