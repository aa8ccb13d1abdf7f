"""Two people editing the same activities at the same moment, each from a process of its own.

    python -m bench.team_concurrency [--edits 500] [--db PATH_OR_URL]

Each person (`python -m bench.team_concurrency edit ...`, a process with its own connection)
opens the register, says it is ready, and on the word go makes EDITS edits round three
activities in turn: reads the activity, appends a token ("alice-17") to its notes and saves it
with the version it read. A save that another person's save overtook must be refused as a
conflict, never written over it. Both start together (each waits for the go until both have
opened the register), so their edits overlap however long a process takes to start.

Afterwards every activity's notes must hold exactly the tokens whose saves were reported as
saved (a lost update drops one), its version must count them, and the change history must
hold one notes change per save. Prints one line per figure; status 1 if anything was lost.
Without --db it runs on a new register file; with a PostgreSQL URL, on a team register there
(created if the database is empty). tests/unit/test_team_concurrency.py runs a shorter
version on both backends in the suite; docs/reliability.md has this bench's figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ropa.register import Register

REPO = Path(__file__).resolve().parents[1]
PEOPLE = ("alice", "bob")
ACTIVITIES = 3
GO = "go"
READY = "ready"


@dataclass
class EditorResult:
    """What one person was told: the tokens saved (by activity id) and the conflicts."""

    saved: dict[int, list[str]] = field(default_factory=dict)
    conflicts: int = 0
    message: str = ""
    seconds: float = 0.0

    @property
    def saved_count(self) -> int:
        return sum(len(tokens) for tokens in self.saved.values())


def edit(location: str, name: str, edits: int, activity_ids: list[int]) -> EditorResult:
    """One person's edits (run in a process of its own by two_people_editing)."""
    from ropa.errors import ConflictError
    from ropa.register import Register

    result = EditorResult(saved={activity_id: [] for activity_id in activity_ids})
    with Register.open(location, create=False) as register:
        print(READY, flush=True)
        if sys.stdin.readline().strip() != GO:
            raise SystemExit("not told to go")
        started = time.perf_counter()
        for number in range(edits):
            activity_id = activity_ids[number % len(activity_ids)]
            token = f"{name}-{number}"
            seen = register.activities.get(activity_id)
            try:
                register.activities.update(
                    activity_id, {"notes": f"{seen.notes} {token}"}, expected_version=seen.version
                )
            except ConflictError as error:
                result.conflicts += 1
                result.message = str(error)
                continue
            result.saved[activity_id].append(token)
        result.seconds = time.perf_counter() - started
    return result


def two_people_editing(location: str, edits: int, activity_ids: list[int]) -> list[EditorResult]:
    """Start both people, let them go together once both have the register open, and return
    what each was told. Raises RuntimeError if either fails."""
    editors = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.team_concurrency",
                "edit",
                location,
                person,
                str(edits),
                ",".join(map(str, activity_ids)),
            ],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for person in PEOPLE
    ]
    try:
        for editor in editors:
            assert editor.stdout is not None
            line = editor.stdout.readline().strip()
            if line != READY:
                editor.kill()
                _, err = editor.communicate()
                raise RuntimeError(f"an editor did not start: {line!r}\n{err}")
        for editor in editors:
            assert editor.stdin is not None
            editor.stdin.write(f"{GO}\n")
            editor.stdin.flush()
        results = []
        for editor in editors:
            out, err = editor.communicate(timeout=600)
            if editor.returncode != 0:
                raise RuntimeError(f"an editor failed ({editor.returncode}): {err}")
            raw = json.loads(out)
            results.append(
                EditorResult(
                    saved={int(key): tokens for key, tokens in raw["saved"].items()},
                    conflicts=raw["conflicts"],
                    message=raw["message"],
                    seconds=raw["seconds"],
                )
            )
        return results
    finally:
        for editor in editors:
            if editor.poll() is None:
                editor.kill()
                editor.wait()


def lost_updates(register: Register, results: list[EditorResult]) -> dict[str, int]:
    """What the register lacks or holds beyond what the people were told was saved."""
    lost = {"tokens": 0, "versions": 0, "history": 0}
    for activity_id in results[0].saved:
        told = sorted(token for result in results for token in result.saved[activity_id])
        stored = register.activities.get(activity_id)
        lost["tokens"] += len(set(told) ^ set(stored.notes.split()))
        lost["versions"] += stored.version != 1 + len(told)
        logged = [
            change
            for change in register.history.changes(entity_type="activity", entity_id=activity_id)
            if change.field == "notes"
        ]
        lost["history"] += abs(len(logged) - len(told))
    return lost


def run(location: str, edits: int) -> dict[str, object]:
    from ropa.records import ActivityRecord
    from ropa.register import Register

    with Register.open(location) as register:
        ids = [
            register.activities.create(ActivityRecord(reference=f"T-{n}", name=f"Edited {n}")).id
            or 0
            for n in range(ACTIVITIES)
        ]
    results = two_people_editing(location, edits, ids)
    with Register.open(location, create=False) as register:
        lost = lost_updates(register, results)
    figures: dict[str, object] = {"edits_each": edits}
    for person, result in zip(PEOPLE, results, strict=True):
        figures[f"{person}_saved"] = result.saved_count
        figures[f"{person}_conflicts"] = result.conflicts
        figures[f"{person}_seconds"] = round(result.seconds, 2)
    figures.update({f"lost_{kind}": count for kind, count in lost.items()})
    return figures


def main(argv: list[str]) -> int:
    if argv[:1] == ["edit"] and len(argv) == 5:
        location, name, edits, ids = argv[1:]
        result = edit(location, name, int(edits), [int(part) for part in ids.split(",")])
        print(json.dumps(vars(result)))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.team_concurrency", description=__doc__)
    parser.add_argument("--edits", type=int, default=500)
    parser.add_argument("--db", default="")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ropa-concurrency-") as scratch:
        figures = run(options.db or str(Path(scratch) / "register.ropa"), options.edits)
    for name, value in figures.items():
        print(f"{name}: {value}")
    lost = sum(int(str(figures[f"lost_{kind}"])) for kind in ("tokens", "versions", "history"))
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
