"""The third security review's findings on a team register (review3: 3, 7 and 2), as attacks
by a member's own SQL (psycopg under the member's login) on a real PostgreSQL server: the
server sets what a client could falsify (when an activity or notice changed, who approved,
who published) and refuses a value outside the app's vocabularies."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from db.models import Notice, NoticeVersion
from db.team_security import roles_for_database
from ropa.checks import run_checks
from ropa.register import Register
from ropa.spreadsheets.export import export_workbook
from ropa.storage.unreadable_values import UnreadableValueError
from ropa.team import init_team_register
from tests.helpers.activities import sample_activity
from tests.helpers.cli import run_ropa
from tests.helpers.team_register import FINANCE, Team, database_of
from tests.postgres import with_database

# Long ago: a timestamp no honest save of today could carry.
BACKDATED = dt.datetime(2020, 1, 1)


@contextmanager
def signed_in(team: Team, login: str) -> Iterator[psycopg.Connection[Any]]:
    """A psql-like session of `login`: every statement commits on its own."""
    with psycopg.connect(team.url_for(login), autocommit=True) as connection:
        yield connection


def server_now(connection: psycopg.Connection[Any]) -> dt.datetime:
    (now,) = connection.execute("SELECT now() AT TIME ZONE 'UTC'").fetchone() or (None,)
    assert isinstance(now, dt.datetime)
    return now


def copy_of_activity(
    connection: psycopg.Connection[Any], activity_id: int, reference: str, **values: Any
) -> int:
    """INSERT a copy of an activity under `reference`, with `values` for some columns, as
    a member's own SQL would (every column named, as psql needs for a table with no server
    defaults); the new id."""
    columns = [
        name
        for (name,) in connection.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = 'activities' AND column_name <> 'id' "
            "ORDER BY ordinal_position"
        ).fetchall()
    ]
    given = {"reference": reference, "version": 1, **values}
    chosen = ", ".join("%s" if name in given else name for name in columns)
    parameters = [given[name] for name in columns if name in given]
    row = connection.execute(
        f"INSERT INTO activities ({', '.join(columns)}) SELECT {chosen} FROM activities "
        "WHERE id = %s RETURNING id",
        (*parameters, activity_id),
    ).fetchone()
    assert row is not None
    return int(row[0])


def publish_notice_of_finance(register: Register) -> int:
    """A notice covering the Finance activities, published now through the app's session."""
    with register.transaction() as session:
        notice = Notice(title="Finance privacy notice", business_functions=FINANCE)
        session.add(notice)
        session.flush()
        session.add(NoticeVersion(notice_id=notice.id, number=1, published_at=utc_today()))
        return notice.id


def utc_today() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def stale_notices(register: Register) -> list[str]:
    return [f.message for f in run_checks(register) if f.rule_id == "NOTICE-STALE"]


# --- 3. the server's clock says when an activity or a notice changed ----------------------


def test_an_editors_backdated_change_still_shows_the_published_notice_as_stale(
    team: Team,
) -> None:
    with team.open_as(team.dpo) as register:
        publish_notice_of_finance(register)
        assert stale_notices(register) == []
    with signed_in(team, team.editor) as connection:
        connection.execute(
            "UPDATE activities SET description = 'Payroll data also goes to Russia', "
            "updated_at = %s, created_at = %s, version = version + 1 WHERE id = %s",
            (BACKDATED, BACKDATED, team.finance_id),
        )
        now = server_now(connection)
        updated, created = connection.execute(
            "SELECT updated_at, created_at FROM activities WHERE id = %s", (team.finance_id,)
        ).fetchone() or (None, None)
    assert updated is not None and now - dt.timedelta(minutes=1) < updated <= now
    assert created is not None and created > BACKDATED
    with team.open_as(team.dpo) as register:
        reference = register.activities.get(team.finance_id).reference
        (stale,) = stale_notices(register)
    assert f"since then {reference} changed" in stale


