"""Reading ICO workbooks back: round trips, DPOs' own spreadsheets, bad input refused."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import io
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ropa.errors import FileWriteError
from ropa.records import (
    ActivityRecord,
    ConditionEntry,
    LawfulBasisEntry,
    RetentionEntry,
    Role,
    TransferEntry,
)
from ropa.register import Register
from ropa.spreadsheets import (
    ImportCancelled,
    SpreadsheetError,
    export_workbook,
    import_workbook,
    lawtext,
)
from ropa.spreadsheets.cells import is_empty
from ropa.spreadsheets.cli import run_import
from tests.data.make_dpo_workbook import DPIA_URL, build
from tests.helpers.cli import run_ropa
from tests.helpers.register_files import copy_register_file


def template_values(path: Path) -> list[list[object]]:
    sheet = openpyxl.load_workbook(path)["Template"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def activity_count(register: Register) -> int:
    return len(register.activity_list.summaries())


def new_register(template: Path, path: Path) -> Register:
    """A new, empty register file of the test's own, copied from the run's (conftest's
    `_new_register_file`) rather than migrated afresh, opened as a new register is."""
    return Register.open(copy_register_file(template, path), daily_backup=False)


def test_round_trip_of_the_demo_register(
    demo_register: Register, tmp_path: Path, _new_register_file: Path
) -> None:
    for processor in (False, True):
        first, second = tmp_path / f"first{processor}.xlsx", tmp_path / f"second{processor}.xlsx"
        export_workbook(demo_register, first, processor=processor)
        with new_register(_new_register_file, tmp_path / f"empty{processor}.ropa") as empty:
            report = import_workbook(empty, first)
            assert not report.problems and report.organisation_updated
            export_workbook(empty, second, processor=processor)
        assert template_values(second) == template_values(first)


_words = (
    st.text(
        alphabet=st.characters(whitelist_categories=("L", "N"), whitelist_characters=" '&()=+@-"),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(lambda text: len(text) > 1 and not is_empty(text))
)
_names = st.lists(_words, max_size=3, unique_by=str.casefold)


@st.composite
def activities(draw: st.DrawFn) -> list[ActivityRecord]:
    count = draw(st.integers(1, 3))
    records = []
    for index in range(count):
        records.append(
            ActivityRecord(
                reference=f"R-{index}",
                name=draw(_words),
                business_function=draw(_words),
                role=draw(st.sampled_from([Role.CONTROLLER, Role.JOINT_CONTROLLER])),
                joint_controllers=draw(_words),
                purposes=draw(_names),
                individuals=draw(_names),
                data_categories=draw(_names),
                recipients=draw(_names),
                sources=draw(_names),
                systems=draw(_names),
                security_measures=draw(_names),
                lawful_bases=[
                    LawfulBasisEntry(code, draw(st.sampled_from(["", "Because"])), draw(_names))
                    for code in draw(st.lists(st.sampled_from("abcdef"), max_size=2, unique=True))
                ],
                article9=[ConditionEntry(c) for c in draw(st.sets(st.sampled_from("ghj")))],
                schedule1=[ConditionEntry(c) for c in draw(st.sets(st.sampled_from(["2", "6"])))],
                transfers=[TransferEntry(draw(_words), "idta", draw(_words))]
                if draw(st.booleans())
                else [],
                retention=[RetentionEntry(draw(_words), draw(_words))],
                dpia_required=draw(st.sampled_from([None, True, False])),
                automated_decisions=draw(st.sampled_from([None, True, False])),
                involves_children=draw(st.sampled_from([None, True, False])),
                large_scale=draw(st.sampled_from([None, True, False])),
                last_reviewed=draw(st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2040, 1, 1))),
                notes=draw(_words),
            )
        )
    return records


def test_importing_our_own_export_changes_nothing(demo_register: Register, tmp_path: Path) -> None:
    """Every field comes back as it went out, not only every cell: a retention rule's long
    "applies to" text once came back merged into its period ("1 updated", silently)."""
    applies = [r.applies_to for a in demo_register.activities.load() for r in a.retention]
    assert max(map(len, applies)) > 80  # the example register still holds such a rule
    before = demo_register.activities.load()
    unchanged = 0
    for processor in (False, True):  # the controller's activities, then the processor's
        workbook = tmp_path / f"ours-{processor}.xlsx"
        export_workbook(demo_register, workbook, processor=processor)

        report = import_workbook(demo_register, workbook)

        assert (report.created, report.updated) == ([], [])
        unchanged += len(report.unchanged)
    assert unchanged == len(before)
    assert demo_register.activities.load() == before


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=activities())
def test_round_trip_of_generated_registers(
    records: list[ActivityRecord],
    tmp_path_factory: pytest.TempPathFactory,
    _new_register_file: Path,
) -> None:
    folder = tmp_path_factory.mktemp("round")
    # Two new registers an example, copied from the run's (conftest) rather than migrated.
    source_path = copy_register_file(_new_register_file, folder / "a.ropa")
    copy_path = copy_register_file(_new_register_file, folder / "b.ropa")
    with Register.open(source_path, daily_backup=False) as source:
        source.activities.create_many(records)
        export_workbook(source, folder / "first.xlsx")
    with Register.open(copy_path, daily_backup=False) as copy:
        assert not import_workbook(copy, folder / "first.xlsx").problems
        export_workbook(copy, folder / "second.xlsx")
        assert activity_count(copy) == len(records)
    assert template_values(folder / "second.xlsx") == template_values(folder / "first.xlsx")


def test_our_own_controller_workbook_is_a_controllers_whatever_its_cells_say(
    tmp_path: Path, _new_register_file: Path
) -> None:
    """A1 of a workbook ROPA desk wrote says which record it is: a description or security
    note saying "on behalf of" is the DPO's text, not a sign of a processor's record (CI's
    derandomised round trip found an activity so written filed as a processor's, its joint
    controller and retention moved to the organisation's own columns)."""
    record = ActivityRecord(
        reference="R-1",
        name="Payroll",
        joint_controllers="The Trust",
        security_description="Access is granted on behalf of the head teacher.",
        retention=[RetentionEntry(period="6 years", trigger="leaving")],
    )
    source_path = copy_register_file(_new_register_file, tmp_path / "a.ropa")
    copy_path = copy_register_file(_new_register_file, tmp_path / "b.ropa")
    with Register.open(source_path, daily_backup=False) as source:
        source.activities.create_many([record])
        export_workbook(source, tmp_path / "first.xlsx")
        (before,) = source.activities.load()
    with Register.open(copy_path, daily_backup=False) as copy:
        report = import_workbook(copy, tmp_path / "first.xlsx")
        assert "a workbook ROPA desk wrote" in report.summary()
        (after,) = copy.activities.load()
    assert after.role == before.role
    assert after.joint_controllers == "The Trust"
    assert after.retention == before.retention
    assert after.extra_fields == {}


def test_a_dpos_own_workbook(register: Register, tmp_path: Path) -> None:
    report = import_workbook(register, build(tmp_path / "dpo.xlsx"))
    assert [name for _, name in report.created] == [
        "Early Help – Supporting families",
        "School Admissions – Allocating school places",
        "School Admissions – Admission appeals",
    ]
    assert report.organisation_updated
    organisation = register.organisation.get()
    assert (organisation.name, organisation.dpo_name) == ("Westshire County Council", "Sam Patel")
    assert organisation.representative_name == ""  # "N/A" is empty
    early, allocating, appeals = register.activities.load()
    assert early.individuals == ["Children", "Parents and carers"]
    assert early.data_categories == ["Name and address", "Health", "School records"]
    assert early.recipients == [
        "Schools",
        "Health visitors",
        "Police",
        "Local authority social care",
    ]
    assert [r.applies_to for r in early.retention] == ["", "Contact records"]
    # "N/A" is the DPO's statement: kept as written, and not a joint controller's name.
    assert early.transfers == [] and early.joint_controllers == "N/A"
    assert early.role == Role.CONTROLLER
    assert early.lawful_bases == [
        LawfulBasisEntry(
            "e",
            "",
            [
                "Children Act 1989",
                "Children Act 2004",
                "Working Together to Safeguard Children 2023",
            ],
        )
    ]
    assert "Children Act 2004" in early.legislation
    assert [c.code for c in early.article9] == ["h", "g"]
    assert [c.code for c in early.schedule1] == ["18", "6"]
    assert early.dpia_link == DPIA_URL and early.dpia_required is True
    items = {item.name: item for item in register.library.items()}
    assert items["Family Hub Systems Ltd"].contract_link.endswith("FH-001")
    assert allocating.business_function == appeals.business_function == "School Admissions"
    assert allocating.lawful_bases == [
        LawfulBasisEntry("c", "", ["School Standards and Framework Act 1998"])
    ]
    assert appeals.lawful_bases[0].basis == "e"
    assert {(p.cell, p.value) for p in report.problems} == {
        ("M13", "because we need it"),
        ("Q13", "Perhaps in future"),
    }
    assert "because we need it" in appeals.notes and "Perhaps in future" in appeals.notes
    assert "M13" in report.summary()


def test_importing_again_updates_rather_than_duplicates(register: Register, tmp_path: Path) -> None:
    path = build(tmp_path / "dpo.xlsx")
    import_workbook(register, path)
    again = import_workbook(register, path)
    assert again.created == [] and len(again.unchanged) == 3
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    sheet["D12"] = "Children; Parents; Guardians"
    workbook.save(path)
    changed = import_workbook(register, path)
    assert [name for _, name in changed.updated] == ["School Admissions – Allocating school places"]
    assert activity_count(register) == 3
    assert "updated" in changed.summary()


def test_dry_run_and_cancel_change_nothing(demo_register: Register, tmp_path: Path) -> None:
    path = tmp_path / "dpo.xlsx"
    build(path)
    history = len(demo_register.history.changes())
    report = import_workbook(demo_register, path, dry_run=True)
    assert report.dry_run and len(report.created) == 3
    assert "nothing has been changed" in report.summary()
    with pytest.raises(ImportCancelled):
        import_workbook(demo_register, path, cancelled=lambda: True)
    assert len(demo_register.history.changes()) == history
    assert demo_register.organisation.get().name == "Northfield Borough Council"


def _save(path: Path, edit: object) -> Path:
    build(path)
    workbook = openpyxl.load_workbook(path)
    edit(workbook.worksheets[0])  # type: ignore[operator]
    workbook.save(path)
    return path


def _bad_files(folder: Path) -> dict[str, tuple[Path, str]]:
    text = folder / "notes.xlsx"
    text.write_text("Name,Purpose\n", encoding="utf-8")
    empty = folder / "empty.xlsx"
    empty.touch()
    encrypted = folder / "locked.xlsx"
    encrypted.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptionInfo".encode("utf-16-le")
    )
    headerless = folder / "headerless.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Just a list"  # type: ignore[index]
    workbook.save(headerless)
    huge = folder / "huge.xlsx"
    build(huge)
    with huge.open("ab") as handle:
        handle.truncate(50 * 1024 * 1024)
    return {
        "not an xlsx": (text, "is not an Excel workbook"),
        "empty": (empty, "is empty"),
        "password": (encrypted, "protected with a password"),
        "no header row": (headerless, "has no table of processing activities"),
        "50 MB": (huge, "50 MB, larger than"),
        "1 MB cell": (
            _save(folder / "big.xlsx", lambda s: s.cell(10, 22, "x" * 1_000_000)),
            "32,767 characters or more",
        ),
        "formula": (
            _save(folder / "formula.xlsx", lambda s: s.cell(12, 10, '=A12&" years"')),
            "cell J12 holds a formula",
        ),
        "error value": (
            _save(folder / "error.xlsx", lambda s: s.cell(12, 4, "#REF!")),
            "cell D12 holds the error value #REF!",
        ),
        "date": (
            _save(folder / "date.xlsx", lambda s: s.cell(12, 22, dt.datetime(2026, 11, 21))),
            "holds a date (21 November 2026) where text is expected",
        ),
    }


