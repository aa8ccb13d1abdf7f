"""How long a save or read waits for a register another person or program is saving is the
StorageOptions' busy_wait_seconds (db/storage_options.py), and the command line's --wait:
the wait asked for is really waited (not a fast failure, not the default), a lock released
within it lets the change through, and the app's own wait stays 5 s.

Real register files held by a real second connection, real helper processes, a real
PostgreSQL server (the team register's writer lock, its advisory lock and a table lock),
and the `ropa` command as a real process.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from db.hosted import ANSWER_LIMIT
from db.server import STATEMENT_LIMIT_MS
from db.storage_options import (
    LONGEST_BUSY_WAIT_SECONDS,
    SQLITE_IN_PROCESS,
    StorageOptions,
)
from ropa.cli import build_parser
from ropa.errors import RegisterBusyError
from ropa.register import Register
from tests.helpers.cli import run_ropa
from tests.helpers.lock_holder import held_by_another_program
from tests.helpers.register_files import copy_register_file
from tests.helpers.team_register import Team
from tests.helpers.waits import SHORT_WAIT_ARGUMENTS, with_short_wait

# --- the option itself --------------------------------------------------------------------


@pytest.mark.parametrize("seconds", [0, -1, 0.0, math.nan, math.inf, 30.5, "5", True])
def test_a_wait_that_is_not_a_sensible_number_of_seconds_is_refused(seconds: Any) -> None:
    with pytest.raises(ValueError, match="The wait for a busy register must be"):
        StorageOptions(busy_wait_seconds=seconds)


def test_the_longest_wait_ends_before_anything_else_would_end_it() -> None:
    """A longer wait would be cut short by the helper process's answer limit or the
    server's statement limit, and worded as a hung drive or a slow statement."""
    assert LONGEST_BUSY_WAIT_SECONDS < ANSWER_LIMIT
    assert LONGEST_BUSY_WAIT_SECONDS * 1000 < STATEMENT_LIMIT_MS
    assert StorageOptions(busy_wait_seconds=LONGEST_BUSY_WAIT_SECONDS).busy_wait_ms == 30_000
    assert StorageOptions(busy_wait_seconds=0.0004).busy_wait_ms == 1  # never 0: "no limit"


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("0", "more than 0 and at most 30 seconds, not 0"),
        ("-2", "more than 0 and at most 30 seconds, not -2"),
        ("31", "more than 0 and at most 30 seconds, not 31"),
        ("soon", "'soon' is not a number of seconds"),
        ("nan", "not nan"),
    ],
)
def test_the_command_line_refuses_a_bad_wait_by_name(
    value: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["check", "--wait", value])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert "argument --wait" in error and said in error


def test_every_command_that_opens_a_register_takes_the_wait() -> None:
    parser = build_parser()
    for command in (
        ["import", "in.xlsx"],
        ["export", "out.xlsx"],
        ["notice", "n.md"],
        ["check"],
        ["demo", "d.ropa"],
        ["copy", "a.ropa", "b.ropa"],
        ["team", "init", "postgresql://admin@host/db"],
        ["team", "add-user", "bob", "--role", "viewer"],
        ["team", "list"],
    ):
        args = parser.parse_args([*command, "--wait", "2.5"])
        assert args.wait == 2.5, command
    from ropa.cli import storage_options_for

    assert storage_options_for(argparse.Namespace()) is SQLITE_IN_PROCESS
    chosen = storage_options_for(parser.parse_args(["check", "--wait", "12"]))
    assert chosen == dataclasses.replace(SQLITE_IN_PROCESS, busy_wait_seconds=12.0)


# --- a register file held by another writer -----------------------------------------------