def test_a_new_activity_and_a_notice_get_the_servers_times_whatever_was_sent(
    team: Team,
) -> None:
    with signed_in(team, team.editor) as connection:
        made = copy_of_activity(
            connection,
            team.finance_id,
            "F-BACKDATED",
            created_at=BACKDATED,
            updated_at=BACKDATED,
        )
        times = connection.execute(
            "SELECT created_at, updated_at FROM activities WHERE id = %s", (made,)
        ).fetchone()
        now = server_now(connection)
    assert times is not None
    assert all(now - dt.timedelta(minutes=1) < time <= now for time in times)
    with team.open_as(team.dpo) as register:
        notice_id = publish_notice_of_finance(register)
    with signed_in(team, team.dpo) as connection:
        connection.execute(
            "UPDATE notices SET title = 'Renamed', updated_at = %s, created_at = %s WHERE id = %s",
            (BACKDATED, BACKDATED, notice_id),
        )
        times = connection.execute(
            "SELECT created_at, updated_at FROM notices WHERE id = %s", (notice_id,)
        ).fetchone()
        now = server_now(connection)
    assert times is not None
    assert all(now - dt.timedelta(minutes=1) < time <= now for time in times)


def test_the_apps_own_saves_keep_working_and_read_back_the_servers_time(team: Team) -> None:
    with team.open_as(team.editor) as register:
        saved = register.activities.update(team.finance_id, {"description": "By the app."})
        again = register.activities.get(team.finance_id)
    assert again.description == "By the app." and again.version == saved.version
    assert again.updated_at is not None and again.updated_at > utc_today() - dt.timedelta(minutes=1)


# --- 7. who approved and who published, by the server's word -------------------------------


def test_an_approval_names_the_dpo_signed_in_whatever_the_sql_says(team: Team) -> None:
    with signed_in(team, team.dpo) as connection:
        made = copy_of_activity(
            connection,
            team.finance_id,
            "F-APPROVED",
            status="approved",
            approved_by=team.viewer,
            approved_on=dt.date(2026, 1, 1),
        )
        (inserted,) = connection.execute(
            "SELECT approved_by FROM activities WHERE id = %s", (made,)
        ).fetchone() or (None,)
        connection.execute(
            "UPDATE activities SET approved_by = %s, version = version + 1 WHERE id = %s",
            (team.viewer, made),
        )
        (renamed,) = connection.execute(
            "SELECT approved_by FROM activities WHERE id = %s", (made,)
        ).fetchone() or (None,)
        # A draft names no approver, whatever is written into it.
        connection.execute(
            "UPDATE activities SET approved_by = %s, version = version + 1 WHERE id = %s",
            (team.viewer, team.finance_id),
        )
        (draft,) = connection.execute(
            "SELECT approved_by FROM activities WHERE id = %s", (team.finance_id,)
        ).fetchone() or (None,)
    assert (inserted, renamed, draft) == (team.dpo, team.dpo, "")


def test_a_published_version_names_the_server_login_and_the_servers_time(team: Team) -> None:
    with team.open_as(team.dpo) as register:
        notice_id = publish_notice_of_finance(register)
    with signed_in(team, team.dpo) as connection:
        connection.execute(
            "INSERT INTO notice_versions (notice_id, number, published_at, published_by, "
            "content, text) VALUES (%s, 2, %s, %s, '', '')",
            (notice_id, BACKDATED, team.viewer),
        )
        connection.execute(
            "UPDATE notice_versions SET published_by = %s, published_at = %s "
            "WHERE notice_id = %s AND number = 1",
            (team.viewer, BACKDATED, notice_id),
        )
        rows = connection.execute(
            "SELECT number, published_by, published_at FROM notice_versions "
            "WHERE notice_id = %s ORDER BY number",
            (notice_id,),
        ).fetchall()
        now = server_now(connection)
    assert [(number, by) for number, by, _ in rows] == [(1, team.dpo), (2, team.dpo)]
    assert all(now - dt.timedelta(minutes=1) < at <= now for _, _, at in rows)