def test_the_import_leaves_the_process_wide_cycle_collector_alone(
    demo_register: Register, tmp_path: Path
) -> None:
    """The import runs beside the GUI thread: pausing Python's collector for it would pause it
    for the whole app (issue 22). Asked while the rows are stored, the collector is on."""
    path = build(tmp_path / "dpo.xlsx")
    on_while_storing: list[bool] = []
    import_workbook(
        demo_register,
        path,
        dry_run=True,
        progress=lambda *_: on_while_storing.append(gc.isenabled()),
    )
    assert on_while_storing and all(on_while_storing)


def test_bad_input_is_refused_with_one_clear_line(demo_register: Register, tmp_path: Path) -> None:
    history = len(demo_register.history.changes())
    for what, (path, message) in _bad_files(tmp_path).items():
        with pytest.raises(SpreadsheetError, match=message.replace("(", r"\(").replace(")", r"\)")):
            import_workbook(demo_register, path)
        assert len(demo_register.history.changes()) == history, what


def test_cli_import_and_export(tmp_path: Path) -> None:
    db = str(tmp_path / "r.ropa")
    dpo = build(tmp_path / "dpo.xlsx")
    dry = run_ropa("import", str(dpo), "--db", db, "--new", "--dry-run")
    assert dry.returncode == 0 and "3 activities would be created" in dry.stdout
    done = run_ropa("import", str(dpo), "--db", db, "--new")
    assert done.returncode == 0 and "M13" in done.stdout
    out = tmp_path / "out.xlsx"
    exported = run_ropa("export", str(out), "--db", db)
    assert exported.returncode == 0 and "3 activities" in exported.stdout
    bad = run_ropa("import", str(tmp_path / "missing.xlsx"), "--db", db)
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1
    folder_target = tmp_path / "folder.xlsx"
    folder_target.mkdir()
    refused = run_ropa("export", str(folder_target), "--db", db)
    assert refused.returncode == 1 and "Cannot" in refused.stderr


