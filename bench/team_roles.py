"""What a team register's roles cost: the same work on a plain server register and a team one.

    python -m bench.team_roles [--url MAINTENANCE_URL] [--activities N]

Both registers live on the same server (a throwaway cluster unless --url or
ROPA_TEST_POSTGRES_URL names one), in databases owned by one login that may create roles, as
the README's set-up has it; the team register is then made by `ropa team init`, so its every
statement meets the grants, the row-level security policies and the guard triggers
(db/team_security.py). Measured as that login (a DPO) and, on the team register, as an editor
of one business function. The plain register is the baseline; the ratio is printed.
"""

from __future__ import annotations

import argparse
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from bench.team import new_database, server
from bench.timing import median_of
from ropa.records import ActivityRecord, RetentionEntry, TransferEntry
from ropa.register import Register
from ropa.team import TeamService, init_team_register
from tests.helpers.team_register import as_login, database_of

RUNS = 7
EDITS = 40


def synthetic(count: int) -> list[ActivityRecord]:
    return [
        ActivityRecord(
            name=f"Activity {number}",
            business_function=f"Function {number % 20}",
            purposes=[f"Purpose {number % 50}"],
            transfers=[TransferEntry("Canada", "adequacy", "")],
            retention=[RetentionEntry("6 years", "from the end of the contract", "")],
        )
        for number in range(count)
    ]


@contextmanager
def login_that_may_create_roles(maintenance: str) -> Iterator[str]:
    import psycopg

    login = f"ropa_bench_dpo_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{login}" LOGIN CREATEROLE')
    try:
        yield login
    finally:
        with psycopg.connect(maintenance, autocommit=True) as admin:
            rows = admin.execute(
                "SELECT rolname FROM pg_roles WHERE rolname LIKE 'ropa\\_ropa\\_bench\\_%' "
                "OR rolname LIKE 'ropa\\_bench\\_editor\\_%'"
            ).fetchall()
            for (name,) in [*rows, (login,)]:
                admin.execute(f'DROP ROLE IF EXISTS "{name}"')


def measure(url: str, activities: int, editor: str | None) -> dict[str, float]:
    """Insert, list and one-field saves on the register at `url` (as its owner), and the same
    saves as `editor` when one is given."""
    figures: dict[str, float] = {}
    with Register.open(url) as register:
        register.activities.create_many(synthetic(100))  # warm the caches and the plans
        figures["insert"], _ = median_of(
            lambda: register.activities.create_many(synthetic(activities)), 1
        )
        figures["list"], summaries = median_of(register.activity_list.summaries, RUNS)
        own = [s.id for s in summaries if s.business_function == "Function 1"][:EDITS]
        figures["save"] = _saves(register, own)
        if editor is not None:
            TeamService(register).add_user(editor, "editor", ["Function 1"])
    if editor is not None:
        with Register.open(as_login(url, editor)) as register:
            figures["editor save"] = _saves(register, own)
    return figures


def _saves(register: Register, ids: list[int]) -> float:
    counter = iter(range(10**6))
    return median_of(
        lambda: [register.activities.update(i, {"owner": f"Owner {next(counter)}"}) for i in ids],
        3,
    )[0] / max(len(ids), 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("ROPA_TEST_POSTGRES_URL"))
    parser.add_argument("--activities", type=int, default=5000)
    args = parser.parse_args()
    with server(args.url) as maintenance, login_that_may_create_roles(maintenance) as owner:
        results = {}
        for kind in ("plain", "team"):
            with new_database(maintenance) as database:
                import psycopg

                with psycopg.connect(maintenance, autocommit=True) as admin:
                    name = database_of(database)
                    admin.execute(f'ALTER DATABASE "{name}" OWNER TO "{owner}"')
                url = as_login(database, owner)
                editor = None
                if kind == "team":
                    # Set up by the administrator login (the owner of the database), with
                    # the DPO's and the editor's own logins, as the README has it.
                    dpo = f"ropa_bench_editor_{uuid.uuid4().hex[:8]}_dpo"
                    editor = f"ropa_bench_editor_{uuid.uuid4().hex[:8]}"
                    with psycopg.connect(maintenance, autocommit=True) as admin:
                        for login in (dpo, editor):
                            admin.execute(f'CREATE ROLE "{login}" LOGIN')
                    init_team_register(url, dpo)
                    url = as_login(database, dpo)
                results[kind] = measure(url, args.activities, editor)
    plain, team = results["plain"], results["team"]
    print(f"{args.activities:,} activities, a DPO's work; team register / plain register:")
    print(
        f"  insert (create_many)   {team['insert']:.2f} s / {plain['insert']:.2f} s  "
        f"= {team['insert'] / plain['insert']:.2f}x"
    )
    print(
        f"  list (median of {RUNS})     {team['list'] * 1000:.1f} ms / "
        f"{plain['list'] * 1000:.1f} ms  = {team['list'] / plain['list']:.2f}x"
    )
    print(
        f"  save one field         {team['save'] * 1000:.1f} ms / {plain['save'] * 1000:.1f} ms  "
        f"= {team['save'] / plain['save']:.2f}x"
    )
    print(
        f"  an editor's save       {team['editor save'] * 1000:.1f} ms / "
        f"{plain['save'] * 1000:.1f} ms (the DPO's on the plain register)  "
        f"= {team['editor save'] / plain['save']:.2f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
