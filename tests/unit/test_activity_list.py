"""The activities list read with plain SQL agrees with the register read through the ORM."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from db.models import LibraryKind
from ropa.records import LibraryItemRecord, Status
from ropa.register import Register
from tests.helpers.activities import sample_activity

ROOT = Path(__file__).resolve().parents[2]


def test_summaries_match_the_full_records(demo_register: Register) -> None:
    register = demo_register
    first = register.activities.load()[0]
    register.review.approve([first.id or 0], approved_by="A. Reviewer", on=dt.date(2026, 3, 1))
    register.activities.retire([register.activities.load()[1].id or 0])
    flagged = {
        item.name
        for item in register.library.items(LibraryKind.DATA_CATEGORY)
        if item.special_category
    }
    criminal = {
        item.name
        for item in register.library.items(LibraryKind.DATA_CATEGORY)
        if item.criminal_offence
    }
    records = {record.id: record for record in register.activities.load(include_retired=True)}

    summaries = register.activity_list.summaries()

    assert [s.reference for s in summaries] == sorted(r.reference for r in records.values())
    for summary in summaries:
        record = records[summary.id]
        assert (summary.reference, summary.name, summary.business_function) == (
            record.reference,
            record.name,
            record.business_function,
        )
        assert (summary.status, summary.role, summary.version) == (
            record.status,
            record.role,
            record.version,
        )
        assert (summary.next_review, summary.last_reviewed, summary.updated_at) == (
            record.next_review,
            record.last_reviewed,
            record.updated_at,
        )
        assert summary.has_special_category == bool(flagged & set(record.data_categories))
        assert summary.has_criminal_offence == bool(criminal & set(record.data_categories))
    assert any(s.has_special_category for s in summaries)
    assert any(s.has_criminal_offence for s in summaries)
    assert summaries[0].last_reviewed == dt.date(2026, 3, 1)
    current = register.activity_list.summaries(include_retired=False)
    assert [s.status for s in summaries].count(Status.RETIRED) == 1
    assert len(current) == len(summaries) - 1
    assert Status.RETIRED not in {s.status for s in current}


def test_search_texts_hold_every_kind_of_text(register: Register) -> None:
    register.library.create(LibraryItemRecord(LibraryKind.RECIPIENT, "Youth Offending Team"))
    created = register.activities.create(
        sample_activity(
            notes="Reviewed with the Caldicott Guardian",
            recipients=["Youth Offending Team"],
        )
    )

    text = register.activity_list.search_texts()[created.id or 0]

    for expected in (
        "child protection enquiries",  # the name
        "caldicott guardian",  # a note
        "youth offending team",  # a library item it links to
        "statutory duty",  # a lawful basis's explanation
        "until the child's 25th birthday",  # a retention period
    ):
        assert expected in text


def test_business_functions_are_listed_once_in_order(register: Register) -> None:
    for reference, function in (("A-1", "Payroll"), ("A-2", "Admissions"), ("A-3", "Payroll")):
        register.activities.create(sample_activity(reference=reference, business_function=function))
    register.activities.create(sample_activity(reference="A-4", business_function=""))

    assert register.activity_list.business_functions() == ["Admissions", "Payroll"]


@pytest.mark.file_only
def test_the_main_window_appears_before_sqlalchemy_is_imported(demo_register: Register) -> None:
    """What makes a large register's window appear quickly (bench/gui_start.py): opening the
    file and showing the list use sqlite3 alone; SQLAlchemy comes once the window is up."""
    path = demo_register.path
    expected = len(demo_register.activity_list.summaries())
    demo_register.close()
    script = textwrap.dedent(
        f"""
        import os, sys, tempfile
        from pathlib import Path
        sys.path.insert(0, {str(ROOT)!r})
        from ropa.register import Register
        from ui.app import make_application
        from ui.main_window import MainWindow
        from ui.settings import AppSettings
        app = make_application()
        register = Register.open(Path({str(path)!r}), create=False)
        window = MainWindow(register, AppSettings.in_file(Path(tempfile.mkdtemp()) / "s.ini"))
        window.show()
        app.processEvents()
        print(window.activities_page.proxy.rowCount(), "sqlalchemy" in sys.modules)
        window.wait_for_background()
        print("sqlalchemy" in sys.modules, flush=True)
        os._exit(0)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "", "HOME": str(path.parent)},
        timeout=120,
    )
    shown, after = result.stdout.split("\n")[:2]
    assert shown == f"{expected} False"
    assert after == "True"  # the Gaps column's checks, read in the background, use it