@contextmanager
def file_held(path: Path) -> Iterator[sqlite3.Connection]:
    """Another program saving to the register: it holds the write lock until rolled back."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()


def _timed(action: Callable[[], object]) -> tuple[float, BaseException | None]:
    started = time.monotonic()
    try:
        action()
    except Exception as error:
        return time.monotonic() - started, error
    return time.monotonic() - started, None


def _released_after(seconds: float, release: Callable[[], object]) -> threading.Timer:
    timer = threading.Timer(seconds, release)
    timer.start()
    return timer


@pytest.fixture
def register_file(tmp_path: Path, _new_register_file: Path) -> Path:
    return copy_register_file(_new_register_file, tmp_path / "held.ropa")


def test_a_save_waits_as_long_as_asked_then_is_refused(
    register_file: Path, storage_way: StorageOptions
) -> None:
    options = with_short_wait(storage_way)
    with Register.open(register_file, options=options) as register, file_held(register_file):
        took, error = _timed(lambda: register.organisation.update({"name": "Waited"}))
        assert isinstance(error, RegisterBusyError), error
        assert "someone else is saving" in str(error)
        assert 0.95 <= took < 3, f"refused after {took:.2f} s"
        assert register.organisation.get().name == ""


def test_a_lock_released_within_the_wait_lets_the_save_through(
    register_file: Path, storage_way: StorageOptions
) -> None:
    options = dataclasses.replace(storage_way, busy_wait_seconds=3.0)
    with Register.open(register_file, options=options) as register:
        with file_held(register_file) as other:
            timer = _released_after(0.5, lambda: other.execute("ROLLBACK"))
            took, error = _timed(lambda: register.organisation.update({"name": "Waited"}))
            timer.join()
        assert error is None
        assert 0.45 <= took < 3, f"saved after {took:.2f} s"
        assert register.organisation.get().name == "Waited"


def test_opening_a_register_another_program_keeps_to_itself_says_it_is_in_use(
    register_file: Path, storage_way: StorageOptions
) -> None:
    options = with_short_wait(storage_way)
    before = register_file.read_bytes()
    with held_by_another_program(register_file):
        took, error = _timed(lambda: Register.open(register_file, options=options).close())
    assert isinstance(error, RegisterBusyError), error
    said = str(error)
    assert f"{register_file} is in use by another program" in said
    assert "for the 1 second ROPA desk waited" in said
    assert "nothing shows it is damaged" in said and "damaged (" not in said
    assert 0.95 <= took < 5, f"refused after {took:.2f} s"
    assert register_file.read_bytes() == before
    # Once the other program has let go, the register opens as it is.
    with Register.open(register_file, options=options) as register:
        assert register.organisation.get().name == ""


def test_the_command_line_says_a_register_kept_by_another_program_is_in_use(
    register_file: Path,
) -> None:
    with held_by_another_program(register_file):
        refused = run_ropa("check", "--db", str(register_file), *SHORT_WAIT_ARGUMENTS)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert f"{register_file} is in use by another program" in refused.stderr
    assert "cannot be read" not in refused.stderr and "damaged (" not in refused.stderr


def test_the_apps_and_the_command_lines_wait_is_five_seconds(register_file: Path) -> None:
    """The one test that waits the real 5 s: the app's storage (SQLite in its helper
    process) and the command line's (in this process), side by side on one held file."""
    from db.hosted import stop_every_host
    from ui.app import APP_STORAGE

    waited: dict[str, tuple[float, BaseException | None]] = {}

    def save(name: str, register: Register) -> None:
        waited[name] = _timed(lambda: register.organisation.update({"name": name}))

    try:
        with (
            Register.open(register_file, options=APP_STORAGE) as app,
            Register.open(register_file, options=SQLITE_IN_PROCESS) as command_line,
            file_held(register_file),
        ):
            savers = [
                threading.Thread(target=save, args=("app", app)),
                threading.Thread(target=save, args=("command line", command_line)),
            ]
            for saver in savers:
                saver.start()
            for saver in savers:
                saver.join(30)
    finally:
        stop_every_host()
    assert APP_STORAGE.busy_wait_seconds == SQLITE_IN_PROCESS.busy_wait_seconds == 5.0
    for name in ("app", "command line"):
        took, error = waited[name]
        assert isinstance(error, RegisterBusyError), (name, error)
        assert 4.9 <= took < 10, f"the {name} was refused after {took:.2f} s"


# --- a register on a PostgreSQL server ----------------------------------------------------


def _open_with(url: str, seconds: float) -> Register:
    return Register.open(
        url, options=dataclasses.replace(SQLITE_IN_PROCESS, busy_wait_seconds=seconds)
    )


