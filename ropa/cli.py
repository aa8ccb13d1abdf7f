"""The command line: a stable contract that users script and tests use.

    ropa [--db PATH|URL]                               open the desktop app
    ropa import FILE [--db PATH] [--new] [--dry-run] [--report REPORT.xlsx]
                                                       read an ICO controller or processor
                                                       workbook (.xlsx .xlsm .xls .ods .csv);
                                                       --new: make the register --db names
                                                       (without it a mistyped --db is refused)
    ropa export FILE.xlsx [--db PATH] [--processor]    write the ICO controller (or processor)
                                                       workbook
    ropa notice FILE.(md|html|txt|pdf|docx) [--db PATH] [--function NAME]... [--title TEXT]
                [--layer full|short|just-in-time] [--audience adults|children|staff]
                [--by function|activity] [--full-url URL]
    ropa check [--db PATH]                             list gaps; exit 1 when any is an error
    ropa demo PATH                                     write an example register
    ropa copy SOURCE TARGET                            copy a whole register: file or server to
                                                       a new file or an empty server database
    ropa team init URL [--dpo LOGIN] | add-user LOGIN --role viewer|editor|dpo [--function NAME]...
              --db URL | list --db URL               a team register's roles (ropa/team_cli.py)

--db takes a register file or a team register's URL (postgresql://LOGIN@HOST:PORT/DATABASE).
Every command that opens a register takes --wait SECONDS: how long to wait for a register
another person or program is saving before giving up (default 5, at most 30).
Without --db the default register in the user's data folder is used, and made if missing.
Reading commands (check, export, notice) never make, replace or change a register: a missing
or empty (0-byte) file, or a link to a file that is not there, is refused in words.

Exit status: 0 done; 1 rejected input or failed check; 2 usage error.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from db.storage_options import (
    DEFAULT_BUSY_WAIT_SECONDS,
    SQLITE_IN_PROCESS,
    StorageOptions,
    busy_wait_problem,
)
from ropa import __version__
from ropa.errors import NoRegisterError, RegisterBusyError, RegisterFileError, RopaError
from ropa.notice_writers import NoticeWriters
from ropa.paths import default_register_path
from ropa.register import Register, refuse_unusable_path
from ropa.sanitise import for_terminal

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    db_option = argparse.ArgumentParser(add_help=False)
    db_option.add_argument(
        "--db",
        type=register_location,
        default=argparse.SUPPRESS,
        metavar="PATH|URL",
        help="the register file, or a team register's postgresql://LOGIN@HOST:PORT/DATABASE "
        "(default: your register in the user data folder)",
    )
    # Every command that opens a register takes it (the desktop app keeps its own).
    wait_option = argparse.ArgumentParser(add_help=False)
    wait_option.add_argument(
        "--wait",
        type=wait_seconds,
        default=argparse.SUPPRESS,
        metavar="SECONDS",
        help="how long to wait for a register another person or program is saving before "
        f"giving up (default {DEFAULT_BUSY_WAIT_SECONDS:g})",
    )
    parser = argparse.ArgumentParser(
        prog="ropa",
        description="ROPA desk: keep a UK GDPR Article 30 record of processing activities and "
        "generate the ICO spreadsheets and privacy notices from it.",
        parents=[db_option],
    )
    parser.add_argument("--version", action="version", version=f"ROPA desk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    importing = commands.add_parser(
        "import",
        parents=[db_option, wait_option],
        help="read an ICO controller or processor workbook",
    )
    importing.add_argument("file", type=Path, metavar="FILE.xlsx")
    importing.add_argument(
        "--dry-run", action="store_true", help="show what would be imported and change nothing"
    )
    importing.add_argument(
        "--new",
        action="store_true",
        help="make a new register at --db if there is none (without it, a --db that names "
        "no register is refused, so that a mistyped path does not start a new register)",
    )
    importing.add_argument(
        "--report",
        type=Path,
        metavar="REPORT.xlsx",
        help="also write the import report as a workbook (every cell to check, by sheet)",
    )
    importing.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="HEADING=field",
        help="read the column with this heading as this field (a field name such as "
        "recipients, an ICO heading, 'own' or 'ignore'); may be given many times",
    )
    importing.add_argument(
        "--map-file",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="a file of HEADING=field lines, as --map",
    )
    importing.add_argument(
        "--sheet",
        action="append",
        default=[],
        metavar="SHEET=controller|processor",
        help="read this sheet as the organisation's own processing or as a processor's record",
    )

    exporting = commands.add_parser(
        "export",
        parents=[db_option, wait_option],
        help="write the ICO controller (or processor) workbook",
    )
    exporting.add_argument("file", type=Path, metavar="FILE.xlsx")
    exporting.add_argument(
        "--processor",
        action="store_true",
        help="write the processor workbook (activities where you are processor)",
    )
    exporting.add_argument(
        "--include-retired", action="store_true", help="include retired activities"
    )

    notice = commands.add_parser(
        "notice",
        parents=[db_option, wait_option],
        help="write a privacy notice (md, html, txt, pdf or docx)",
    )
    notice.add_argument("file", type=Path, metavar="FILE")
    notice.add_argument(
        "--function",
        action="append",
        default=[],
        metavar="NAME",
        help="cover the activities of this business function (repeatable); "
        "all activities when none is named",
    )
    notice.add_argument("--title", default=None, metavar="TEXT", help="the notice's title")
    notice.add_argument(
        "--layer",
        choices=["full", "short", "just-in-time"],
        default="full",
        help="the full notice (default), its short first layer, or the text for each form",
    )
    notice.add_argument(
        "--audience",
        choices=["adults", "children", "staff"],
        default="adults",
        help="who the notice is written for (default adults)",
    )
    notice.add_argument(
        "--by",
        choices=["function", "activity"],
        default="",
        help="one section per business function or per activity (default: per business "
        "function; per activity in a children's notice of five activities or fewer)",
    )
    notice.add_argument(
        "--full-url",
        default="",
        metavar="URL",
        help="where the full notice is published (the short layer links to it)",
    )

    commands.add_parser(
        "check",
        parents=[db_option, wait_option],
        help="list gaps; exit status 1 when any is an error",
    )

    demo = commands.add_parser("demo", parents=[wait_option], help="write an example register")
    demo.add_argument("path", type=Path, metavar="PATH")

    copying = commands.add_parser(
        "copy",
        parents=[wait_option],
        help="copy a whole register (file or team register) into a new file or an empty "
        "server database",
    )
    copying.add_argument("source", type=register_location, metavar="SOURCE")
    copying.add_argument("target", type=register_location, metavar="TARGET")

    from ropa.team_cli import add_team_parser

    add_team_parser(commands, db_option, wait_option)
    return parser


def register_location(text: str) -> Path | str:
    """A --db value: a team register's URL as it is, anything else a file path."""
    from db.server import is_server_url, server_url_problem

    if is_server_url(text) and (problem := server_url_problem(text)):
        raise argparse.ArgumentTypeError(problem)
    return text if is_server_url(text) else Path(text)


