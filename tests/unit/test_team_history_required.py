"""A team register refuses, at commit, an editor's change to an activity that leaves no line
in its change history (db/team_security.py, team_recorded).

Against a real PostgreSQL server: raw SQL over the app's own connection, signed in as the
editor of the activity's own business function, and the app's own changes, which write their
history in the same transaction.  What is stored afterwards is read back as the DPO.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from sqlalchemy.exc import DBAPIError

from db.models import Status
from ropa.records import ActivityRecord, TransferEntry
from ropa.register import Register
from ropa.spreadsheets import export_workbook, import_workbook
from ropa.team import TeamPermissionError, refusal_for
from tests.helpers.team_register import FINANCE, Team

RECORDED = "must be recorded in its change history"


def history_line(activity_id: int, field: str) -> str:
    return (
        "INSERT INTO change_history (entity_type, entity_id, entity_label, action, field, "
        f"old_value, new_value) VALUES ('activity', {activity_id}, '', 'update', '{field}', '', '')"
    )


def refused_at_commit(register: Register, *statements: str) -> DBAPIError:
    """Run `statements` in one transaction; the server's refusal when it commits."""
    with pytest.raises(DBAPIError) as refused, register.engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege)
    assert RECORDED in str(refused.value.orig)
    return refused.value


def run(register: Register, *statements: str) -> None:
    with register.engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)


def stored(team: Team, activity_id: int) -> tuple[str, str, list[str], int]:
    """The activity's reference and name, its transfers' destinations and its number of
    history lines."""
    with team.open_as(team.dpo) as register:
        record = register.activities.get(activity_id)
        lines = register.history.changes(entity_type="activity", entity_id=activity_id)
    destinations = [transfer.destination for transfer in record.transfers]
    return record.reference, record.name, destinations, len(lines)


def test_an_editors_raw_change_without_a_history_line_is_refused(team: Team) -> None:
    finance = team.finance_id
    before = stored(team, finance)
    with team.open_as(team.editor) as register:
        for statements in (
            (f"UPDATE activities SET name = 'Quietly renamed' WHERE id = {finance}",),
            (f"UPDATE transfers SET destination = 'Narnia' WHERE activity_id = {finance}",),
            (f"DELETE FROM transfers WHERE activity_id = {finance}",),
            (
                "INSERT INTO activity_conditions (activity_id, scheme, code, explanation, "
                f"position) VALUES ({finance}, 'schedule1', '1', '', 0)",
            ),
            (f"DELETE FROM activities WHERE id = {finance}",),
            # A line about another activity (here one no longer in the register) does not
            # record this one's change.
            (
                history_line(finance + 1000, "unrelated"),
                f"UPDATE activities SET name = 'Quietly renamed' WHERE id = {finance}",
            ),
        ):
            refused = refused_at_commit(register, *statements)
            assert f"{before[0]} " in str(refused.orig)
        # In the app's words, like the other refusals.
        words = refusal_for(register, refused)
    assert isinstance(words, TeamPermissionError)
    assert str(words).startswith(
        "The server refused the change: Every change to an activity must be recorded"
    )
    assert f"signed in as {team.editor}" in str(words)
    assert stored(team, finance) == before


def test_an_editors_raw_change_with_a_history_line_is_kept(team: Team) -> None:
    finance = team.finance_id
    reference, _name, _transfers, lines = stored(team, finance)
    with team.open_as(team.editor) as register:
        run(
            register,
            f"UPDATE activities SET name = 'Payroll and pensions' WHERE id = {finance}",
            f"UPDATE transfers SET destination = 'Norway' WHERE activity_id = {finance}",
            history_line(finance, "name"),
        )
    assert stored(team, finance) == (reference, "Payroll and pensions", ["Norway"], lines + 1)
    with team.open_as(team.editor) as register:
        # Deleting the whole activity (its rows go with it) is recorded by one line.
        run(
            register,
            f"DELETE FROM activities WHERE id = {finance}",
            history_line(finance, "deleted"),
        )
    with team.open_as(team.dpo) as register:
        assert finance not in {record.id for record in register.activities.load()}


def test_the_apps_own_changes_by_an_editor_still_commit(team: Team, tmp_path: Path) -> None:
    finance = team.finance_id
    with team.open_as(team.editor) as register:
        register.activities.update(finance, {"transfers": [], "owner": "Head of payroll"})
        register.review.submit_for_review([finance])
        copy = register.activities.duplicate(finance)
        register.activities.retire([copy.id or 0])
        register.activities.delete([copy.id or 0])
    with team.open_as(team.dpo) as register:
        assert register.activities.get(finance).status is Status.IN_REVIEW
        register.review.approve([finance], despite_errors=True)
    # An import by the editor: new activities with their rows, written in bulk.
    workbook = tmp_path / "finance.xlsx"
    with Register.open(tmp_path / "source.ropa") as source:
        source.activities.create(
            ActivityRecord(
                reference="EXP-1",
                name="Expenses",
                business_function=FINANCE,
                transfers=[TransferEntry("Iceland", "adequacy", "")],
            )
        )
        export_workbook(source, workbook)
    with team.open_as(team.editor) as register:
        report = import_workbook(register, workbook)
    assert not report.problems and len(report.created) == 1
    with team.open_as(team.dpo) as register:
        imported = [r for r in register.activities.load() if r.name == "Expenses"]
        assert [t.destination for t in imported[0].transfers] == ["Iceland"]
        assert register.activities.get(finance).status is Status.APPROVED


def test_an_editor_writes_history_only_about_activities_they_may_edit(team: Team) -> None:
    with team.open_as(team.editor) as register:
        for statement in (
            history_line(team.children_id, "forged"),
            "INSERT INTO change_history (entity_type, entity_id, entity_label, action, field, "
            "old_value, new_value) VALUES ('organisation', 1, '', 'update', 'name', '', '')",
        ):
            with pytest.raises(DBAPIError) as refused, register.engine.begin() as connection:
                connection.exec_driver_sql(statement)
            assert "row-level security" in str(refused.value.orig)
        run(register, history_line(team.finance_id, "noted"))
    with team.open_as(team.dpo) as register:
        lines = register.history.changes(entity_type="activity", entity_id=team.children_id)
        assert "forged" not in {line.field for line in lines}
        # The DPO writes lines about anything.
        run(register, history_line(team.children_id, "noted by the DPO"))


def test_a_dpo_is_not_held_to_it(team: Team) -> None:
    # Renaming or merging a library item moves activities' rows with only the item's line,
    # and schema upgrades are the owner's (a DPO): the DPO's changes are not checked.
    with team.open_as(team.dpo) as register:
        run(register, f"UPDATE activities SET owner = 'DPO' WHERE id = {team.children_id}")
        assert register.activities.get(team.children_id).owner == "DPO"
