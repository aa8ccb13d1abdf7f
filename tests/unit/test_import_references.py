"""New references given by an import: worked out once, never one a later row names."""

from __future__ import annotations

from pathlib import Path

from ropa.register import Register
from ropa.spreadsheets import import_workbook
from tests.data.import_corpus import hand_made


def _workbook(path: Path, rows: list[dict[str, str]]) -> Path:
    return hand_made(path, rows, register_columns=True)


def test_a_row_without_a_reference_never_takes_one_a_later_row_names(
    register: Register, tmp_path: Path
) -> None:
    path = _workbook(
        tmp_path / "refs.xlsx",
        [
            {"Business function": "Housing", "Purpose of processing": "Tenancies"},
            {
                "Business function": "Education",
                "Purpose of processing": "Admissions",
                "Reference": "ACT-0001",
            },
            {"Business function": "Planning", "Purpose of processing": "Applications"},
        ],
    )
    report = import_workbook(register, path)
    assert sorted(reference for reference, _ in report.created) == [
        "ACT-0001",
        "ACT-0002",
        "ACT-0003",
    ]
    stored = {record.reference: record.business_function for record in register.activities.load()}
    assert stored == {"ACT-0001": "Education", "ACT-0002": "Housing", "ACT-0003": "Planning"}