def wait_seconds(text: str) -> float:
    """A --wait value: seconds, more than 0 and at most the longest wait allowed."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds (for example --wait 10)"
        ) from None
    if problem := busy_wait_problem(seconds):
        raise argparse.ArgumentTypeError(problem)
    return seconds


def storage_options_for(args: argparse.Namespace) -> StorageOptions:
    """The command line's way of keeping registers (SQLite in this process), waiting for a
    busy register as long as --wait says."""
    wait = getattr(args, "wait", None)
    if wait is None:
        return SQLITE_IN_PROCESS
    return dataclasses.replace(SQLITE_IN_PROCESS, busy_wait_seconds=wait)


def main(
    argv: Sequence[str] | None = None,
    *,
    open_app: Callable[[Path | str], int] | None = None,
    notice_writers: NoticeWriters | None = None,
) -> int:
    """Run a command. The composition root (main.py) passes in what needs the desktop layer,
    which this Qt-free package cannot import: `open_app` starts the app on a register, and
    `notice_writers` are the writers `ropa notice` may use (main.py's add PDF, made with
    Qt); without them, the domain's own (md, html, txt, docx)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    explicit_db: Path | str | None = getattr(args, "db", None)
    db_path = explicit_db or default_register_path()
    if args.command is None:
        if open_app is None:
            parser.error("the desktop app starts through the ropa command (main.py)")
        return open_app(db_path)
    handler = (
        functools.partial(_notice, notice_writers=notice_writers)
        if args.command == "notice"
        else _HANDLERS[args.command]
    )
    try:
        options = storage_options_for(args)
        if explicit_db is not None and args.command in _READ_ONLY_COMMANDS:
            _require_existing(explicit_db, options)
        if explicit_db is not None and args.command == "import" and not args.new:
            _require_existing(explicit_db, options, new_option=True)
        if args.command in _REGISTER_COMMANDS and isinstance(db_path, Path):
            refuse_unusable_path(db_path.expanduser())
            _note_shared_drive(db_path)
        return handler(args, db_path)
    except RegisterBusyError as error:
        # Said as what was set, not as what was waited: a server may give up for reasons
        # of its own (its statement limit, or an older register's own writer lock wait).
        waited = storage_options_for(args).busy_wait_seconds
        _say(
            args.command,
            f"{error} (The wait for a busy register was set to {waited:g} s; "
            "--wait SECONDS sets another.)",
        )
        return EXIT_REJECTED
    except RopaError as error:
        _say(args.command, str(error))
        return EXIT_REJECTED
    except KeyboardInterrupt:
        _say(args.command, "stopped; nothing more was changed.")
        return EXIT_REJECTED
    except Exception as error:
        # Never a traceback: the disk's trouble in words when it is that, else what failed.
        _say(args.command, _words_for(error, args, db_path))
        return EXIT_REJECTED