def test_target_that_cannot_be_replaced(demo_register: Register, tmp_path: Path) -> None:
    target = tmp_path / "taken.xlsx"
    target.mkdir()
    with pytest.raises(FileWriteError):
        export_workbook(demo_register, target)
    assert target.is_dir() and not [p for p in tmp_path.iterdir() if p.name.startswith(".taken")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Public task", [("e", "", [])]),
        ("6(1)(e)", [("e", "", [])]),
        ("Article 6(1)(e) public task", [("e", "", [])]),
        ("Legal obligation - Children Act 1989", [("c", "", ["Children Act 1989"])]),
        ("Article 6(1)(a) Consent: they opted in", [("a", "they opted in", [])]),
        (
            "• Contract\n• Legitimate interests – fraud checks",
            [("b", "", []), ("f", "fraud checks", [])],
        ),
    ],
)
def test_lawful_basis_text(text: str, expected: list[tuple[str, str, list[str]]]) -> None:
    parsed = lawtext.parse_lawful_bases(text)
    assert [(e.basis, e.explanation, e.legislation) for e in parsed.values] == expected
    assert parsed.not_understood == []


@pytest.mark.parametrize(
    ("text", "scheme", "code"),
    [
        ("9(2)(h)", "article9", "h"),
        ("Article 9(2)(g) substantial public interest", "article9", "g"),
        ("Explicit consent", "article9", "a"),
        ("Schedule 1 Part 2 paragraph 18", "schedule1", "18"),
        ("Sch 1 para 6 statutory purposes", "schedule1", "6"),
        ("Safeguarding of children and of individuals at risk", "schedule1", "18"),
    ],
)
def test_condition_text(text: str, scheme: str, code: str) -> None:
    parsed = lawtext.parse_conditions(text, scheme)
    assert [(e.code, e.explanation) for e in parsed.values] == [(code, "")]


