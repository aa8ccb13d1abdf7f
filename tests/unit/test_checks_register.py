"""Checks over real register files: the demo's deliberate gaps, notices, the report files and
the `ropa check` command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from db.models import Notice, NoticeActivity, NoticeVersion
from ropa.checks import (
    ChecksCancelled,
    Severity,
    check_register,
    completeness,
    gap_counts,
    load_context,
    run_checks,
)
from ropa.checks.report import write_report_xlsx
from ropa.errors import FileWriteError
from ropa.paths import resource
from ropa.records import ConditionEntry, RetentionEntry
from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.cli import run_ropa


def deliberate_gaps() -> list[str]:
    with resource("demo", "childrens_services.json").open(encoding="utf-8") as handle:
        gaps: list[str] = json.load(handle)["deliberate_gaps"]
    return gaps


def fix_deliberate_gaps(register: Register) -> None:
    early_help = register.activities.find_by_reference("CS-008")
    fostering = register.activities.find_by_reference("CS-012")
    assert early_help and early_help.id and fostering and fostering.id
    register.activities.update(
        early_help.id, {"schedule1": [ConditionEntry("18", "Safeguarding children")]}
    )
    register.activities.update(
        fostering.id, {"retention": [RetentionEntry("6 years", "end of the arrangement")]}
    )


def test_the_demo_errors_are_exactly_its_deliberate_gaps(demo_register: Register) -> None:
    findings = run_checks(demo_register)
    errors = {(f.reference, f.rule_id) for f in findings if f.severity == Severity.ERROR}
    assert errors == {("CS-008", "SCH1-PART2"), ("CS-012", "A30-RETENTION")}
    assert [gap.split(":")[0] for gap in deliberate_gaps()] == ["CS-008", "CS-012"]


def test_gap_counts_and_completeness_follow_the_findings(demo_register: Register) -> None:
    report = check_register(demo_register)
    counts = gap_counts(report.findings)
    by_reference = {ref: activity_id for activity_id, (ref, _n, _c) in report.activities.items()}
    assert counts[by_reference["CS-012"]] >= 1
    assert by_reference["CS-001"] not in counts
    shares = {ref: share for ref, _name, share in report.activities.values()}
    assert shares["CS-001"] == 1.0
    assert 0 < shares["CS-012"] < 1
    assert 0.5 < report.completeness < 1


def test_completeness_rises_when_a_gap_is_filled(demo_register: Register) -> None:
    before = demo_register.activities.find_by_reference("CS-012")
    assert before is not None
    share_before = completeness(before, load_context(demo_register))
    fix_deliberate_gaps(demo_register)
    after = demo_register.activities.find_by_reference("CS-012")
    assert after is not None
    assert completeness(after, load_context(demo_register)) > share_before


def test_a_notice_goes_out_of_date_when_a_covered_activity_changes(register: Register) -> None:
    created = register.activities.create(sample_activity())
    assert created.id is not None
    with register.transaction() as session:
        notice = Notice(title="Children's privacy notice", business_functions="")
        session.add(notice)
        session.flush()
        session.add(NoticeActivity(notice_id=notice.id, activity_id=created.id))
        session.add(
            NoticeVersion(
                notice_id=notice.id,
                number=1,
                published_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            )
        )
    assert "NOTICE-STALE" not in {f.rule_id for f in run_checks(register)}
    register.activities.update(created.id, {"description": "Now also for early help."})
    stale = [f for f in run_checks(register) if f.rule_id == "NOTICE-STALE"]
    assert len(stale) == 1
    assert "CS-001" in stale[0].message


def test_notices_by_business_function_cover_its_activities(register: Register) -> None:
    created = register.activities.create(sample_activity())
    assert created.id is not None
    with register.transaction() as session:
        notice = Notice(title="Social care notice", business_functions="children's  SOCIAL care")
        session.add(notice)
        session.flush()
        session.add(
            NoticeVersion(notice_id=notice.id, number=1, published_at=dt.datetime(2000, 1, 1))
        )
    assert "NOTICE-STALE" in {f.rule_id for f in run_checks(register)}


def test_the_report_workbook_keeps_user_text_as_text(register: Register, tmp_path: Path) -> None:
    register.organisation.update({"name": '=HYPERLINK("http://evil","x")'})
    register.activities.create(sample_activity(name="+cmd|' /C calc'!A0", retention=[]))
    target = tmp_path / "report.xlsx"
    write_report_xlsx(check_register(register), target)
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["Summary", "Findings", "Completeness"]
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = [cell.value for cell in cells]
    assert '=HYPERLINK("http://evil","x")' in values
    assert "+cmd|' /C calc'!A0" in values
    findings = workbook["Findings"]
    assert [c.value for c in findings[1]][:4] == ["Severity", "Rule", "Article", "Reference"]
    assert any(row[1] == "A30-RETENTION" for row in findings.iter_rows(values_only=True))


def test_a_locked_report_target_is_a_clear_error(register: Register, tmp_path: Path) -> None:
    with pytest.raises(FileWriteError, match="does not exist"):
        write_report_xlsx(check_register(register), tmp_path / "missing" / "report.xlsx")


# --- the command line -----------------------------------------------------------------------


def test_ropa_check_on_the_demo_lists_the_gaps_and_fails(demo_register: Register) -> None:
    result = run_ropa("check", "--db", demo_register.location)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.split()[:3] == ["ERROR", "SCH1-PART2", "CS-008"] for line in lines)
    assert any(line.split()[:3] == ["ERROR", "A30-RETENTION", "CS-012"] for line in lines)
    assert lines[-1].startswith("2 errors, ")
    assert "complete" in lines[-1]


def test_ropa_check_on_a_compliant_register_succeeds(demo_register: Register) -> None:
    fix_deliberate_gaps(demo_register)
    result = run_ropa("check", "--db", demo_register.location)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERROR" not in result.stdout
    assert result.stdout.splitlines()[-1].startswith("0 errors, ")


def test_ropa_check_prints_user_text_with_its_controls_escaped(register: Register) -> None:
    import io

    from ropa.checks.cli import run_check

    register.activities.create(sample_activity(processors=["Ad\x1b[31mhoc\u2028Ltd"]))
    out = io.StringIO()
    run_check(register, out=out)
    printed = out.getvalue()
    assert "\x1b" not in printed and "\u2028" not in printed
    assert "Ad\\x1b[31mhoc\\u2028Ltd" in printed


def test_the_example_notice_is_current_until_a_covered_activity_changes(
    demo_register: Register,
) -> None:
    """Published in the same second the activities were written: it must not look stale."""
    stale = [f for f in run_checks(demo_register) if f.rule_id == "NOTICE-STALE"]
    assert stale == []
    covered = next(
        r for r in demo_register.activities.load() if r.business_function == "Early help"
    )
    demo_register.activities.update(covered.id or 0, {"description": "Now also by text."})
    stale = [f for f in run_checks(demo_register) if f.rule_id == "NOTICE-STALE"]
    assert len(stale) == 1 and covered.reference in stale[0].message


def test_checks_stop_when_asked(demo_register: Register) -> None:
    """A check of a large register takes seconds; closing the window or opening another
    register asks it to stop, which it does after the reading or between rules."""
    asked: list[int] = []

    def stop_after(calls: int) -> bool:
        asked.append(1)
        return len(asked) > calls

    with pytest.raises(ChecksCancelled):
        check_register(demo_register, cancelled=lambda: True)
    with pytest.raises(ChecksCancelled):
        run_checks(demo_register, cancelled=lambda: stop_after(5))
    assert len(asked) == 6  # it asked once a rule, and stopped at the first True
    full = run_checks(demo_register, cancelled=lambda: False)
    assert full == run_checks(demo_register)