def _say(command: str, message: str) -> None:
    # A message may quote a file name or cell value: it must not drive the terminal.
    print(f"ropa {command}: {for_terminal(message)}", file=sys.stderr)


def _words_for(error: Exception, args: argparse.Namespace, db_path: Path | str) -> str:
    """An error no service put into words: the disk's trouble when it is that (naming the
    file the command was writing), else the error itself and the safe next step."""
    from ropa.errors import storage_problem

    written = getattr(args, "path", None) or getattr(args, "file", None)
    places = [Path(db_path)] if isinstance(db_path, Path) else []
    if args.command in {"demo", "export", "notice"} and isinstance(written, Path):
        places.insert(0, written)
    # A new file (an example register, a workbook, a notice) saves nothing of the register.
    saving = args.command == "import"
    for place in places:
        if problem := storage_problem(error, place.expanduser().absolute(), saving=saving):
            return str(problem)
    detail = str(error).splitlines()[0] if str(error) else ""
    return (
        f"stopped by an error ROPA desk did not expect ({type(error).__name__}: {detail}). "
        "What was saved before is in the register; nothing shows it is damaged. Try again, "
        "and if it happens again, report this message."
    )


# Commands that only read a register: a mistyped --db must not quietly create an empty one.
_READ_ONLY_COMMANDS = {"export", "notice", "check"}


# Commands that open the register at --db.
_REGISTER_COMMANDS = _READ_ONLY_COMMANDS | {"import"}


def _note_shared_drive(path: Path) -> None:
    """Say once, on stderr, that a register on a network share has no write-ahead log."""
    from db.network_drive import network_location
    from ropa.shared_drive import shared_drive_notice

    location = network_location(path)
    if location:
        print(f"ropa: {for_terminal(shared_drive_notice(location))}", file=sys.stderr)


def _require_existing(
    location: Path | str, options: StorageOptions, *, new_option: bool = False
) -> None:
    """Refuse a --db that names no register (a mistyped path), before anything is made."""
    if isinstance(location, str):
        try:
            Register.open(location, options=options, create=False).close()
        except NoRegisterError as error:
            if not new_option:
                raise
            raise RegisterFileError(
                f"{error} Nothing was done. To start a new register there, run the command "
                "again with --new."
            ) from error
        return
    location = location.expanduser()
    refuse_unusable_path(location)
    if location.exists():
        return
    where = f"There is no register at {location}"
    if not location.parent.is_dir():
        where += f": the folder {location.parent} does not exist"
    advice = (
        "Check the path; to start a new register there, run the command again with --new."
        if new_option
        else "Check the path (ropa demo PATH writes an example register)."
    )
    raise RegisterFileError(f"{where}. Nothing was done. {advice}")


