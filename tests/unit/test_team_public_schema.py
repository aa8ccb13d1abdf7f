"""Nobody but the register's owner role creates anything in the register database's schema
`public`, where the app's own tables live and its statements find their functions and
operators.

A function or operator planted there runs as whoever's statement finds it: an editor's
`public.<>` for two varchar values was chosen over the built-in one by a DPO's publish, ran
as the DPO and made the editor a DPO, with the history naming the DPO (a review's attack, on
a cluster where PUBLIC could create in `public`, as PostgreSQL before 15 allowed by default
and pg_upgrade keeps). `team init` takes that right away, refuses where it cannot, and refuses
a register database holding such objects already, naming them.
"""

from __future__ import annotations

import psycopg
import pytest

from ropa.team import init_team_register
from ropa.team_refusals import TeamPermissionError
from tests.helpers.team_register import Logins, Team, as_login, database_of, make_team
from tests.postgres import with_database


def _as_superuser(server: str, database: str, *statements: str) -> None:
    with psycopg.connect(with_database(server, database), autocommit=True) as admin:
        for statement in statements:
            admin.execute(statement)


_TROJAN = (
    "CREATE FUNCTION public.trojan_ne(varchar, varchar) RETURNS boolean "
    "LANGUAGE sql AS 'SELECT $1::text <> $2::text'"
)


def test_a_member_cannot_create_in_public_even_where_everyone_once_could(
    logins: Logins, postgres_url: str, postgres_server: str
) -> None:
    # As on a cluster made by PostgreSQL 14 or before and upgraded.
    _as_superuser(
        postgres_server, database_of(postgres_url), "GRANT CREATE ON SCHEMA public TO PUBLIC"
    )
    team = make_team(logins, postgres_url)
    for login in (team.editor, team.viewer, team.dpo):
        with (
            psycopg.connect(team.url_for(login), autocommit=True) as member,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            member.execute(_TROJAN)


def test_init_refuses_where_it_cannot_take_the_right_away(
    logins: Logins, postgres_url: str, postgres_server: str
) -> None:
    """The schema belongs to the server's superuser there (as pg_upgrade leaves it), so the
    administrator login cannot revoke what the superuser granted: said, and nothing set up."""
    database = database_of(postgres_url)
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        (superuser,) = admin.execute("SELECT current_user").fetchone() or ("",)
    _as_superuser(
        postgres_server,
        database,
        f'ALTER SCHEMA public OWNER TO "{superuser}"',
        "GRANT CREATE ON SCHEMA public TO PUBLIC",
    )
    admin_login = logins.make("admin", "CREATEROLE")
    dpo = logins.make("dpo")
    admin_url = logins.owned_database(postgres_url, admin_login)
    with pytest.raises(TeamPermissionError) as refused:
        init_team_register(admin_url, dpo)
    said = str(refused.value)
    assert "anyone who can sign in to the server may create functions and operators" in said
    assert "REVOKE CREATE ON SCHEMA public FROM PUBLIC" in said
    assert "Nothing was changed" in said
    with psycopg.connect(as_login(admin_url, admin_login)) as check:
        found = check.execute("SELECT to_regnamespace('ropa_team')").fetchone()
    assert found == (None,)


def test_init_refuses_a_register_with_a_function_someone_else_planted_in_public(
    team: Team, postgres_server: str
) -> None:
    database = database_of(team.url)
    _as_superuser(
        postgres_server,
        database,
        _TROJAN,
        f'ALTER FUNCTION public.trojan_ne(varchar, varchar) OWNER TO "{team.editor}"',
        "CREATE OPERATOR public.<> (LEFTARG = varchar, RIGHTARG = varchar, "
        "FUNCTION = public.trojan_ne)",
        f'ALTER OPERATOR public.<> (varchar, varchar) OWNER TO "{team.editor}"',
    )
    with pytest.raises(TeamPermissionError) as refused:
        init_team_register(as_login(team.url, team.admin))
    said = str(refused.value)
    assert (
        f"public.<>(character varying, character varying) (operator, {team.editor}); "
        f"public.trojan_ne(character varying, character varying) (function, {team.editor})"
    ) in said
    assert "Nothing was changed" in said


def test_a_register_set_up_by_an_earlier_version_says_its_protections_are_older(
    team: Team, postgres_server: str
) -> None:
    """The protections (who may create what, the guards, the history) reach a team register
    only when `team init` runs again: until then, opening it says so, in the app's opening
    notes and on the command line, and what to do; after it, nothing is said."""
    from ropa.register import Register
    from tests.helpers.cli import run_ropa

    with Register.open(team.url) as register:
        assert register.team_note == ""
    # As a register set up before the protections carried their version.
    _as_superuser(
        postgres_server, database_of(team.url), "DROP FUNCTION ropa_team.protections_version()"
    )
    with Register.open(team.url) as register:
        note = register.team_note
    assert "set up by an earlier version of ROPA desk" in note
    assert "ask the IT team to run ropa team init" in note
    checked = run_ropa("check", "--db", team.url)
    assert "set up by an earlier version of ROPA desk" in checked.stderr
    init_team_register(as_login(team.url, team.admin))
    with Register.open(team.url) as register:
        assert register.team_note == ""