def test_the_apps_publish_records_the_server_login_not_the_os_user(team: Team) -> None:
    with team.open_as(team.dpo) as register:
        notice_id = publish_notice_of_finance(register)
        published = register.notices.publish(
            notice_id, published_by="root", override_reason="Review of the team register."
        )
        versions = register.notices.get(notice_id).published
    assert [version.published_by for version in versions] == [team.dpo, team.dpo]
    # What the app is told it published is what the server stored.
    assert (published.published_by, published.published_at) == (
        versions[1].published_by,
        versions[1].published_at,
    )


# --- 2. the server refuses a value the app cannot read -------------------------------------


def refusal(connection: psycopg.Connection[Any], sql: str, *params: Any) -> str:
    with pytest.raises(psycopg.errors.CheckViolation) as error:
        connection.execute(sql, params)
    return str(error.value)


def test_an_editor_cannot_write_a_value_outside_the_apps_vocabularies(team: Team) -> None:
    with signed_in(team, team.editor) as connection:
        role = refusal(
            connection,
            "UPDATE activities SET role = 'boss', version = version + 1 WHERE id = %s",
            team.finance_id,
        )
        mechanism = refusal(
            connection,
            "UPDATE transfers SET mechanism = 'sccs' WHERE activity_id = %s",
            team.finance_id,
        )
        basis = refusal(
            connection,
            "INSERT INTO activity_lawful_bases (activity_id, basis, explanation, "
            "annex1_condition, position) VALUES (%s, 'z', '', '', 9)",
            team.finance_id,
        )
        stored = connection.execute(
            "SELECT a.role, t.mechanism FROM activities a JOIN transfers t "
            "ON t.activity_id = a.id WHERE a.id = %s",
            (team.finance_id,),
        ).fetchone()
    assert "activities.role cannot be “boss”" in role and "joint_controller" in role
    assert "transfers.mechanism cannot be “sccs”" in mechanism and "idta" in mechanism
    assert "activity_lawful_bases.basis cannot be “z”" in basis
    assert stored == ("controller", "adequacy")
    with signed_in(team, team.dpo) as connection:
        status = refusal(
            connection,
            "UPDATE activities SET status = 'done', version = version + 1 WHERE id = %s",
            team.children_id,
        )
        conditions = "INSERT INTO activity_conditions (activity_id, scheme, code, explanation, "
        conditions += "position) VALUES (%s, %s, %s, '', 0)"
        scheme = refusal(connection, conditions, team.children_id, "schedule2", "1")
        article9 = refusal(connection, conditions, team.children_id, "article9", "18")
        connection.execute(conditions, (team.children_id, "schedule1", "18"))
    assert "activities.status cannot be “done”" in status
    assert "activity_conditions.scheme cannot be “schedule2”" in scheme
    assert "activity_conditions.code cannot be “18” for scheme article9" in article9


def test_export_and_check_name_the_activity_and_value_the_owner_left_unreadable(
    team: Team, postgres_server: str, tmp_path: Path
) -> None:
    roles = roles_for_database(database_of(team.url))
    with team.open_as(team.dpo) as register:
        finance = register.activities.get(team.finance_id)
        children = register.activities.get(team.children_id)
    with psycopg.connect(
        with_database(postgres_server, database_of(team.url)), autocommit=True
    ) as superuser:
        # The owner role, which the server's checks do not hold (an upgrade runs as it).
        superuser.execute(f'SET ROLE "{roles.owner}"')
        superuser.execute("UPDATE activities SET role = 'boss' WHERE id = %s", (team.finance_id,))
    workbook = tmp_path / "register.xlsx"
    exported = run_ropa("export", str(workbook), "--db", team.url_for(team.dpo))
    checked = run_ropa("check", "--db", team.url_for(team.viewer))
    for result in (exported, checked):
        assert result.returncode == 1
        assert f"activity {finance.reference} “Payroll”: its role is “boss”" in result.stderr
        assert "did not expect" not in result.stderr
    assert not workbook.exists()
    with psycopg.connect(
        with_database(postgres_server, database_of(team.url)), autocommit=True
    ) as superuser:
        superuser.execute(f'SET ROLE "{roles.owner}"')
        superuser.execute("UPDATE activities SET role = 'controller'")
        superuser.execute(
            "UPDATE transfers SET mechanism = 'sccs' WHERE activity_id = %s", (team.children_id,)
        )
    with team.open_as(team.viewer) as register, pytest.raises(UnreadableValueError) as error:
        run_checks(register)
    assert (
        f"activity {children.reference} “Child protection”: its transfer mechanism for "
        "“Canada” is “sccs”"
    ) in str(error.value)


