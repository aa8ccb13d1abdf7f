"""Attacks on a team register by each kind of login, through raw SQL under the attacker's
own login (psycopg, not the app's services), on a real PostgreSQL server: each is refused by
the server, or recorded in the history by the server.

The logins: the IT team's administrator login that ran `ropa team init`, the DPO it named,
a second DPO, an editor of Finance, a viewer, and a login with no role in the register.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from db.team_security import ACTIVITY_TEXT_CHARS, HISTORY_VALUE_CHARS, roles_for_database
from ropa.errors import ConflictError, RegisterBusyError
from ropa.history import Change
from ropa.records import ActivityRecord
from ropa.register import Register
from ropa.team import TeamService, init_team_register
from tests.helpers.cli import run_ropa
from tests.helpers.team_register import (
    FINANCE,
    Logins,
    Team,
    as_login,
    database_of,
    heard_within,
    watching,
)
from tests.helpers.waits import SHORT_WAIT, SHORT_WAIT_ARGUMENTS
from tests.postgres import with_database


@contextmanager
def signed_in(team: Team, login: str) -> Iterator[psycopg.Connection[Any]]:
    """A psql-like session of `login`: every statement commits on its own."""
    with psycopg.connect(team.url_for(login), autocommit=True) as connection:
        yield connection


def refused(connection: psycopg.Connection[Any], sql: str, *params: Any) -> str:
    with pytest.raises(psycopg.Error) as error:
        connection.execute(sql, params or None)
    return str(error.value)


def history(team: Team, *, entity_type: str, entity_id: int | None = None) -> list[Change]:
    with team.open_as(team.dpo) as register:
        return register.history.changes(entity_type=entity_type, entity_id=entity_id)


def second_dpo(team: Team, logins: Logins) -> str:
    deputy = logins.make("deputy")
    with team.open_as(team.dpo) as register:
        TeamService(register).add_user(deputy, "dpo")
    return deputy


TAMPERING = (
    "ALTER TABLE activities NO FORCE ROW LEVEL SECURITY",
    "ALTER TABLE activities DISABLE ROW LEVEL SECURITY",
    "ALTER TABLE activities DISABLE TRIGGER ALL",
    "ALTER TABLE change_history DISABLE TRIGGER team_keep",
    "DROP POLICY team_read ON activities",
    "UPDATE change_history SET changed_by = 'someone else', changed_at = '2025-01-01'",
    "DELETE FROM change_history",
    "TRUNCATE change_history",
    "INSERT INTO change_history (entity_type, entity_id, entity_label, action, field, "
    "old_value, new_value, changed_by) VALUES ('activity', 1, '', 'update', 'x', '', '', 'bob')",
    "SELECT ropa_team.assign_role(session_user, 'dpo', '{}')",
    "INSERT INTO ropa_team.editor_functions VALUES (session_user, 'Children''s services')",
)


# --- 1. nobody who uses the register owns it ---------------------------------------------


def test_the_tables_belong_to_a_role_nobody_signs_in_as(team: Team, postgres_server: str) -> None:
    roles = roles_for_database(database_of(team.url))
    with psycopg.connect(with_database(postgres_server, database_of(team.url))) as admin:
        owners = admin.execute(
            "SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname IN ('public', 'ropa_team') AND c.relkind IN ('r', 'S')"
        ).fetchall()
        functions = admin.execute(
            "SELECT DISTINCT pg_get_userbyid(p.proowner) FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'ropa_team'"
        ).fetchall()
        can_login = admin.execute(
            "SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (roles.owner,)
        ).fetchone()
        members_of_owner = admin.execute(
            "SELECT m.rolname FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member "
            "WHERE a.roleid = %s::regrole",
            (roles.owner,),
        ).fetchall()
        admin_options = admin.execute(
            "SELECT m.rolname FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member "
            "WHERE a.admin_option AND a.roleid = ANY(%s::regrole[]) AND m.rolname <> %s",
            (roles.groups, roles.owner),
        ).fetchall()
    assert owners == [(roles.owner,)] and functions == [(roles.owner,)]
    assert can_login == (False,)
    assert members_of_owner == []  # the administrator is no member once set-up is done
    assert admin_options == []  # nobody can GRANT a role past set_member


def test_no_login_of_the_team_can_alter_disable_or_bypass_anything(
    team: Team, logins: Logins, postgres_server: str
) -> None:
    deputy = second_dpo(team, logins)
    # The first DPO is made a viewer by the second: the attack of the issue, by a login
    # that once ran everything.
    with team.open_as(deputy) as register:
        TeamService(register).add_user(team.dpo, "viewer")
    for login in (team.admin, team.dpo, deputy, team.editor, team.viewer):
        with signed_in(team, login) as connection:
            for statement in TAMPERING:
                refused(connection, statement)
            refused(connection, f'SET ROLE "{roles_for_database(database_of(team.url)).owner}"')
            if login != team.admin:  # the IT team's login may create roles: its own power
                for group in roles_for_database(database_of(team.url)).groups:
                    refused(connection, f'GRANT "{group}" TO "{login}"')
                refused(connection, "GRANT pg_execute_server_program TO session_user")
    lines = history(team, entity_type="team")
    assert [(line.changed_by, line.entity_label, line.new_value) for line in lines[:2]] == [
        (deputy, team.dpo, "viewer"),
        (team.dpo, deputy, "dpo"),
    ]


def test_the_login_that_ran_init_gains_nothing_by_being_given_a_role(
    team: Team, postgres_server: str
) -> None:
    # Holding CREATEROLE, it is never given a role: it could make itself the owner.
    with team.open_as(team.dpo) as register, pytest.raises(Exception, match="CREATEROLE"):
        TeamService(register).add_user(team.admin, "viewer")
    # Once the IT team takes CREATEROLE back, it may be a viewer like anyone, and a viewer
    # it stays.
    with psycopg.connect(postgres_server, autocommit=True) as superuser:
        superuser.execute(f'ALTER ROLE "{team.admin}" NOCREATEROLE')
    with team.open_as(team.dpo) as register:
        TeamService(register).add_user(team.admin, "viewer")
    with signed_in(team, team.admin) as connection:
        for statement in TAMPERING:
            refused(connection, statement)
        refused(
            connection,
            "UPDATE activities SET approved_by = 'someone', version = version + 1",
        )


# --- 2. every change by anyone is in the history, written by the server -----------------


def test_a_second_dpos_raw_changes_are_all_in_the_history(team: Team, logins: Logins) -> None:
    deputy = second_dpo(team, logins)
    with signed_in(team, deputy) as connection:
        connection.execute(
            "UPDATE activities SET approved_by = 'Someone Else', approved_on = '2025-01-01', "
            "version = version + 1 WHERE id = %s",
            (team.finance_id,),
        )
        connection.execute("UPDATE organisation SET name = 'Renamed by psql'")
        connection.execute(
            "UPDATE library_items SET name = 'Renamed item' WHERE id = (SELECT min(id) "
            "FROM library_items)"
        )
        connection.execute(
            "INSERT INTO notices (title, audience, introduction, contact_text, template, "
            "grouping, full_notice_url, business_functions, created_at, updated_at, version) "
            "VALUES ('Staff notice', 'adults', '', '', '', '', '', '', now(), now(), 1)"
        )
        connection.execute("DELETE FROM activities WHERE id = %s", (team.children_id,))
        connection.execute("SELECT ropa_team.set_member(%s, 'dpo', '{}')", (team.viewer,))
    approval = {
        line.field: line
        for line in history(team, entity_type="activity", entity_id=team.finance_id)
    }
    # A draft names no approver, whatever a DPO's SQL writes (review3 finding 7).
    assert "approved_by" not in approval
    assert approval["approved_on"].changed_by == deputy
    assert approval["approved_on"].new_value == "2025-01-01"
    (deleted,) = [
        line
        for line in history(team, entity_type="activity", entity_id=team.children_id)
        if line.action == "delete"
    ]
    assert deleted.changed_by == deputy
    what = json.loads(deleted.old_value)
    assert what["name"] == "Child protection"
    assert [row["destination"] for row in what["transfers"]] == ["Canada"]
    (organisation,) = history(team, entity_type="organisation")
    assert (organisation.changed_by, organisation.field, organisation.new_value) == (
        deputy,
        "name",
        "Renamed by psql",
    )
    assert [line.field for line in history(team, entity_type="library_item")] == ["name"]
    (notice,) = history(team, entity_type="notice")
    assert notice.action == "create" and notice.changed_by == deputy
    made_dpo = history(team, entity_type="team")[0]
    assert (made_dpo.changed_by, made_dpo.entity_label, made_dpo.old_value) == (
        deputy,
        team.viewer,
        "viewer",
    )


def test_an_editors_raw_changes_are_recorded_row_by_row(team: Team) -> None:
    with signed_in(team, team.editor) as connection:
        connection.execute(
            "UPDATE activities SET notes = 'typo', version = version + 1 WHERE id = %s",
            (team.finance_id,),
        )
        connection.execute(
            "UPDATE transfers SET destination = 'Japan' WHERE activity_id = %s",
            (team.finance_id,),
        )
        connection.execute("DELETE FROM activities WHERE id = %s", (team.finance_id,))
    lines = history(team, entity_type="activity", entity_id=team.finance_id)
    assert [(line.action, line.field) for line in lines[:3]] == [
        ("delete", ""),
        ("update", "transfers"),
        ("update", "notes"),
    ]
    assert all(line.changed_by == team.editor for line in lines[:3])
    assert '"Japan"' in lines[1].new_value and '"United States"' in lines[1].old_value
    assert json.loads(lines[0].old_value)["notes"] == "typo"


def test_history_lines_are_bounded_and_about_real_activities(team: Team) -> None:
    long_text = "x" * (HISTORY_VALUE_CHARS * 2)
    with signed_in(team, team.editor) as connection:
        connection.execute(
            "UPDATE activities SET description = %s, version = version + 1 WHERE id = %s",
            (long_text, team.finance_id),
        )
        assert "longer than" in refused(
            connection,
            "UPDATE activities SET description = %s, version = version + 1 WHERE id = %s",
            "y" * (ACTIVITY_TEXT_CHARS + 1),
            team.finance_id,
        )
    (line,) = [
        line
        for line in history(team, entity_type="activity", entity_id=team.finance_id)
        if line.field == "description"
    ]
    assert len(line.new_value) < HISTORY_VALUE_CHARS + 100
    assert re.search(
        rf" \[cut here: {len(long_text)} characters in all, fingerprint [0-9a-f]{{12}}\]$",
        line.new_value,
    )
    # A deleted activity's id is never given again, nor an id the server has not handed out.
    with team.open_as(team.dpo) as register:
        register.activities.delete([team.children_id])
    insert = (
        "INSERT INTO activities (id, reference, name, business_function, status) "
        "VALUES (%s, %s, 'Reused', 'Finance', 'draft')"
    )
    with signed_in(team, team.editor) as connection:
        assert "given once" in refused(connection, insert, team.children_id, "R-1")
        assert "given once" in refused(connection, insert, 1_000_000, "R-2")
    with signed_in(team, team.dpo) as connection:
        assert "keeps its id" in refused(
            connection,
            "UPDATE activities SET id = %s, version = version + 1 WHERE id = %s",
            team.children_id,
            team.finance_id,
        )


# --- 3. approved entries are the DPO's ---------------------------------------------------


def test_an_editor_cannot_make_an_approved_activity_disappear(team: Team) -> None:
    with team.open_as(team.dpo) as register:
        register.review.approve([team.finance_id], despite_errors=True)
    finance = team.finance_id
    with signed_in(team, team.editor) as connection:
        assert "Only a DPO may delete" in refused(
            connection, "DELETE FROM activities WHERE id = %s", finance
        )
        assert "Only a DPO may retire" in refused(
            connection,
            "UPDATE activities SET status = 'retired', version = version + 1 WHERE id = %s",
            finance,
        )
        assert "review dates" in refused(
            connection,
            "UPDATE activities SET next_review = '2099-01-01', version = version + 1 WHERE id = %s",
            finance,
        )
        # Sent back for review first, it is still the DPO's to delete or retire.
        connection.execute(
            "UPDATE activities SET status = 'in_review', changed_since_approval = true, "
            "notes = 'sent back', version = version + 1 WHERE id = %s",
            (finance,),
        )
        assert "Only a DPO may delete" in refused(
            connection, "DELETE FROM activities WHERE id = %s", finance
        )
    with signed_in(team, team.dpo) as connection:
        connection.execute(
            "UPDATE activities SET status = 'retired', version = version + 1 WHERE id = %s",
            (finance,),
        )


# --- 4. the version check on the server ---------------------------------------------------


def test_a_psql_writer_and_an_app_save_never_overwrite_each_other(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ropa.activities

    with signed_in(team, team.editor) as connection:
        # An UPDATE that does not carry the version it was based on is refused.
        assert "changed by someone else" in refused(
            connection, "UPDATE activities SET notes = 'psql' WHERE id = %s", team.finance_id
        )
        assert "changed by someone else" in refused(
            connection,
            "UPDATE activities SET notes = 'psql', version = 1 WHERE id = %s",
            team.finance_id,
        )
    with team.open_as(team.editor) as register:
        seen = register.activities.get(team.finance_id).version
        checked = ropa.activities.check_version

        def psql_saves_in_between(activity: Any, expected: int | None) -> None:
            # The app has checked the version it saw; psql commits before the app writes.
            checked(activity, expected)
            with signed_in(team, team.editor) as connection:
                connection.execute(
                    "UPDATE activities SET owner = 'Set by psql', version = version + 1 "
                    "WHERE id = %s",
                    (team.finance_id,),
                )

        monkeypatch.setattr(ropa.activities, "check_version", psql_saves_in_between)
        with pytest.raises(ConflictError, match="changed by someone else"):
            register.activities.update(team.finance_id, {"notes": "Set by the app"}, seen)
        monkeypatch.setattr(ropa.activities, "check_version", checked)
        fresh = register.activities.get(team.finance_id)
        assert fresh.owner == "Set by psql" and fresh.notes == ""
        # Told, the user saves again on the fresh version: both changes are kept.
        register.activities.update(team.finance_id, {"notes": "Set by the app"}, fresh.version)
        final = register.activities.get(team.finance_id)
    assert (final.owner, final.notes) == ("Set by psql", "Set by the app")


# --- 5. no role, no entry; no one can hold the team up -----------------------------------


def test_a_login_with_no_role_cannot_even_connect(team: Team, logins: Logins) -> None:
    stranger = logins.make("stranger")
    with pytest.raises(psycopg.OperationalError, match="CONNECT privilege"):
        psycopg.connect(team.url_for(stranger))
    result = run_ropa("check", "--db", team.url_for(stranger))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{stranger} has no role in the team register" in result.stderr


def test_the_writer_lock_is_the_servers_and_a_waiting_save_names_who_holds_it(
    team: Team,
) -> None:
    with signed_in(team, team.viewer) as connection:
        refused(connection, "SELECT * FROM ropa_team.writer_lock FOR UPDATE")
        refused(connection, "LOCK TABLE ropa_team.writer_lock")
    # A viewer calling the function holds nothing up.
    with psycopg.connect(team.url_for(team.viewer)) as viewer:
        viewer.execute("SELECT ropa_team.take_writer_lock()")
        with team.open_as(team.dpo) as register:
            register.activities.update(team.children_id, {"owner": "Saved past a viewer"})
        viewer.rollback()
    # An editor holding it in psql: a DPO's save gives up after its wait (1 s here; the app's
    # 5 s is tested in test_register_wait.py), naming the editor.
    with psycopg.connect(team.url_for(team.editor)) as editor:
        editor.execute("SELECT ropa_team.take_writer_lock()")
        with Register.open(team.url_for(team.dpo), options=SHORT_WAIT) as register:
            started = time.monotonic()
            with pytest.raises(RegisterBusyError, match=f"{team.editor} is saving"):
                register.activities.update(team.children_id, {"owner": "Waited"})
            assert time.monotonic() - started < 10
        editor.rollback()


@pytest.mark.parametrize("command", ["export", "check"])
def test_a_table_locked_by_an_editor_holds_no_command_up(
    team: Team, tmp_path: Path, command: str
) -> None:
    with psycopg.connect(team.url_for(team.editor)) as editor:
        editor.execute("LOCK TABLE activities IN ACCESS EXCLUSIVE MODE")
        arguments = [str(tmp_path / "out.xlsx")] if command == "export" else []
        started = time.monotonic()
        result = run_ropa(
            command, *arguments, "--db", team.url_for(team.dpo), *SHORT_WAIT_ARGUMENTS
        )
        took = time.monotonic() - started
        editor.rollback()
    assert took < 15, f"ropa {command} took {took:.1f} s"
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "is busy: someone holds a lock" in result.stderr
    assert "The wait for a busy register was set to 1 s" in result.stderr


def test_change_signals_from_a_member_that_changed_nothing_are_not_believed(team: Team) -> None:
    with watching(team.url_for(team.viewer)) as heard:
        with signed_in(team, team.viewer) as connection:
            for _ in range(5):
                connection.execute("SELECT pg_notify('ropa_register_changed', 'activities')")
        time.sleep(2.5)
        assert heard == []
        with team.open_as(team.editor) as register:
            register.activities.update(team.finance_id, {"owner": "Really changed"})
        assert heard_within(heard) == ["activity"]


def test_each_login_comes_in_with_session_limits(team: Team) -> None:
    with team.open_as(team.viewer) as register, register.engine.connect() as connection:
        settings = dict(
            connection.exec_driver_sql(
                "SELECT name, setting FROM pg_settings WHERE name IN ('lock_timeout', "
                "'statement_timeout', 'idle_in_transaction_session_timeout')"
            ).all()
        )
    assert all(int(value) > 0 for value in settings.values()) and len(settings) == 3


def test_the_registers_groups_are_the_only_ones_let_in(team: Team, postgres_server: str) -> None:
    name = database_of(team.url)
    with psycopg.connect(postgres_server) as admin:
        (acl,) = admin.execute(
            "SELECT datacl::text[] FROM pg_database WHERE datname = %s", (name,)
        ).fetchone() or (None,)
    assert acl is not None
    assert not [entry for entry in acl if entry.startswith("=")]  # nothing for PUBLIC
    assert FINANCE  # (the team's fixture functions stay as made)


def test_a_viewers_open_transaction_holds_up_neither_init_nor_the_readers(team: Team) -> None:
    with psycopg.connect(team.url_for(team.viewer)) as viewer:
        viewer.execute("SELECT name FROM activities")  # holds its lock until it ends
        started = time.monotonic()
        result = run_ropa("team", "init", team.url_for(team.admin), *SHORT_WAIT_ARGUMENTS)
        took = time.monotonic() - started
        # Readers queued behind init's wait were let through when it gave up.
        with team.open_as(team.dpo) as register:
            assert len(register.activity_list.summaries()) == 2
        viewer.rollback()
    assert took < 15, f"ropa team init took {took:.1f} s"
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "is in use" in result.stderr and "Nothing was changed" in result.stderr
    assert "gave up after waiting 1 s" in result.stderr
    assert run_ropa("team", "init", team.url_for(team.admin)).returncode == 0


def test_a_register_its_dpos_login_owned_is_taken_over_by_the_owner_role(
    logins: Logins, postgres_url: str
) -> None:
    # As an earlier version left it: the register's tables belong to the DPO's own login.
    admin = logins.make("admin", "CREATEROLE")
    url = logins.owned_database(postgres_url, admin)
    dpo = logins.make("dpo")
    with psycopg.connect(url, autocommit=True) as owner_of_database:
        owner_of_database.execute(f'GRANT CREATE ON SCHEMA public TO "{dpo}"')
    with Register.open(as_login(url, dpo)) as register:
        register.activities.create(ActivityRecord(name="Payroll", business_function=FINANCE))
    init_team_register(url, dpo)
    roles = roles_for_database(database_of(url))
    with psycopg.connect(as_login(url, dpo), autocommit=True) as connection:
        owners = connection.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        assert owners == [(roles.owner,)]
        for statement in TAMPERING:
            refused(connection, statement)
        assert connection.execute("SELECT name FROM activities").fetchall() == [("Payroll",)]


def test_a_change_beyond_what_a_history_line_keeps_still_shows(team: Team) -> None:
    """A history line keeps the first 20,000 characters of a value; a field may hold
    100,000. A change past the cut (an editor's "6 years" made "forever" at character
    25,000) must not leave a line whose old and new values read the same."""
    before = "x" * 25_000 + " Kept for 6 years." + "y" * 5_000
    after = before.replace("for 6 years.", "forever.    ")  # the same length
    with psycopg.connect(team.url_for(team.editor), autocommit=True) as editor:
        editor.execute("BEGIN")
        editor.execute("SELECT ropa_team.take_writer_lock()")
        editor.execute(
            "UPDATE activities SET description = %s, version = version + 1 WHERE id = %s",
            (before, team.finance_id),
        )
        editor.execute(
            "UPDATE activities SET description = %s, version = version + 1 WHERE id = %s",
            (after, team.finance_id),
        )
        editor.execute("COMMIT")
    with team.open_as(team.dpo) as register:
        lines = register.history.changes(entity_type="activity", entity_id=team.finance_id)
    (last,) = [line for line in lines if line.field == "description" and line.old_value][:1]
    assert len(after) == len(before) and last.old_value != last.new_value
    assert f"{len(after)} characters in all" in last.new_value


def test_a_role_given_outside_ropa_desk_is_shown_as_such(team: Team, logins: Logins) -> None:
    """The IT team's administrator login may create roles, so on the server it can give a
    login a register role with a GRANT of its own, which writes no history line: `team list`
    says so, naming who gave it; roles ROPA desk gave are not flagged."""
    eve = logins.make("eve")
    dpo_group = roles_for_database(database_of(team.url)).dpo
    with signed_in(team, team.admin) as administrator:
        administrator.execute(f'GRANT "{dpo_group}" TO "{eve}"')
    with team.open_as(team.dpo) as register:
        members = {member.login: member for member in TeamService(register).members()}
    assert members[eve].role == "dpo" and members[eve].given_outside_by == team.admin
    assert [members[login].given_outside_by for login in (team.dpo, team.editor, team.viewer)] == [
        "",
        "",
        "",
    ]
    listed = run_ropa("team", "list", "--db", team.url)
    assert listed.returncode == 0, listed.stderr
    (line,) = [line for line in listed.stdout.splitlines() if line.startswith(eve)]
    assert f"given outside ROPA desk by {team.admin}: the history has no line for it" in line
