"""Two people editing the same activities at the same moment, each from a process and
connection of their own: no save is lost and every refused save is reported as a conflict.

Runs on a register file and on a team register on a real PostgreSQL server (where writers
would otherwise run side by side at READ COMMITTED: db/server.py's lock_writer queues them).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ropa.register import Register
from tests.helpers.activities import sample_activity

pytestmark = pytest.mark.both_backends

REPO = Path(__file__).resolve().parents[2]
EDITS = 500
PEOPLE = ("alice", "bob")


def test_two_people_making_500_edits_each_lose_nothing(register: Register) -> None:
    ids = [
        register.activities.create(sample_activity(reference=f"T-{n}", notes="")).id or 0
        for n in range(3)
    ]
    editors = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.helpers.team_editor",
                register.location,
                person,
                str(EDITS),
                ",".join(map(str, ids)),
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for person in PEOPLE
    ]
    results = []
    for editor in editors:
        out, err = editor.communicate(timeout=600)
        assert editor.returncode == 0, err
        results.append(json.loads(out))

    for result in results:
        saved = sum(len(tokens) for tokens in result["saved"].values())
        # Every edit was either saved or refused with a conflict the person was told of.
        assert saved + result["conflicts"] == EDITS
    # The two overlapped: some saves were refused because the other had just saved.
    assert sum(result["conflicts"] for result in results) > 0
    assert "changed by someone else" in next(r["message"] for r in results if r["message"])

    for activity_id in ids:
        tokens = [token for result in results for token in result["saved"][str(activity_id)]]
        stored = register.activities.get(activity_id)
        # Each save appended its token to what it read: a lost update would drop one.
        assert sorted(stored.notes.split()) == sorted(tokens)
        assert stored.version == 1 + len(tokens)
        logged = [
            change
            for change in register.history.changes(entity_type="activity", entity_id=activity_id)
            if change.field == "notes"
        ]
        assert len(logged) == len(tokens)
