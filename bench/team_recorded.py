"""What the commit-time history check costs an editor: the same work on one team register with
the `team_recorded` triggers (db/team_security.py) and without them.

    python -m bench.team_recorded [--url MAINTENANCE_URL] [--activities N]

One team register on one server (a throwaway cluster unless --url or ROPA_TEST_POSTGRES_URL
names one), an editor of one business function.  Rounds alternate: with the check (as `ropa
team init` sets it up), then with its triggers dropped by the tables' owner, twice over; the
figures are the medians per state, and the ratio is printed.  A DPO's work is not checked.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid

from bench.team import new_database, server
from bench.team_roles import login_that_may_create_roles
from db.team_security import ACTIVITY_TABLES
from ropa.records import ActivityRecord, RetentionEntry, TransferEntry
from ropa.register import Register
from ropa.team import TeamService, init_team_register
from tests.helpers.team_register import as_login, database_of

FUNCTION = "Function 1"
EDITS = 40


def own_activities(count: int, round_number: int) -> list[ActivityRecord]:
    return [
        ActivityRecord(
            name=f"Activity {round_number}-{number}",
            business_function=FUNCTION,
            transfers=[TransferEntry("Canada", "adequacy", "")],
            retention=[RetentionEntry("6 years", "from the end of the contract", "")],
        )
        for number in range(count)
    ]


def editor_round(url: str, activities: int, round_number: int) -> tuple[float, float]:
    """An editor's insert of `activities` (one transaction) and one-field save (per save)."""
    with Register.open(url) as register:
        start = time.perf_counter()
        created = register.activities.create_many(own_activities(activities, round_number))
        insert = time.perf_counter() - start
        ids = created[:EDITS]
        start = time.perf_counter()
        for activity_id in ids:
            register.activities.update(activity_id, {"owner": f"Owner {round_number}"})
        save = (time.perf_counter() - start) / len(ids)
    return insert, save


def drop_check(owner_url: str) -> None:
    import psycopg

    with psycopg.connect(owner_url, autocommit=True) as owner:
        for table in ACTIVITY_TABLES:
            owner.execute(f"DROP TRIGGER team_recorded ON public.{table}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("ROPA_TEST_POSTGRES_URL"))
    parser.add_argument("--activities", type=int, default=2000)
    args = parser.parse_args()
    figures: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    with (
        server(args.url) as maintenance,
        login_that_may_create_roles(maintenance) as owner,
        new_database(maintenance) as database,
    ):
        import psycopg

        with psycopg.connect(maintenance, autocommit=True) as admin:
            name = database_of(database)
            admin.execute(f'ALTER DATABASE "{name}" OWNER TO "{owner}"')
        owner_url = as_login(database, owner)
        init_team_register(owner_url)
        editor = f"ropa_bench_editor_{uuid.uuid4().hex[:8]}"
        with Register.open(owner_url) as register:
            TeamService(register).add_user(editor, "editor", [FUNCTION])
        editor_url = as_login(database, editor)
        editor_round(editor_url, 100, 0)  # warm the caches and the plans
        for round_number in range(1, 5):
            checked = round_number % 2 == 1
            if checked:
                init_team_register(owner_url)  # puts the triggers back
            else:
                drop_check(owner_url)
            figures[checked].append(editor_round(editor_url, args.activities, round_number))
    with_check = [statistics.median(values) for values in zip(*figures[True], strict=True)]
    without = [statistics.median(values) for values in zip(*figures[False], strict=True)]
    print("An editor's work on a team register, with / without the history check (2 rounds):")
    print(
        f"  insert {args.activities:,} activities   {with_check[0]:.2f} s / {without[0]:.2f} s"
        f"  = {with_check[0] / without[0]:.2f}x"
    )
    print(
        f"  save one field            {with_check[1] * 1000:.1f} ms / {without[1] * 1000:.1f} ms"
        f"  = {with_check[1] / without[1]:.2f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