def _opened(args: argparse.Namespace, db_path: Path | str, *, reading: bool = False) -> Register:
    """The register, once opened (read-only for the commands that only read, unless its
    schema must first be upgraded), waiting for it as --wait says; what opening found and
    set aside, or could not back up, is said on stderr (the command goes on)."""
    reads_a_file = reading and isinstance(db_path, Path) and db_path.expanduser().exists()
    register = Register.open(db_path, options=storage_options_for(args), reading=reads_a_file)
    for note in (register.side_file_note, register.backup_problem, register.team_note):
        if note:
            print(f"ropa: {for_terminal(note)}", file=sys.stderr)
    return register


def _demo(args: argparse.Namespace, _db_path: Path | str) -> int:
    from ropa.demo import write_demo

    with write_demo(args.path, options=storage_options_for(args)) as register:
        count = len(register.activity_list.summaries())
    print(f"Wrote an example register with {count} activities to {args.path}")
    return EXIT_OK


def _import(args: argparse.Namespace, db_path: Path | str) -> int:
    with _opened(args, db_path) as register:
        from ropa.capabilities import require_import_allowed
        from ropa.spreadsheets.cli import run_import

        require_import_allowed(register)

        return run_import(
            register,
            args.file,
            dry_run=args.dry_run,
            report_path=args.report,
            maps=args.map,
            map_files=args.map_file,
            sheet_roles=args.sheet,
        )


def _export(args: argparse.Namespace, db_path: Path | str) -> int:
    with _opened(args, db_path, reading=True) as register:
        from ropa.spreadsheets.cli import run_export

        return run_export(
            register, args.file, processor=args.processor, include_retired=args.include_retired
        )


def _notice(
    args: argparse.Namespace, db_path: Path | str, *, notice_writers: NoticeWriters | None
) -> int:
    writers = NoticeWriters.domain() if notice_writers is None else notice_writers
    # An unknown format is refused before the register is opened or anything is read.
    writers.writer_for(args.file.suffix)
    with _opened(args, db_path, reading=True) as register:
        from ropa.notices.cli import run_notice

        return run_notice(
            register,
            args.file,
            writers,
            functions=args.function,
            title=args.title,
            layer=args.layer,
            audience=args.audience,
            grouping=args.by,
            full_notice_url=args.full_url,
        )


def _check(args: argparse.Namespace, db_path: Path | str) -> int:
    with _opened(args, db_path, reading=True) as register:
        from ropa.checks.cli import run_check

        return run_check(register)


def _copy(args: argparse.Namespace, _db_path: Path | str) -> int:
    from ropa.copy_register import copy_register, shown_location
    from ropa.team import set_up_team_after_copy

    # Onto a server the copy becomes a team register owned by its owner role (copied by the
    # IT team's administrator login; ropa team init --dpo then names its first DPO).
    counts = copy_register(
        args.source,
        args.target,
        server_setup=set_up_team_after_copy,
        options=storage_options_for(args),
    )
    print(
        f"Copied {shown_location(args.source)} to {shown_location(args.target)}: "
        f"{counts.activities} activities, {counts.changes} history entries"
    )
    return EXIT_OK


def _team(args: argparse.Namespace, db_location: Path | str) -> int:
    from ropa.team_cli import run_team

    return run_team(args, db_location, storage_options_for(args))


# Every command but `notice`, which main() gives the program's notice writers as well.
_HANDLERS: dict[str, Callable[[argparse.Namespace, Path | str], int]] = {
    "demo": _demo,
    "import": _import,
    "export": _export,
    "check": _check,
    "team": _team,
    "copy": _copy,
}


if __name__ == "__main__":
    sys.exit(main())
