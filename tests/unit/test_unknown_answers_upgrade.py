"""Migration 0005 on a team register's server: a No nobody was recorded giving becomes
unknown, with a line in the history; a Yes stays (the file case: test_schema_upgrades)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from db.schema import alembic_config
from db.server import make_server_engine
from ropa.register import Register
from tests.helpers.schema import insert_organisation_row


def test_a_default_no_becomes_unknown_on_a_server(postgres_url: str) -> None:
    engine = make_server_engine(postgres_url)
    try:
        command.upgrade(alembic_config(engine), "0004")
        with engine.begin() as connection:
            insert_organisation_row(connection, "Northfield Borough Council")
            for reference, children in (("A-1", False), ("A-2", True)):
                connection.execute(
                    text(
                        "INSERT INTO activities (reference, name, business_function, "
                        "description, owner, role, joint_controllers, controllers, "
                        "controller_representatives, controller_contract_link, status, "
                        "approved_by, changed_since_approval, security_description, "
                        "location_of_data, article10_basis, legitimate_interests, lia_link, "
                        "consent_record_link, automated_decisions, automated_decision_details, "
                        "dpia_progress, dpia_link, breach_link, apd_link, apd_deviation_reason, "
                        "statutory_requirement, involves_children, large_scale, notes, "
                        "created_at, updated_at, version) VALUES (:reference, 'Complaints', "
                        "'Sport', '', '', 'controller', '', '', '', '', 'draft', '', false, '', "
                        "'', '', '', '', '', false, '', '', '', '', '', '', '', :children, "
                        "false, '', now(), now(), 1)"
                    ),
                    {"reference": reference, "children": children},
                )
    finally:
        engine.dispose()
    with Register.open(postgres_url) as register:
        by_reference = {r.reference: r for r in register.activities.load()}
        assert by_reference["A-1"].involves_children is None
        assert by_reference["A-2"].involves_children is True
        assert by_reference["A-2"].large_scale is None
        record_id = by_reference["A-1"].id
        assert record_id is not None
        fields = {c.field for c in register.history.changes(entity_id=record_id)}
    assert {"involves_children", "automated_decisions", "large_scale"} <= fields
