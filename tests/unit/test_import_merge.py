"""Re-importing a workbook is a merge: a blank or unreadable cell never clears a value, each
field that would change is shown (old, new) for the DPO to accept or reject, and the register
file is backed up before the import writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ropa.backup import BEFORE_IMPORT, list_backups
from ropa.records import LawfulBasisEntry, RetentionEntry
from ropa.register import Register
from ropa.spreadsheets import import_workbook
from ropa.spreadsheets.merge import ActivityChanges, rejected_for
from tests.data.import_corpus import hand_made

BASIS = "Article 6 lawful basis for processing personal data"
RETENTION = "Retention schedule (if possible)"
SECURITY = "General description of technical and organisational security measures (if possible)"
AUTOMATED = "Existence of automated decision-making, including profiling (if applicable)"
DPIA = "Data Protection Impact Assessment required?"


def _older_workbook(tmp_path: Path) -> Path:
    """What the DPO kept before the app: no basis, no security measures, no answers."""
    return hand_made(
        tmp_path / "register-2024.xlsx",
        [
            {
                "Business function": "HR",
                "Purpose of processing": "Payroll",
                "Categories of individuals": "Staff",
                RETENTION: "6 years after employment ends",
                BASIS: None,  # type: ignore[dict-item]
                SECURITY: None,  # type: ignore[dict-item]
                DPIA: "Maybe? to be confirmed",  # unreadable: neither yes nor no
            }
        ],
    )


def _import_backups(register: Register) -> list[Path]:
    return [b.path for b in list_backups(register.path) if b.reason == BEFORE_IMPORT]


def _filled_in_the_app(register: Register) -> int:
    (record,) = register.activities.load()
    assert record.id is not None
    register.activities.update(
        record.id,
        {
            "lawful_bases": [LawfulBasisEntry("b", "Employment contracts")],
            "security_measures": ["Role-based access control"],
            "retention": [RetentionEntry("7 years after employment ends")],
            "automated_decisions": False,
            "dpia_required": False,
        },
    )
    return record.id


def test_an_older_workbook_imported_again_keeps_what_the_dpo_filled_in(
    register: Register, tmp_path: Path
) -> None:
    source = _older_workbook(tmp_path)
    import_workbook(register, source)
    activity_id = _filled_in_the_app(register)
    backups_before = _import_backups(register)

    preview = import_workbook(register, source, dry_run=True)
    # Blank and unreadable cells say nothing: no change is offered for them...
    (entry,) = preview.changes
    assert isinstance(entry, ActivityChanges)
    assert (entry.activity_id, entry.sheet, entry.rows) == (activity_id, "Sheet1", "2")
    # ...and the one cell that differs is shown, old and new, before anything is written.
    assert [(c.field, c.old, c.new) for c in entry.changes] == [
        ("retention", "7 years after employment ends", "6 years after employment ends")
    ]
    assert register.activities.get(activity_id).retention[0].period.startswith("7 years")
    assert _import_backups(register) == backups_before  # a preview writes nothing

    # The DPO rejects this activity's changes: the register keeps everything.
    report = import_workbook(register, source, rejected=rejected_for(preview.changes))
    kept = register.activities.get(activity_id)
    assert kept.lawful_bases == [LawfulBasisEntry("b", "Employment contracts")]
    assert kept.security_measures == ["Role-based access control"]
    assert [r.period for r in kept.retention] == ["7 years after employment ends"]
    assert (kept.automated_decisions, kept.dpia_required) == (False, False)
    (done,) = report.changes
    assert done.changes == [] and [c.field for c in done.kept] == ["retention"]
    assert report.updated == [] and len(report.unchanged) == 1
    # The register file was copied before the import wrote.
    assert report.backup is not None and report.backup.exists()
    assert set(_import_backups(register)) - set(backups_before) == {report.backup}


def test_an_accepted_change_is_made_and_the_rest_is_kept(
    register: Register, tmp_path: Path
) -> None:
    source = _older_workbook(tmp_path)
    import_workbook(register, source)
    activity_id = _filled_in_the_app(register)

    report = import_workbook(register, source)
    record = register.activities.get(activity_id)
    assert [r.period for r in record.retention] == ["6 years after employment ends"]
    assert record.lawful_bases == [LawfulBasisEntry("b", "Employment contracts")]
    assert record.security_measures == ["Role-based access control"]
    assert record.dpia_required is False
    (entry,) = report.changes
    assert [c.field for c in entry.changes] == ["retention"] and entry.kept == []
    history = register.history.changes(entity_type="activity", entity_id=activity_id)
    assert any(change.field == "retention" for change in history)


def test_own_fields_are_added_to_and_never_removed(register: Register, tmp_path: Path) -> None:
    source = hand_made(
        tmp_path / "own.xlsx",
        [{"Business function": "HR", "Purpose of processing": "Payroll"}],
    )
    import_workbook(register, source)
    (record,) = register.activities.load()
    assert record.id is not None
    register.activities.update(record.id, {"extra_fields": {"System supplier": "Capita"}})
    preview = import_workbook(register, source, dry_run=True)
    assert preview.changes == []
    import_workbook(register, source)
    assert register.activities.get(record.id).extra_fields == {"System supplier": "Capita"}


def test_the_command_line_preview_lists_each_change_old_and_new(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ropa.cli import main

    path = tmp_path / "register.ropa"
    source = _older_workbook(tmp_path)
    assert main(["import", str(source), "--db", str(path), "--new"]) == 0
    with Register.open(path) as register:
        _filled_in_the_app(register)
    capsys.readouterr()
    assert main(["import", str(source), "--db", str(path), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert (
        "  Retention would change: 7 years after employment ends -> "
        "6 years after employment ends" in printed
    )
    assert "Lawful" not in printed.split("(sheet")[-1]  # the blank basis cell changes nothing
    assert "backed up" not in printed
    assert main(["import", str(source), "--db", str(path)]) == 0
    assert "The register was backed up first, to " in capsys.readouterr().out


@pytest.mark.both_backends
def test_blank_cells_never_clear_on_a_file_or_a_team_register(
    register: Register, tmp_path: Path, backend: str
) -> None:
    source = _older_workbook(tmp_path)
    import_workbook(register, source)
    activity_id = _filled_in_the_app(register)
    report = import_workbook(
        register,
        source,
        rejected=rejected_for(import_workbook(register, source, dry_run=True).changes),
    )
    kept = register.activities.get(activity_id)
    assert kept.lawful_bases == [LawfulBasisEntry("b", "Employment contracts")]
    assert kept.security_measures == ["Role-based access control"]
    assert [r.period for r in kept.retention] == ["7 years after employment ends"]
    # A server keeps its own backups; a file is copied beside itself.
    assert (report.backup is None) == (backend == "postgresql")
