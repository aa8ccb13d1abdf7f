"""A team register's roles, enforced by a real PostgreSQL server.

Each test signs in as real server logins (the test cluster trusts loopback logins), through
the app's services and with raw SQL over the app's own connection, and checks what the
server refused and what is still stored afterwards, read back as the DPO.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.exc import ProgrammingError

from db.models import Status
from db.team_security import roles_for_database
from ropa.errors import RegisterFileError, ValidationError
from ropa.notices.records import NoticeRecord
from ropa.records import ActivityRecord
from ropa.register import Register
from ropa.team import TeamPermissionError, TeamService, init_team_register
from tests.helpers.team_register import (
    CHILDREN,
    FINANCE,
    Logins,
    Team,
    as_login,
    database_of,
    make_team,
)
from tests.postgres import with_database


def refused_raw(register: Register, sql: str) -> str:
    """Run `sql` over the app's own connection; the server's refusal, in its words."""
    with pytest.raises(ProgrammingError) as refused, register.engine.begin() as connection:
        connection.exec_driver_sql(sql)
    assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege)
    return str(refused.value.orig)


def matched_raw(register: Register, sql: str) -> int:
    with register.engine.begin() as connection:
        return connection.exec_driver_sql(sql).rowcount


def activity_names(team: Team) -> dict[int, tuple[str, str, str]]:
    with team.open_as(team.dpo) as register:
        return {
            record.id: (record.name, record.business_function, record.status.value)
            for record in register.activities.load(include_retired=True)
            if record.id is not None
        }


def test_viewer_reads_everything_and_writes_nothing(team: Team) -> None:
    before = activity_names(team)
    with team.open_as(team.viewer) as register:
        assert len(register.activities.load()) == 2
        assert TeamService(register).membership().role == "viewer"
        with pytest.raises(TeamPermissionError, match="viewer, who may read"):
            register.activities.update(team.finance_id, {"name": "Changed by a viewer"})
        with pytest.raises(TeamPermissionError, match="change the organisation's details"):
            register.organisation.update({"name": "Viewer council"})
        for statement in (
            f"UPDATE activities SET name = 'raw' WHERE id = {team.finance_id}",
            f"DELETE FROM activities WHERE id = {team.children_id}",
            "INSERT INTO activities (reference, name) VALUES ('X-1', 'raw')",
            "DELETE FROM transfers",
            "UPDATE organisation SET name = 'raw'",
            "DELETE FROM library_items",
            "INSERT INTO change_history (entity_type, action) VALUES ('activity', 'delete')",
        ):
            assert "permission denied" in refused_raw(register, statement)
    assert activity_names(team) == before


def test_editor_changes_the_activities_of_their_function(team: Team) -> None:
    with team.open_as(team.editor) as register:
        changed = register.activities.update(
            team.finance_id, {"name": "Payroll and pensions", "transfers": []}
        )
        assert changed.name == "Payroll and pensions" and changed.transfers == []
        created = register.activities.create(
            ActivityRecord(name="Expenses", business_function="  finance ")
        )
        register.activities.retire([created.id or 0])
        register.activities.delete([created.id or 0])
    names = activity_names(team)
    assert names[team.finance_id][0] == "Payroll and pensions"
    assert created.id not in names


def test_editor_cannot_touch_another_functions_activity(team: Team) -> None:
    before = activity_names(team)
    with team.open_as(team.editor) as register:
        for attempt in (
            lambda: register.activities.update(team.children_id, {"name": "Changed"}),
            lambda: register.activities.update(team.children_id, {"transfers": []}),
            lambda: register.activities.retire([team.children_id]),
            lambda: register.activities.delete([team.children_id]),
            lambda: register.activities.update(team.finance_id, {"business_function": CHILDREN}),
            lambda: register.activities.create(
                ActivityRecord(name="New", business_function=CHILDREN)
            ),
        ):
            with pytest.raises(TeamPermissionError) as refused:
                attempt()
            assert "Nothing was changed" in str(refused.value)
        child = team.children_id
        assert CHILDREN in refused_raw(
            register, f"UPDATE activities SET name = 'raw' WHERE id = {child}"
        )
        refused_raw(register, f"UPDATE activities SET status = 'retired' WHERE id = {child}")
        refused_raw(register, f"DELETE FROM activities WHERE id = {child}")
        refused_raw(register, "UPDATE activities SET name = 'every one', version = version + 1")
        assert "row-level security" in refused_raw(
            register,
            "UPDATE activities SET business_function = 'Children''s services', "
            "version = version + 1 "
            f"WHERE id = {team.finance_id}",
        )
        refused_raw(
            register,
            "INSERT INTO activities (reference, name, business_function, status) "
            "VALUES ('X-1', 'raw', 'Children''s services', 'draft')",
        )
        # Another function's activity's own rows are out of the editor's reach too.
        refused_raw(register, f"DELETE FROM transfers WHERE activity_id = {child}")
        refused_raw(register, f"UPDATE transfers SET destination = 'x' WHERE activity_id = {child}")
        refused_raw(register, "DELETE FROM transfers")
        refused_raw(
            register,
            f"INSERT INTO transfers (activity_id, destination, mechanism, safeguards, position) "
            f"VALUES ({child}, 'Narnia', '', '', 5)",
        )
        # And everything else is the DPO's.
        refused_raw(register, "UPDATE organisation SET name = 'raw'")
        refused_raw(register, "INSERT INTO notices (title) VALUES ('raw')")
        with pytest.raises(TeamPermissionError, match="change the libraries"):
            register.activities.update(team.finance_id, {"purposes": ["A purpose nobody had"]})
    assert activity_names(team) == before
    with team.open_as(team.dpo) as register:
        assert [t.destination for t in register.activities.get(child).transfers] == ["Canada"]


def test_only_a_dpo_approves(team: Team) -> None:
    with team.open_as(team.editor) as register:
        register.review.submit_for_review([team.finance_id])
        with pytest.raises(TeamPermissionError, match="Only a DPO may approve"):
            register.review.approve([team.finance_id], despite_errors=True)
        refused_raw(
            register, f"UPDATE activities SET status = 'approved' WHERE id = {team.finance_id}"
        )
        refused_raw(
            register,
            f"UPDATE activities SET approved_by = 'the DPO' WHERE id = {team.finance_id}",
        )
    assert activity_names(team)[team.finance_id][2] == Status.IN_REVIEW.value
    with team.open_as(team.dpo) as register:
        register.review.approve([team.finance_id], approved_by="Someone Else", despite_errors=True)
        approved = register.activities.get(team.finance_id)
    # The approver is whoever the server says signed in, not a name the client sent.
    assert (approved.status, approved.approved_by) == (Status.APPROVED, team.dpo)
    with team.open_as(team.editor) as register:
        # Changing an approved activity marks it as changed since approved (no longer
        # approved, not in review until submitted); keeping it approved is not the editor's.
        refused_raw(register, f"UPDATE activities SET name = 'raw' WHERE id = {team.finance_id}")
        edited = register.activities.update(team.finance_id, {"description": "Monthly pay"})
        assert edited.status is Status.DRAFT and edited.changed_since_approval
        register.review.submit_for_review([team.finance_id])  # an editor may submit it
        submitted = register.activities.get(team.finance_id)
        assert submitted.status is Status.IN_REVIEW and submitted.changed_since_approval


def test_only_a_dpo_writes_and_publishes_notices(team: Team) -> None:
    with (
        team.open_as(team.editor) as register,
        pytest.raises(TeamPermissionError, match="change notices"),
    ):
        register.notices.create(NoticeRecord(title="Payroll notice"))
    with team.open_as(team.dpo) as register:
        notice = register.notices.create(
            NoticeRecord(title="Payroll notice", activity_ids=[team.finance_id])
        )
        assert notice.id is not None
        register.notices.publish(notice.id, override_reason="Testing the roles")
    with team.open_as(team.editor) as register:
        refused_raw(
            register,
            f"INSERT INTO notice_versions (notice_id, number, published_by, content, text) "
            f"VALUES ({notice.id}, 2, 'me', '', '')",
        )
        with pytest.raises(TeamPermissionError, match="publish notices"):
            register.notices.publish(notice.id, override_reason="Editor trying")
    with team.open_as(team.viewer) as register:
        assert len(register.notices.get(notice.id).activity_ids) == 1


def test_history_names_the_server_login(team: Team) -> None:
    forged = (
        "INSERT INTO change_history (changed_at, changed_by, entity_type, entity_id, "
        "entity_label, action, field, old_value, new_value) VALUES "
        f"('2001-01-01', '{team.dpo}', 'activity', {team.finance_id}, '', 'update', "
        "'forged', '', '')"
    )
    with team.open_as(team.editor) as register:
        register.activities.update(team.finance_id, {"owner": "Head of payroll"})
        # Only the server's triggers write the history; nobody rewrites or removes it.
        refused_raw(register, forged)
        refused_raw(register, "UPDATE change_history SET changed_by = 'someone'")
        refused_raw(register, "DELETE FROM change_history")
    with team.open_as(team.dpo) as register:
        for statement in (
            forged,
            "DELETE FROM change_history",
            "UPDATE change_history SET changed_by = 'x'",
            "TRUNCATE change_history",
        ):
            refused_raw(register, statement)
        lines = register.history.changes(entity_type="activity", entity_id=team.finance_id)
    by_field = {line.field: line for line in lines}
    assert by_field["owner"].changed_by == team.editor
    assert by_field["owner"].new_value == "Head of payroll"
    assert "forged" not in by_field
    assert by_field[""].changed_by == team.dpo  # the DPO created it
    assert by_field[""].action == "create"


def test_being_dpo_of_one_register_gives_nothing_in_another(
    logins: Logins, postgres_url: str, postgres_server: str
) -> None:
    first = make_team(logins, postgres_url)
    other_name = f"ropa_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{other_name}"')
    try:
        other_owner = logins.make("other_owner", "CREATEROLE")
        other_url = logins.owned_database(with_database(postgres_server, other_name), other_owner)
        deputy = logins.make("deputy")
        init_team_register(other_url, deputy)
        # The other register's DPO (no CREATEROLE: the IT team's power, not the role's)
        # cannot even connect to the first register, nor hand themselves its roles.
        first_roles = roles_for_database(database_of(first.url))
        with pytest.raises(psycopg.OperationalError, match="CONNECT privilege"):
            psycopg.connect(first.url_for(deputy), autocommit=True)
        with psycopg.connect(as_login(other_url, deputy), autocommit=True) as outsider:
            for group in (first_roles.dpo, first_roles.viewer, first_roles.owner):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    outsider.execute(f'GRANT "{group}" TO "{deputy}"')
        # And the first register's DPO is not let into the other.
        with pytest.raises(psycopg.OperationalError, match="CONNECT privilege"):
            psycopg.connect(as_login(other_url, first.dpo), autocommit=True)
    finally:
        logins.drop()
        logins.made.clear()
        logins.databases.clear()
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{other_name}" WITH (FORCE)')


def test_team_members_and_role_changes(team: Team) -> None:
    with team.open_as(team.dpo) as register:
        service = TeamService(register)
        listed = {member.login: (member.role, member.functions) for member in service.members()}
        assert listed == {
            team.dpo: ("dpo", ()),
            team.editor: ("editor", (FINANCE,)),
            team.viewer: ("viewer", ()),
        }
        # A new role replaces the old one.
        service.add_user(team.viewer, "editor", [CHILDREN])
        with pytest.raises(ValidationError, match="at least one"):
            service.add_user(team.viewer, "editor", [])
        with pytest.raises(ValidationError, match="only DPO"):
            service.add_user(team.dpo, "viewer")
    with team.open_as(team.viewer) as register:
        membership = TeamService(register).membership()
        assert (membership.role, membership.functions) == ("editor", (CHILDREN,))
        register.activities.update(team.children_id, {"owner": "Head of children's services"})
        with pytest.raises(TeamPermissionError, match="Only a DPO"):
            TeamService(register).add_user(team.editor, "dpo")


def test_a_dpo_who_may_not_create_logins_still_manages_the_team(team: Team) -> None:
    with team.open_as(team.dpo) as register:
        TeamService(register).add_user(team.viewer, "dpo")
    # The second DPO has no CREATEROLE: they hand out existing logins' roles, and are told
    # to ask the IT team for a new login.
    with team.open_as(team.viewer) as register:
        service = TeamService(register)
        service.add_user(team.editor, "viewer")
        with pytest.raises(TeamPermissionError, match="createuser"):
            service.add_user("nobody_" + uuid.uuid4().hex[:8], "viewer")
    with team.open_as(team.editor) as register:
        assert TeamService(register).membership().role == "viewer"


def test_team_command_line(
    logins: Logins, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from ropa.cli import main

    admin = logins.make("cli_admin", "CREATEROLE")
    dpo = logins.make("cli_dpo")
    admin_url = logins.owned_database(postgres_url, admin)
    url = as_login(admin_url, dpo)
    # Without a DPO named the first time: words, and nothing set up.
    assert main(["team", "init", admin_url]) == 1
    assert "--dpo LOGIN" in capsys.readouterr().err
    assert main(["team", "init", admin_url, "--dpo", dpo]) == 0
    assert f"its DPOs: {dpo}." in capsys.readouterr().out
    # A day-to-day login holding CREATEROLE is never given a role: it could make itself
    # the owner.
    assert main(["team", "init", admin_url, "--dpo", admin]) == 1
    assert "CREATEROLE" in capsys.readouterr().err
    editor = logins.make("cli_editor")
    arguments = ["team", "add-user", editor, "--role", "editor", "--function", FINANCE]
    assert main([*arguments, "--db", url]) == 0
    said = capsys.readouterr()
    assert f"{editor} is now an editor of Finance." in said.out
    assert "no activity belongs to the business function \u201cFinance\u201d" in said.err
    assert main(["team", "list", "--db", url]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{dpo}\tdpo",
        f"{editor}\teditor  Finance",
    ]
    # Refusals are words on stderr and exit status 1, never a traceback.
    assert main(["team", "add-user", "someone", "--role", "editor", "--db", url]) == 1
    assert "at least one" in capsys.readouterr().err
    assert main(["team", "add-user", dpo, "--role", "viewer", "--db", as_login(url, editor)]) == 1
    assert "Only a DPO of this register may add people" in capsys.readouterr().err
    assert main(["team", "list"]) == 1
    assert "not a team register's address" in capsys.readouterr().err


def test_init_again_keeps_the_team_and_only_the_it_teams_login_may_run_it(team: Team) -> None:
    # After an upgrade, the IT team's administrator login runs init again.
    assert init_team_register(team.url_for(team.admin)).dpos == (team.dpo,)
    with team.open_as(team.editor) as register:
        register.activities.update(team.finance_id, {"owner": "Payroll lead"})
        with pytest.raises(TeamPermissionError):
            register.activities.update(team.children_id, {"owner": "Payroll lead"})
    with team.open_as(team.dpo) as register:
        assert {m.login for m in TeamService(register).members()} == {
            team.dpo,
            team.editor,
            team.viewer,
        }
    # A DPO (no CREATEROLE) cannot run it, and is told who can.
    with pytest.raises(TeamPermissionError, match="administrator login"):
        init_team_register(team.url, team.dpo)


def test_a_register_copied_onto_a_server_becomes_a_team_register(
    logins: Logins, postgres_url: str, tmp_path: Path
) -> None:
    from ropa.copy_register import copy_register
    from ropa.demo import write_demo
    from ropa.team import set_up_team_after_copy

    with write_demo(tmp_path / "example.ropa") as example:
        history = [(c.changed_by, c.field) for c in example.history.changes()]
        count = len(example.activity_list.summaries())
    admin = logins.make("copier", "CREATEROLE")
    admin_url = logins.owned_database(postgres_url, admin)
    copy_register(tmp_path / "example.ropa", admin_url, server_setup=set_up_team_after_copy)
    # The copy belongs to the owner role; the IT team then names the first DPO.
    dpo = logins.make("copy_dpo")
    assert init_team_register(admin_url, dpo).dpos == (dpo,)
    url = as_login(admin_url, dpo)
    with Register.open(url, create=False) as register:
        team = TeamService(register)
        assert team.membership().role == "dpo"
        # The copied history keeps who made each change then.
        copied = [c for c in register.history.changes() if c.entity_type != "team"]
        assert [(c.changed_by, c.field) for c in copied] == history
        function = register.activity_list.summaries()[0].business_function
        editor = team.add_user(logins.make("copy_editor"), "editor", [function]).login
    with Register.open(as_login(url, editor), create=False) as register:
        assert len(register.activity_list.summaries()) == count
        with pytest.raises(TeamPermissionError):
            register.organisation.update({"name": "Not mine to change"})


def test_tables_an_upgrade_adds_get_the_teams_grants(team: Team) -> None:
    from db.server import make_server_engine
    from ropa.team import refresh_team_within

    # As a new migration would, run by the IT team's login, with the refresh in the
    # upgrade's transaction.
    engine = make_server_engine(team.url_for(team.admin))
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE reviews_due (id integer PRIMARY KEY)")
            connection.exec_driver_sql("INSERT INTO reviews_due VALUES (1)")
            refresh_team_within(connection)
    finally:
        engine.dispose()
    with team.open_as(team.viewer) as register:
        assert matched_raw(register, "SELECT id FROM reviews_due") == 1
        refused_raw(register, "DELETE FROM reviews_due")
    with team.open_as(team.editor) as register:
        refused_raw(register, "INSERT INTO reviews_due VALUES (2)")


def test_an_editor_cannot_change_an_approved_activitys_rows_behind_its_approval(
    team: Team,
) -> None:
    # The activity's own rows are what was approved as much as its fields: changed with raw
    # SQL while it stays approved, the DPO would be shown "Approved" of something unseen.
    with team.open_as(team.dpo) as register:
        register.review.approve([team.finance_id], despite_errors=True)
    finance = team.finance_id
    with team.open_as(team.editor) as register:
        for statement in (
            f"UPDATE transfers SET destination = 'Narnia' WHERE activity_id = {finance}",
            f"DELETE FROM transfers WHERE activity_id = {finance}",
            "INSERT INTO transfers (activity_id, destination, mechanism, safeguards, position) "
            f"VALUES ({finance}, 'Mars', '', '', 5)",
        ):
            assert "stays approved" in refused_raw(register, statement)
        # Through the app the change takes the approval away, so the rows may change.
        edited = register.activities.update(finance, {"transfers": []})
        assert edited.status is Status.DRAFT and edited.transfers == []
    with team.open_as(team.dpo) as register:
        register.review.approve([finance], despite_errors=True)
    # An approved activity is the DPO's to delete.
    with (
        team.open_as(team.editor) as register,
        pytest.raises(TeamPermissionError, match="Only a DPO may delete"),
    ):
        register.activities.delete([finance])
    with team.open_as(team.dpo) as register:
        register.activities.delete([finance])
    assert finance not in activity_names(team)


def test_only_the_tables_owner_is_asked_to_upgrade_the_register(
    team: Team, postgres_server: str
) -> None:
    from db.schema import HEAD_REVISION, known_revisions

    # As after installing a version of ROPA desk with a new migration: the register is one
    # schema behind. An editor opening it cannot alter the owner's tables, and is told whom to
    # ask instead of the server's refusal of the upgrade's first statement.
    earlier = sorted(known_revisions() - {HEAD_REVISION})[-1]
    database = with_database(postgres_server, database_of(team.url))
    with psycopg.connect(database, autocommit=True) as admin:
        admin.execute("UPDATE alembic_version SET version_num = %s", (earlier,))
    with pytest.raises(RegisterFileError, match="ropa team init"):
        Register.open(team.url_for(team.editor), create=False)
    with psycopg.connect(database) as admin:
        assert admin.execute("SELECT version_num FROM alembic_version").fetchone() == (earlier,)


def test_an_upgrade_whose_team_grants_fail_leaves_the_register_as_it_was(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    import ropa.team
    from db.schema import HEAD_REVISION, alembic_config, known_revisions
    from db.team_security import TEAM_SCHEMA

    # A team register one schema behind, opened by its owner after ROPA desk was updated:
    # the upgrade and the team's grants for what it adds are one transaction, so a failure
    # in the grants must not leave an upgraded schema that the team cannot read.
    earlier = sorted(known_revisions() - {HEAD_REVISION})[-1]
    engine = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        command.upgrade(alembic_config(engine), earlier)
        with engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {TEAM_SCHEMA}")
    finally:
        engine.dispose()

    def refuse(*_args: object, **_options: object) -> None:
        raise TeamPermissionError("the grants could not be given")

    monkeypatch.setattr(ropa.team, "set_up_team_register", refuse)
    with pytest.raises(TeamPermissionError, match="could not be given"):
        Register.open(postgres_url, create=False)
    with psycopg.connect(postgres_url) as database:
        assert database.execute("SELECT version_num FROM alembic_version").fetchone() == (earlier,)


def test_a_new_register_in_a_reused_database_name_starts_with_no_one_else(
    logins: Logins, postgres_url: str, postgres_server: str
) -> None:
    # The group roles are named after the database and outlive it (roles are cluster-wide):
    # a register made again in a database of the same name (dropped and created again, or
    # copied into) must not hand the earlier register's people their old roles in it.
    earlier = make_team(logins, postgres_url)
    name = database_of(postgres_url)
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    owner = logins.make("new_owner", "CREATEROLE")
    url = logins.owned_database(postgres_url, owner)
    new_dpo = logins.make("new_dpo")
    init_team_register(url, new_dpo)
    with Register.open(as_login(url, new_dpo), create=False) as register:
        assert [(m.login, m.role) for m in TeamService(register).members()] == [(new_dpo, "dpo")]
    for login in (earlier.dpo, earlier.editor, earlier.viewer):
        with pytest.raises(psycopg.OperationalError, match="CONNECT privilege"):
            psycopg.connect(as_login(url, login))