def test_a_team_save_waits_for_the_writer_lock_as_long_as_asked(team: Team) -> None:
    with psycopg.connect(team.url_for(team.editor)) as editor:
        editor.execute("SELECT ropa_team.take_writer_lock()")
        with _open_with(team.url_for(team.dpo), 1.0) as register:
            took, error = _timed(
                lambda: register.activities.update(team.children_id, {"owner": "Waited"})
            )
            assert isinstance(error, RegisterBusyError), error
            # The server's own words name who holds the lock and how long was waited.
            assert f"{team.editor} is saving to it and has not finished after 1 s" in str(error)
            assert 0.95 <= took < 3, f"refused after {took:.2f} s"
        # The server's function reads the wait from the session's setting, which a psql
        # session may set too: a wait of nothing or less is brought up to 1 ms, not "for ever".
        with psycopg.connect(team.url_for(team.dpo)) as psql:
            psql.execute("SELECT set_config('ropa.writer_wait_ms', '-5', true)")
            took, error = _timed(lambda: psql.execute("SELECT ropa_team.take_writer_lock()"))
            assert isinstance(error, psycopg.errors.LockNotAvailable), error
            assert "has not finished after 0.001 s" in str(error) and took < 1
        # Released half a second into a 3 s wait: the save goes through.
        with _open_with(team.url_for(team.dpo), 3.0) as patient:
            timer = _released_after(0.5, editor.rollback)
            took, error = _timed(
                lambda: patient.activities.update(team.children_id, {"owner": "Waited"})
            )
            timer.join()
            assert error is None
            assert 0.45 <= took < 3, f"saved after {took:.2f} s"
            assert patient.activities.get(team.children_id).owner == "Waited"


def test_a_register_without_a_team_waits_for_its_writer_as_asked(
    postgres_register_url: str,
) -> None:
    from db.server import _WRITER_LOCK_KEY

    with _open_with(postgres_register_url, 1.0) as register:
        with register.engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "1s"
            assert connection.exec_driver_sql("SHOW ropa.writer_wait_ms").scalar() == "1000"
        # Another writer of the register holds its writer lock.
        with psycopg.connect(postgres_register_url) as other:
            other.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITER_LOCK_KEY,))
            took, error = _timed(lambda: register.organisation.update({"name": "Waited"}))
            assert isinstance(error, RegisterBusyError), error
            assert 0.95 <= took < 3, f"refused after {took:.2f} s"
            other.rollback()
        assert register.organisation.get().name == ""
    # The command line's and the app's sessions wait 5 s for a lock and for the writer lock.
    with Register.open(postgres_register_url) as default, default.engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "5s"
        assert connection.exec_driver_sql("SHOW ropa.writer_wait_ms").scalar() == "5000"


# --- the command line ---------------------------------------------------------------------


def test_the_command_line_waits_as_long_as_wait_says(register_file: Path, tmp_path: Path) -> None:
    source = tmp_path / "one.csv"
    source.write_text(
        "Business function,Purpose of processing,Categories of individuals\n"
        "Housing,Tenancy management,Tenants\n",
        encoding="utf-8",
    )
    command = ("import", str(source), "--db", str(register_file), *SHORT_WAIT_ARGUMENTS)
    with file_held(register_file):
        started = time.monotonic()
        refused = run_ropa(*command)
        took_refused = time.monotonic() - started
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "is busy: someone else is saving to it. Nothing was changed" in refused.stderr
    assert "The wait for a busy register was set to 1 s; --wait SECONDS sets another." in (
        refused.stderr
    )
    with Register.open(register_file) as register:
        assert register.activity_list.summaries() == []
    # The same command with nobody holding the file: how long the command itself takes.
    started = time.monotonic()
    done = run_ropa(*command)
    took_done = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    with Register.open(register_file) as register:
        (imported,) = register.activity_list.summaries()
    assert "Tenancy management" in imported.name
    # It waited its 1 s (it cannot have answered sooner) and not the default 5 s.
    assert took_refused >= 1.0
    assert took_refused - took_done < 3.5, f"{took_refused:.1f} s against {took_done:.1f} s"
