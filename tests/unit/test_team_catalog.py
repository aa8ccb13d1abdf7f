"""db/team_catalog.py against a real PostgreSQL server: what the catalog says, and role
statements that keep odd names as names.

The team's set-up and membership (tests/unit/test_team_roles.py and the others) run through
these functions too; here each is looked at on its own, inside a transaction that is rolled
back, so that no role outlives the test (CREATE ROLE is transactional in PostgreSQL).
"""

from __future__ import annotations

import psycopg
import pytest

from db import team_catalog as catalog
from db.team_security import TEAM_SCHEMA, roles_for_database
from tests.helpers.team_register import Logins, Team, as_login, database_of
from tests.postgres import with_database

# A name an attacker or a careless script might give: quotes, a semicolon, SQL after it.
ODD_NAME = 'odd "group"; DROP TABLE activities; --'


def test_role_statements_keep_an_odd_name_as_one_name(postgres_url: str, logins: Logins) -> None:
    member = logins.make("member")
    with psycopg.connect(postgres_url) as driver:
        assert catalog.existing_role(driver, ODD_NAME) is None
        catalog.create_group_role(driver, ODD_NAME)
        assert catalog.existing_role(driver, ODD_NAME) == catalog.ExistingRole(
            can_sign_in=False, powerful=False
        )
        catalog.grant_role(driver, ODD_NAME, member)
        (superuser,) = driver.execute("SELECT current_user").fetchone() or ("",)
        assert catalog.members_of_groups(driver, [ODD_NAME]) == [
            catalog.GroupMember(member, ODD_NAME, can_sign_in=True, granted_by=superuser)
        ]
        assert catalog.logins_in_group(driver, ODD_NAME) == (member,)
        assert catalog.memberships_outside(driver, [ODD_NAME], [member]) == []
        assert catalog.memberships_outside(driver, [ODD_NAME], []) == [(ODD_NAME, member)]
        catalog.revoke_roles(driver, [(ODD_NAME, member)])
        assert catalog.logins_in_group(driver, ODD_NAME) == ()
        driver.rollback()
        assert catalog.existing_role(driver, ODD_NAME) is None


def test_a_refused_grant_leaves_the_transaction_usable(postgres_url: str, logins: Logins) -> None:
    # ropa/team.py words the refusal and carries on with the set-up's transaction: the grant
    # runs in a savepoint, so the refusal does not abort the rest.
    plain = logins.make("plain")
    other = logins.make("other")
    with psycopg.connect(as_login(postgres_url, plain)) as driver:
        signed_in = catalog.session_login(driver)
        assert signed_in == catalog.SessionLogin(plain, superuser=False, team=False)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            catalog.grant_set_role(driver, other, plain)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            catalog.revoke_roles(driver, [(other, plain)])
        assert catalog.session_is_member_of(driver, other) is False
        assert catalog.team_schema_exists(driver) is False


def test_a_team_register_is_all_its_owners_until_someone_else_makes_a_table(
    team: Team, postgres_server: str
) -> None:
    database = database_of(team.url)
    roles = roles_for_database(database)
    with psycopg.connect(with_database(postgres_server, database)) as driver:
        assert catalog.team_schema_exists(driver)
        assert catalog.team_roles(driver) == roles
        assert catalog.logins_in_group(driver, roles.dpo) == (team.dpo,)
        assert catalog.objects_not_owned_by(driver, roles.owner) == []
        superuser = catalog.session_login(driver)
        assert superuser.superuser and superuser.team
        driver.execute('CREATE TABLE public."Odd ""table""" (id integer)')
        driver.execute(
            f"CREATE FUNCTION {TEAM_SCHEMA}.extra() RETURNS integer AS 'SELECT 1' LANGUAGE sql"
        )
        assert catalog.objects_not_owned_by(driver, roles.owner) == [
            catalog.OwnedObject("TABLE", 'public."Odd ""table"""', superuser.login),
            catalog.OwnedObject("FUNCTION", f"{TEAM_SCHEMA}.extra()", superuser.login),
        ]
        driver.rollback()
