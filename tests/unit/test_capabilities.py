"""The capability table (ropa/capabilities.py) against what the storage really lets through.

For each role of a team register, signed in as a real login on a real PostgreSQL server
(tests/helpers/team_register.py), every action the table allows is done and must succeed,
and every action it refuses is tried anyway and must be refused by the server.  The same for
a register file, writable and read-only.  So the greyed-out actions of the app are exactly
the ones the grants (db/team_security.py) forbid, no more and no fewer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from db.enums import LibraryKind
from ropa.capabilities import Capabilities, Capability, capabilities_of
from ropa.errors import ReadOnlyError
from ropa.notices.records import NoticeRecord
from ropa.records import ActivityRecord, LibraryItemRecord
from ropa.register import Register
from ropa.spreadsheets import import_workbook
from ropa.team import Membership, TeamPermissionError, membership_of
from tests.data.import_corpus import hand_made
from tests.helpers.team_register import CHILDREN, FINANCE, Team

Attempt = Callable[[], object]


def attempts(
    register: Register,
    may: Capabilities,
    finance_id: int,
    children_id: int,
    notice_id: int,
    workbook: Path,
) -> list[tuple[str, Capability, Attempt]]:
    """Each action of the table, with the capability that says whether it is allowed."""
    return [
        (
            "add an activity of Finance",
            may.add_activities,
            lambda: register.activities.create(
                ActivityRecord(name="Expenses", business_function=FINANCE)
            ),
        ),
        (
            "change a Finance activity",
            may.edit_activities([FINANCE]),
            lambda: register.activities.update(finance_id, {"description": "Monthly pay"}),
        ),
        (
            "change a Children's services activity",
            may.edit_activities([CHILDREN]),
            lambda: register.activities.update(children_id, {"description": "Referrals"}),
        ),
        (
            "approve an activity",
            may.approve,
            lambda: register.review.approve([finance_id], despite_errors=True),
        ),
        (
            "import a workbook",
            may.import_workbook,
            lambda: import_workbook(register, workbook),
        ),
        (
            "change the organisation's details",
            may.edit_organisation,
            lambda: register.organisation.update({"name": "Westshire Council"}),
        ),
        (
            "add a library item",
            may.edit_libraries,
            lambda: register.library.create(
                LibraryItemRecord(LibraryKind.PURPOSE, "A purpose nobody had")
            ),
        ),
        (
            "write a notice",
            may.edit_notices,
            lambda: register.notices.create(NoticeRecord(title="Staff privacy notice")),
        ),
        (
            "publish a notice",
            may.publish_notices,
            lambda: register.notices.publish(notice_id, override_reason="Testing the roles"),
        ),
    ]


def two_functions_workbook(path: Path) -> Path:
    """A workbook as DPOs keep them: activities of several business functions at once."""
    return hand_made(
        path,
        [
            {"Business function": FINANCE, "Purpose of processing": "Supplier payments"},
            {"Business function": CHILDREN, "Purpose of processing": "Early help"},
        ],
    )


@pytest.mark.parametrize("role", ["dpo", "editor", "viewer"])
def test_each_roles_capabilities_are_what_the_server_grants(
    team: Team, role: str, tmp_path: Path
) -> None:
    with team.open_as(team.dpo) as register:
        notice = register.notices.create(
            NoticeRecord(title="Payroll notice", activity_ids=[team.finance_id])
        )
    assert notice.id is not None
    workbook = two_functions_workbook(tmp_path / "register.xlsx")
    with team.open_as(getattr(team, role)) as register:
        membership = membership_of(register)
        assert membership.role == role
        may = capabilities_of(membership, read_only=register.read_only)
        table = attempts(register, may, team.finance_id, team.children_id, notice.id, workbook)
        for action, capability, attempt in table:
            if capability.allowed:
                attempt()  # the server lets it through
            else:
                with pytest.raises(TeamPermissionError):
                    attempt()
                assert f"you are signed in as {membership.describe()}" in capability.refusal
                assert capability.refusal.startswith("Only a DPO"), action
    allowed = {action for action, capability, _ in table if capability.allowed}
    everything = {action for action, _, _ in table}
    expected = {
        "dpo": everything,
        "editor": {"add an activity of Finance", "change a Finance activity"},
        "viewer": set(),
    }
    assert allowed == expected[role]


def test_a_register_files_user_may_do_everything_unless_it_is_read_only(tmp_path: Path) -> None:
    path = tmp_path / "own.ropa"
    workbook = two_functions_workbook(tmp_path / "register.xlsx")
    with Register.open(path) as register:
        finance = register.activities.create(
            ActivityRecord(name="Payroll", business_function=FINANCE)
        )
        children = register.activities.create(
            ActivityRecord(name="Child protection", business_function=CHILDREN)
        )
        notice = register.notices.create(NoticeRecord(title="Payroll notice"))
        assert finance.id and children.id and notice.id
        may = capabilities_of(membership_of(register), read_only=register.read_only)
        for _action, capability, attempt in attempts(
            register, may, finance.id, children.id, notice.id, workbook
        ):
            assert capability.allowed and capability.refusal == ""
            attempt()
    with Register.open(path, create=False, read_only=True) as register:
        may = capabilities_of(membership_of(register), read_only=register.read_only)
        assert may.state == "Read-only: save a copy to make changes"
        for action, capability, attempt in attempts(
            register, may, finance.id, children.id, notice.id, workbook
        ):
            assert not capability.allowed, action
            assert "read-only" in capability.refusal
            with pytest.raises(ReadOnlyError):
                attempt()


def test_an_editor_without_a_business_function_may_change_nothing() -> None:
    may = capabilities_of(Membership("carol", "editor", ()))
    assert not may.add_activities and not may.edit_activities([FINANCE])
    assert may.state == "Your role may read this register, not change it"
    assert may.functions_to_add_to([FINANCE, CHILDREN]) == []
    editor = capabilities_of(Membership("bob", "editor", (FINANCE,)))
    assert editor.functions_to_add_to([FINANCE, CHILDREN]) == [FINANCE]
    refused = editor.edit_activities([FINANCE, CHILDREN, " finance "])
    assert refused.refusal == (
        "Only a DPO or an editor of \u201cChildren's services\u201d may change these "
        "activities; you are signed in as bob (editor: Finance)."
    )
    assert capabilities_of(Membership("ann", "dpo")).functions_to_add_to([CHILDREN]) == [CHILDREN]
