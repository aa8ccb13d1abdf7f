"""The Checks view and the history view over the demo register, with real widgets."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from ropa.checks import Severity, is_about_organisation
from ropa.register import Register
from tests.helpers.prompts import ScriptedPrompts
from ui.checks_view import GROUPINGS, ChecksView
from ui.history_view import HistoryView
from ui.report_print import report_html

pytestmark = pytest.mark.gui


def group_titles(view: ChecksView) -> list[str]:
    model = view.model
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def finding_index(view: ChecksView, rule_id: str) -> QModelIndex:
    model = view.model
    for group in range(model.rowCount()):
        parent = model.index(group, 0)
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            finding = model.finding(index)
            if finding is not None and finding.rule_id == rule_id:
                return index
    raise AssertionError(f"no finding {rule_id}")


@pytest.fixture
def view(qtbot: QtBot, demo_register: Register) -> ChecksView:
    widget = ChecksView(demo_register)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    # The first check runs in a worker thread; its report arrives by a queued signal.
    with qtbot.waitSignal(widget.checked, timeout=20000):
        pass
    return widget


def test_the_model_passes_qt_model_tests(view: ChecksView, qtmodeltester: object) -> None:
    for grouping in GROUPINGS:
        view.set_grouping(grouping)
        qtmodeltester.check(view.model)  # type: ignore[attr-defined]


def test_grouped_by_severity_with_counts(view: ChecksView) -> None:
    assert group_titles(view)[0] == "Errors (2)"
    assert group_titles(view)[1].startswith("Warnings (")
    assert view.summary.text().startswith("2 errors")
    assert "complete" in view.summary.text()


def test_grouping_by_rule_and_by_activity(view: ChecksView) -> None:
    view.set_grouping("Rule")
    titles = group_titles(view)
    assert "Schedule 1 Part 2 condition missing (1)" in titles
    assert titles.index("No retention period (1)") < titles.index(
        next(t for t in titles if t.startswith("DPIA screening"))
    )
    view.set_grouping("Activity")
    titles = group_titles(view)
    assert any(t.startswith("CS-008 Early help family support (") for t in titles)
    assert titles == sorted(titles)


def test_opening_a_finding_asks_for_the_activity_and_field(
    qtbot: QtBot, view: ChecksView, demo_register: Register
) -> None:
    early_help = demo_register.activities.find_by_reference("CS-008")
    assert early_help is not None
    index = finding_index(view, "SCH1-PART2")
    view.tree.setCurrentIndex(index)
    assert "How to fix" in view.details.text()
    with qtbot.waitSignal(view.open_activity) as opened:
        qtbot.keyClick(view.tree, Qt.Key.Key_Return)
    assert opened.args == [early_help.id, "schedule1"]


def test_group_rows_open_nothing(qtbot: QtBot, view: ChecksView) -> None:
    view.tree.setCurrentIndex(view.model.index(0, 0))
    with qtbot.assertNotEmitted(view.open_activity):
        qtbot.keyClick(view.tree, Qt.Key.Key_Return)


def test_refresh_sees_a_fixed_gap(qtbot: QtBot, view: ChecksView, demo_register: Register) -> None:
    fostering = demo_register.activities.find_by_reference("CS-012")
    assert fostering is not None and fostering.id is not None
    demo_register.activities.update(fostering.id, {"retention": [{"period": "6 years"}]})
    with qtbot.waitSignal(view.checked, timeout=20000):
        view.refresh()
        # Off the GUI thread: meanwhile the page says so and the old report stays readable.
        assert view.summary.text() == "Checking the register\u2026"
        assert not view.refresh_button.isEnabled()
        assert view.model.rowCount() > 0
    assert view.report is not None
    errors = [f.rule_id for f in view.report.findings if f.severity == Severity.ERROR]
    assert errors == ["SCH1-PART2"]
    assert view.summary.text().startswith("1 error ")


def test_exports_write_the_report(view: ChecksView, tmp_path: Path) -> None:
    view.export_xlsx(tmp_path / "checks.xlsx")
    assert load_workbook(tmp_path / "checks.xlsx")["Findings"].max_row == 1 + len(
        view.report.findings if view.report else []
    )
    view.export_pdf(tmp_path / "checks.pdf")
    assert (tmp_path / "checks.pdf").read_bytes().startswith(b"%PDF")


def test_the_pdf_html_escapes_user_text(view: ChecksView) -> None:
    assert view.report is not None
    hostile = replace(view.report, organisation_name="<b onclick='x'>Evil & Co</b>")
    html = report_html(hostile)
    assert "<b onclick" not in html
    assert "&lt;b onclick=&#x27;x&#x27;&gt;Evil &amp; Co&lt;/b&gt;" in html


def test_history_view_filters_since_and_exports(
    qtbot: QtBot, demo_register: Register, tmp_path: Path, qtmodeltester: object
) -> None:
    history = HistoryView(demo_register)
    qtbot.addWidget(history)
    qtmodeltester.check(history.model)  # type: ignore[attr-defined]
    everything = history.model.rowCount()
    assert everything > 16
    history.set_since(dt.date.today() + dt.timedelta(days=1))
    assert history.model.rowCount() == 0
    assert history.count.text() == "0 changes"
    history.set_since(None)
    assert history.model.rowCount() == everything
    history.export(tmp_path / "changes.xlsx")
    assert load_workbook(tmp_path / "changes.xlsx").active.max_row == everything + 1  # type: ignore[union-attr]


def test_an_organisation_finding_opens_the_organisation_page(
    qtbot: QtBot, view: ChecksView, demo_register: Register
) -> None:
    demo_register.organisation.update({"dpo_name": ""})
    view.check_now()
    view.set_grouping("Rule")
    organisation = (
        [f for f in view.report.findings if is_about_organisation(f)] if view.report else []
    )
    assert organisation and all(f.activity_id is None for f in organisation)
    assert not any(is_about_organisation(f) for f in view.report.findings if f.activity_id)  # type: ignore[union-attr]
    index = finding_index(view, organisation[0].rule_id)
    with qtbot.waitSignal(view.open_organisation) as opened:
        view.tree.activated.emit(index)
    assert opened.args == [organisation[0].field]


def test_report_export_runs_in_a_worker_and_remembers_the_folder(
    qtbot: QtBot, view: ChecksView, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    from ui.settings import AppSettings

    (tmp_path / "out").mkdir()
    for title in ("Save the checks report as PDF", "Again"):
        chosen = (tmp_path / "out" / "my report", "PDF document (*.pdf)")
        prompts.expect("save path", contains=title, answer=chosen)
    runner = view._ask_and_write(
        "Save the checks report as PDF", {"pdf": "PDF document (*.pdf)"}, view.export_pdf
    )
    assert runner is not None
    # No folder used yet for exports: the first question starts beside the register.
    assert prompts.shown[0].start == Path(view.register.path).parent / "checks report.pdf"
    with qtbot.waitSignal(runner.finished, timeout=20000) as blocker:
        pass
    assert blocker.args[0] is True
    assert (tmp_path / "out" / "my report.pdf").read_bytes().startswith(b"%PDF")
    assert AppSettings().last_folder("export") == tmp_path / "out"
    again = view._ask_and_write("Again", {"pdf": "PDF document (*.pdf)"}, view.export_pdf)
    assert again is not None
    with qtbot.waitSignal(again.finished, timeout=20000):
        pass
    assert prompts.shown[1].start == tmp_path / "out" / "checks report.pdf"


def test_the_findings_tree_has_an_accessible_name(view: ChecksView) -> None:
    assert view.tree.accessibleName() == "Findings"


def test_history_export_runs_in_a_worker(
    qtbot: QtBot, demo_register: Register, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    history = HistoryView(demo_register)
    qtbot.addWidget(history)
    assert history.table.accessibleName() == "Changes"
    prompts.expect("save path", contains="Export the changes", answer=tmp_path / "changes")
    runner = history._ask_export()
    assert runner is not None
    with qtbot.waitSignal(runner.finished, timeout=20000) as blocker:
        pass
    assert blocker.args[0] is True
    rows = load_workbook(tmp_path / "changes.xlsx").active.max_row  # type: ignore[union-attr]
    assert rows == history.model.rowCount() + 1


def test_nothing_found_agrees_with_the_completeness_beside_it(view: ChecksView) -> None:
    """Checks said "No gaps found" beside "register 83% complete": completeness also counts
    recommended fields no check asks for, so "nothing found" now says what is still empty."""
    assert view.report is not None
    quiet = replace(view.report, findings=[])  # the demo's own activities, no findings
    assert quiet.completeness < 1.0
    view.show_report(quiet)
    shown = view.details.text()
    assert "No gaps found" not in shown
    assert f"{quiet.completeness:.0%} complete" in shown
    assert f"{quiet.completeness:.0%} complete" in view.summary.text()
    least = min(quiet.activities.values(), key=lambda entry: entry[2])
    assert f"{least[0]} {least[1]} ({least[2]:.0%})" in shown

    whole = replace(
        quiet,
        activities={key: (ref, name, 1.0) for key, (ref, name, _s) in quiet.activities.items()},
        completeness=1.0,
    )
    view.show_report(whole)
    assert view.details.text().startswith("No gaps found: every check passed and every field")
