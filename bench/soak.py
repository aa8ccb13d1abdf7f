"""Soak: the app's way of saving, for minutes, while the command line works on the same file.

    python -m bench.soak [--seconds 180] [--folder DIR] [--sqlite-in-process]

Three processes on one real register file, as a DPO's machine has them:

- the saver (`bench.soak save`) opens the register as the app does (SQLite in a helper
  process, every save confirmed on the file from another process), and saves again and again,
  in rounds of three saves: it creates an activity, changes another's description, and
  deletes the activity it created WINDOW rounds before (so the register stays the size of a
  real one while every kind of save is tried). After each round it does what the app's file
  dialogs and the app itself do to the file: Qt's QMimeDatabase guesses its type (reading
  it) and a plain open reads its header. It never closes the register and ends with
  os._exit, as a crash would;
- the command line (`bench.soak cli`) runs every ROPA desk command in a loop on the same file:
  check, export (controller and processor), notices in every format, an import of a small
  workbook and a dry run of it;
- then this process reads the file: its integrity, and whether every save the saver was told
  had reached the file is there (each created activity still inside the window, none of the
  deleted ones, the last description).

It prints one line per figure and ends with status 1 if any save was lost, the file failed its
integrity check, or a command failed in a way a user would see.  With --sqlite-in-process
the saver runs SQLite in its own process and does not confirm saves, as the app did before
(the control: saves are lost there). tests/unit/test_soak.py runs it for a short while in
the suite; docs/reliability.md has the figures of longer runs.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections import deque
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ropa.records import ActivityRecord

REPO = Path(__file__).resolve().parents[1]
SOAK_PREFIX = "SOAK-"
CHANGED_REFERENCE = "SOAK-CHANGED"
WINDOW = 40  # rounds an activity the saver created lives before it deletes it
# However slow the machine, the saver goes on until it has deleted, and the command line runs
# every command once: what the soak proves does not depend on how busy the machine is.
MINIMUM_SAVER_ROUNDS = WINDOW + 2


@dataclass
class SaverReport:
    saves: int = 0  # each confirmed (or, in process, returned)
    rounds: int = 0  # whole rounds: the activities SOAK-000001 .. SOAK-<rounds> were created
    last_description: str = ""
    not_confirmed: list[str] = field(default_factory=list)
    other_errors: list[str] = field(default_factory=list)
    file_guesses: int = 0


@dataclass
class CommandsReport:
    runs: int = 0
    rounds: int = 0
    failures: list[str] = field(default_factory=list)


# --- the saver --------------------------------------------------------------------------


def _guess_file(path: Path) -> None:
    """What the app's process does to the register beside SQLite: Qt reads it to guess its
    type (each call with a fresh database, so nothing is cached), and Register.open's header
    check reads it with a plain open."""
    from PySide6.QtCore import QMimeDatabase

    QMimeDatabase().mimeTypeForFile(str(path))
    with path.open("rb") as handle:
        handle.read(100)


def _activity(reference: str, name: str) -> ActivityRecord:
    from bench.register_data import synthetic_activity

    return replace(synthetic_activity(0, random.Random(reference)), reference=reference, name=name)


def save_loop(path: Path, seconds: float, apart: bool = True) -> SaverReport:
    from db.storage_options import StorageOptions
    from ropa.errors import RopaError, SaveNotConfirmedError
    from ropa.register import Register
    from ui.app import make_application

    make_application()
    register = Register.open(path, options=StorageOptions(sqlite_apart=apart, confirm_saves=apart))
    report = SaverReport()
    changed = register.activities.create(_activity(CHANGED_REFERENCE, "Changed on every save"))
    changed_id, version = changed.id, changed.version
    assert changed_id is not None
    created: deque[int] = deque()  # ids of the activities made in the last WINDOW rounds
    deadline = time.monotonic() + seconds
    while report.rounds < MINIMUM_SAVER_ROUNDS or time.monotonic() < deadline:
        number = report.rounds + 1
        description = f"Description as of round {number}"
        try:
            made = register.activities.create(_activity(_reference(number), f"Save {number}"))
            assert made.id is not None
            created.append(made.id)
            report.saves += 1
            version = register.activities.update(
                changed_id, {"description": description}, expected_version=version
            ).version
            report.saves += 1
            report.last_description = description
            if len(created) > WINDOW:
                register.activities.delete([created[0]])
                created.popleft()
                report.saves += 1
        except SaveNotConfirmedError as error:
            report.not_confirmed.append(str(error))
            break
        except RopaError as error:
            # The register said no (busy, say); the user would be told, and the soak ends
            # rather than guess what the file should hold.
            report.other_errors.append(f"round {number}: {error}")
            break
        report.rounds = number
        _guess_file(path)
        report.file_guesses += 1
    return report


# --- the command line -------------------------------------------------------------------


def _commands(path: Path, out: Path, workbook: Path) -> list[list[str]]:
    db = ["--db", str(path)]
    return [
        ["check", *db],
        ["export", str(out / "controller.xlsx"), *db],
        ["export", str(out / "processor.xlsx"), "--processor", *db],
        ["notice", str(out / "notice.md"), *db],
        ["notice", str(out / "notice.html"), "--layer", "short", *db],
        ["notice", str(out / "notice.txt"), "--audience", "children", *db],
        ["notice", str(out / "notice.docx"), *db],
        ["notice", str(out / "notice.pdf"), *db],
        ["import", str(workbook), "--dry-run", *db],
        ["import", str(workbook), *db],
    ]


def _small_workbook(folder: Path) -> Path:
    """A short hand-made workbook in the ICO layout, for the import in the loop."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Record of processing", None, None, None])
    sheet.append(
        [
            "Business function",
            "Purpose of processing",
            "Categories of individuals",
            "Categories of personal data",
            "Retention schedule (if possible)",
        ]
    )
    sheet.append(["Libraries", "Lending books", "Members", "Name, address", "2 years"])
    sheet.append(["Parking", "Issuing permits", "Residents", "Name, vehicle", "6 years"])
    path = folder / "small.xlsx"
    workbook.save(path)
    return path