def test_cli_report_shows_control_characters_as_escapes(
    tmp_path: Path, _new_register_file: Path
) -> None:
    path = _save(tmp_path / "hostile.xlsx", lambda s: s.cell(10, 1, "Evil\u202eeman\x9b2J"))
    with new_register(_new_register_file, tmp_path / "r.ropa") as target:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            run_import(target, path, dry_run=True)
    printed = out.getvalue()
    assert "\u202e" not in printed and "\x9b" not in printed
    assert "\\u202e" in printed and "\\x9b" in printed


def test_a_reference_repeated_in_one_workbook_updates_the_activity_it_created(
    register: Register, tmp_path: Path, _new_register_file: Path
) -> None:
    # The second row is matched to the activity the first one has just created, whose
    # child rows the import may still be holding back to write in a batch.
    register.activities.create_many(
        [
            ActivityRecord(
                reference=f"DUP-{index}",
                name=f"Activity {index}",
                business_function="Education",
                purposes=[f"Purpose {index}", "Shared purpose"],
                lawful_bases=[LawfulBasisEntry("e", "", [f"Act {index}"])],
                retention=[RetentionEntry(f"{index} years", "")],
            )
            for index in (1, 2)
        ]
    )
    path = tmp_path / "repeated.xlsx"
    export_workbook(register, path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Template"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "DUP-2")
    cell.value = "DUP-1"
    workbook.save(path)
    with new_register(_new_register_file, tmp_path / "empty.ropa") as empty:
        report = import_workbook(empty, path)
        assert [reference for reference, _ in report.created] == ["DUP-1"]
        assert [reference for reference, _ in report.updated] == ["DUP-1"]
        (stored,) = empty.activities.load()
    assert stored.name == "Activity 2"
    assert stored.purposes == ["Purpose 2", "Shared purpose"]
    assert [(e.basis, e.legislation) for e in stored.lawful_bases] == [("e", ["Act 2"])]
    assert [e.period for e in stored.retention] == ["2 years"]


def test_the_report_names_each_created_activity_as_stored(
    register: Register, tmp_path: Path, _new_register_file: Path
) -> None:
    # A reference typed with spaces is stored trimmed; a missing one is given the next free
    # reference, which the report must show rather than the blank cell.
    register.activities.create_many(
        [
            ActivityRecord(
                reference=f"KEEP-{index}", name=f"Activity {index}", business_function=function
            )
            for index, function in ((1, "Education"), (2, "Housing"))
        ]
    )
    path = tmp_path / "references.xlsx"
    export_workbook(register, path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Template"]
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == "KEEP-1":
                cell.value = "  R-7 "
            elif cell.value == "KEEP-2":
                cell.value = None
    workbook.save(path)
    with new_register(_new_register_file, tmp_path / "empty.ropa") as empty:
        report = import_workbook(empty, path)
        stored = {(record.reference, record.name) for record in empty.activities.load()}
    assert sorted(report.created) == sorted(stored)
    assert ("R-7", "Activity 1") in stored and len(stored) == 2
