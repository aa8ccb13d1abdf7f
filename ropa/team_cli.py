"""`ropa team`: set up a team register on a PostgreSQL server and say who is in which role.

ropa team init URL --dpo LOGIN                      make the database at URL a team
                                                    register (run with the IT team's
                                                    administrator login), LOGIN its first DPO
ropa team add-user LOGIN --role viewer|editor|dpo [--function NAME]... --db URL
ropa team list --db URL
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from db.server import is_server_url, server_url_problem, without_password
from db.storage_options import StorageOptions
from ropa.errors import ValidationError
from ropa.register import Register
from ropa.sanitise import for_terminal
from ropa.team import ROLE_WORDS, TeamService, init_team_register

EXIT_OK = 0


def add_team_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    db_option: argparse.ArgumentParser,
    wait_option: argparse.ArgumentParser,
) -> None:
    """The `team` command and its steps; `db_option` and `wait_option` are the command
    line's --db and --wait (ropa/cli.py), which every step that opens a register takes."""
    team = commands.add_parser(
        "team", help="a team register on a PostgreSQL server: set it up, add people, list them"
    )
    steps = team.add_subparsers(dest="team_command", metavar="STEP", required=True)
    init = steps.add_parser(
        "init",
        parents=[wait_option],
        help="make the database at URL a team register (creating the register if it is "
        "empty) or bring it up to date; run with the IT team's administrator login",
    )
    init.add_argument("url", metavar="URL", help="postgresql://ADMIN@HOST:PORT/DATABASE")
    init.add_argument(
        "--dpo",
        metavar="LOGIN",
        help="a person's own login to make a DPO of the register (needed the first time)",
    )
    add_user = steps.add_parser(
        "add-user",
        parents=[db_option, wait_option],
        help="give a login a role in the register at --db (replacing the role it had)",
    )
    add_user.add_argument("login", metavar="LOGIN", help="the name the person signs in with")
    add_user.add_argument("--role", required=True, choices=["viewer", "editor", "dpo"])
    add_user.add_argument(
        "--function",
        action="append",
        default=[],
        metavar="NAME",
        help="a business function whose activities an editor may change (repeatable)",
    )
    steps.add_parser(
        "list", parents=[db_option, wait_option], help="who is in which role, and their functions"
    )


def run_team(args: argparse.Namespace, db_location: Path | str, options: StorageOptions) -> int:
    """Run a `team` step; `options`: the command line's, waiting for a busy register as
    --wait says."""
    if args.team_command == "init":
        url = _server_url(args.url)
        shown = without_password(url)
        done = init_team_register(url, args.dpo, options=options)
        print(
            for_terminal(
                f"{shown} is a team register, owned by the role {done.owner}, which nobody "
                f"signs in as; its DPOs: {', '.join(done.dpos)}. {done.administrator} is no "
                f"member of it and has no role in it. Add people with: ropa team add-user "
                f"LOGIN --role viewer|editor|dpo --db postgresql://DPO@HOST:PORT/{done.database}"
            )
        )
        return EXIT_OK
    url = _server_url(db_location)
    with Register.open(url, options=options, create=False) as register:
        team = TeamService(register)
        if args.team_command == "add-user":
            member = team.add_user(args.login, args.role, args.function)
            words = ROLE_WORDS[member.role].split(", ", 1)[0]
            detail = f" of {', '.join(member.functions)}" if member.functions else ""
            print(for_terminal(f"{member.login} is now {words}{detail}."))
            for name in team.unknown_functions(member.functions):
                print(
                    for_terminal(
                        f"Note: no activity belongs to the business function \u201c{name}\u201d "
                        "yet; check the spelling if you expected some."
                    ),
                    file=sys.stderr,
                )
            return EXIT_OK
        for member in team.members():
            functions = f"  {', '.join(member.functions)}" if member.functions else ""
            cannot = "" if member.can_sign_in else "  (cannot sign in)"
            outside = (
                f"  (given outside ROPA desk by {member.given_outside_by}: the history has no "
                "line for it)"
                if member.given_outside_by
                else ""
            )
            print(for_terminal(f"{member.login}\t{member.role}{functions}{cannot}{outside}"))
        return EXIT_OK


def _server_url(location: Path | str) -> str:
    if not is_server_url(location):
        raise ValidationError(
            f"{location} is not a team register's address. Give the server's URL, such as "
            "postgresql://LOGIN@HOST:PORT/DATABASE (with --db for add-user and list)."
        )
    if problem := server_url_problem(str(location)):
        raise ValidationError(problem)
    return str(location)