def command_loop(path: Path, seconds: float, stop_file: Path) -> CommandsReport:
    from main import main as ropa_main  # the ropa command itself, PDF writer included

    report = CommandsReport()
    with tempfile.TemporaryDirectory(prefix="ropa-soak-") as folder:
        out = Path(folder)
        commands = _commands(path, out, _small_workbook(out))
        deadline = time.monotonic() + seconds
        while report.rounds == 0 or (time.monotonic() < deadline and not stop_file.exists()):
            for arguments in commands:
                said = io.StringIO()  # what the command told the user on stderr
                with (
                    Path(os.devnull).open("w") as quiet,
                    contextlib.redirect_stdout(quiet),
                    contextlib.redirect_stderr(said),
                ):
                    try:
                        status = ropa_main(arguments)
                    except BaseException:  # a soak counts every failure, SystemExit too
                        status = -1
                        report.failures.append(f"{arguments[0]}: {traceback.format_exc()}")
                report.runs += 1
                # check ends with 1 when the register has error-level gaps; that is its answer.
                if status not in (0, 1) or (status == 1 and arguments[0] != "check"):
                    report.failures.append(
                        f"{' '.join(arguments[:2])}: exit status {status}: {said.getvalue()}"
                    )
            report.rounds += 1
    return report


# --- the run ----------------------------------------------------------------------------


def _run_part(part: str, path: Path, seconds: float, stop_file: Path) -> subprocess.Popen[str]:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-m", "bench.soak", part, str(path), str(seconds), str(stop_file)],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
    )


def _last_json_line(process: subprocess.Popen[str], timeout: float) -> dict[str, object]:
    output, _ = process.communicate(timeout=timeout)
    lines = [line for line in output.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"a soak process ended with status {process.returncode} and no report")
    loaded: dict[str, object] = json.loads(lines[-1])
    return loaded


def read_back(path: Path) -> tuple[str, set[str], str | None]:
    """What a third process finds in the file once the saver has died: its integrity check,
    the references of the saver's activities, the changed activity's description."""
    connection = sqlite3.connect(path)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        references = {
            row[0]
            for row in connection.execute(
                "SELECT reference FROM activities WHERE reference LIKE ? AND reference != ?",
                (f"{SOAK_PREFIX}%", CHANGED_REFERENCE),
            )
        }
        description = connection.execute(
            "SELECT description FROM activities WHERE reference = ?", (CHANGED_REFERENCE,)
        ).fetchone()
    finally:
        connection.close()
    return integrity, references, description[0] if description else None


def _reference(number: int) -> str:
    return f"{SOAK_PREFIX}{number:06d}"


def saves_missing(rounds: int, references: set[str]) -> int:
    """How many of the saver's creations and deletions the file does not show, after `rounds`
    whole rounds; the round in flight when the saver ended may be there in part."""
    expected = {_reference(number) for number in range(max(1, rounds - WINDOW + 1), rounds + 1)}
    in_flight = {_reference(rounds + 1), _reference(rounds + 1 - WINDOW)}
    return len(expected - references - in_flight) + len(references - expected - in_flight)


def soak(folder: Path, seconds: float, apart: bool = True) -> dict[str, object]:
    from ropa.demo import write_demo

    path = folder / "soak.ropa"
    write_demo(path).close()
    stop_file = folder / "stop"
    started = time.monotonic()
    commands = _run_part("cli", path, seconds, stop_file)
    saver = _run_part("save" if apart else "save-in-process", path, seconds, stop_file)
    saved = _last_json_line(saver, seconds + 300)
    stop_file.touch()
    ran = _last_json_line(commands, 600)
    integrity, references, description = read_back(path)
    rounds = int(str(saved["rounds"]))
    return {
        "seconds": round(time.monotonic() - started, 1),
        "saves": saved["saves"],
        "rounds": rounds,
        "file_guesses": saved["file_guesses"],
        "saves_lost": saves_missing(rounds, references),
        "last_change_kept": description == saved["last_description"],
        "not_confirmed": saved["not_confirmed"],
        "save_errors": saved["other_errors"],
        "command_runs": ran["runs"],
        "command_rounds": ran["rounds"],
        "command_failures": ran["failures"],
        "integrity": integrity,
    }


def passed(result: dict[str, object]) -> bool:
    return (
        result["saves_lost"] == 0
        and result["last_change_kept"] is True
        and result["integrity"] == "ok"
        and not result["not_confirmed"]
        and not result["command_failures"]
    )


def main(argv: list[str]) -> int:
    if argv and argv[0] in {"save", "save-in-process", "cli"}:
        path, seconds, stop_file = Path(argv[1]), float(argv[2]), Path(argv[3])
        if argv[0].startswith("save"):
            saved = save_loop(path, seconds, apart=argv[0] == "save")
            print(json.dumps(asdict(saved)), flush=True)
            os._exit(0)  # no close, no clean-up: as a crash would leave it
        print(json.dumps(asdict(command_loop(path, seconds, stop_file))), flush=True)
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--sqlite-in-process", action="store_true")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ropa-soak-") as scratch:
        result = soak(
            options.folder or Path(scratch), options.seconds, apart=not options.sqlite_in_process
        )
    for name, value in result.items():
        print(f"{name}: {value}")
    return 0 if passed(result) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