def test_a_register_files_unknown_lawful_basis_is_named_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "register.ropa"
    with Register.open(path) as register:
        made = register.activities.create(sample_activity(reference="HR-001", name="Payroll"))
    with closing(sqlite3.connect(path)) as other_program, other_program:
        other_program.execute("UPDATE activity_lawful_bases SET basis = 'z'")
    with Register.open(path) as register, pytest.raises(UnreadableValueError) as error:
        export_workbook(register, tmp_path / "out.xlsx")
    assert "activity HR-001 “Payroll”: its lawful basis is “z”" in str(error.value)
    assert made.lawful_bases  # the sample has one, which the other program changed


@pytest.mark.parametrize(
    ("scheme", "code", "named"),
    [
        ("schedule2", "6", "its activity_conditions.scheme is “schedule2”, which is none of"),
        ("article9", "18", "its Article 9 condition is “18”"),
        ("schedule1", "x", "its Schedule 1 condition is “x”"),
    ],
)
def test_a_register_files_unknown_condition_is_named_by_check(
    tmp_path: Path, scheme: str, code: str, named: str
) -> None:
    path = tmp_path / "register.ropa"
    with Register.open(path) as register:
        made = register.activities.create(sample_activity(reference="HR-001", name="Payroll"))
    with closing(sqlite3.connect(path)) as other_program, other_program:
        other_program.execute(
            "INSERT INTO activity_conditions (activity_id, scheme, code, explanation, position) "
            "VALUES (?, ?, ?, '', 9)",
            (made.id, scheme, code),
        )
    with Register.open(path) as register, pytest.raises(UnreadableValueError) as error:
        run_checks(register)
    assert f"activity HR-001 “Payroll”: {named}" in str(error.value)


# --- an existing team register receives the new guards --------------------------------------


def test_running_init_again_gives_an_existing_register_the_new_guards(
    team: Team, postgres_server: str
) -> None:
    as_editor = "UPDATE activities SET role = 'boss', version = version + 1 WHERE id = %s"
    with psycopg.connect(
        with_database(postgres_server, database_of(team.url)), autocommit=True
    ) as superuser:
        # A register set up by the previous version: none of this review's triggers.
        for function in ("guard_vocabulary", "stamp_notice", "stamp_notice_version"):
            superuser.execute(f"DROP FUNCTION ropa_team.{function}() CASCADE")
    with signed_in(team, team.editor) as connection:
        connection.execute(as_editor, (team.finance_id,))
        connection.execute(
            "UPDATE activities SET role = 'controller', version = version + 1 WHERE id = %s",
            (team.finance_id,),
        )
    # What the README tells the IT team to run after an upgrade of ROPA desk.
    assert init_team_register(team.url_for(team.admin)).dpos == (team.dpo,)
    with signed_in(team, team.editor) as connection:
        assert "activities.role cannot be “boss”" in refusal(connection, as_editor, team.finance_id)


@pytest.mark.parametrize(("column", "value"), [("status", "done"), ("role", "boss")])
def test_the_activities_list_names_an_activity_with_an_unknown_status_or_role(
    tmp_path: Path, column: str, value: str
) -> None:
    path = tmp_path / "register.ropa"
    with Register.open(path) as register:
        register.activities.create(sample_activity(reference="HR-001", name="Payroll"))
        register.activities.create(sample_activity(reference="HR-002", name="Pensions"))
    with closing(sqlite3.connect(path)) as other_program, other_program:
        other_program.execute(
            f"UPDATE activities SET {column} = ? WHERE reference = 'HR-002'", (value,)
        )
    with Register.open(path) as register, pytest.raises(UnreadableValueError) as error:
        register.activity_list.summaries()
    assert f"activity HR-002 “Pensions”: its {column} is “{value}”" in str(error.value)
