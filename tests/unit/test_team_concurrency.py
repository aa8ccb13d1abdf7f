"""Two people editing the same activities at the same moment, each from a process and
connection of their own: no save is lost and every refused save is reported as a conflict.

Runs on a register file and on a team register on a real PostgreSQL server (where writers
would otherwise run side by side at READ COMMITTED: db/server.py's lock_writer queues them).
bench/team_concurrency.py runs the same two people for 500 edits each (docs/reliability.md has
its figures); here they make EDITS each, enough to contend: both are let go together once both
have the register open, and the test fails unless some saves were refused as conflicts.
"""

from __future__ import annotations

import pytest

from bench.team_concurrency import lost_updates, two_people_editing
from ropa.register import Register
from tests.helpers.activities import sample_activity

pytestmark = pytest.mark.both_backends

EDITS = 60


def test_two_people_making_60_edits_each_at_once_lose_nothing(register: Register) -> None:
    ids = [
        register.activities.create(sample_activity(reference=f"T-{n}", notes="")).id or 0
        for n in range(3)
    ]

    results = two_people_editing(register.location, EDITS, ids)

    for result in results:
        # Every edit was either saved or refused with a conflict the person was told of.
        assert result.saved_count + result.conflicts == EDITS
    # The two overlapped: some saves were refused because the other had just saved.
    assert sum(result.conflicts for result in results) > 0
    assert "changed by someone else" in next(r.message for r in results if r.message)
    for activity_id in ids:
        tokens = [token for result in results for token in result.saved[activity_id]]
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
    # The bench's own reckoning of what was lost agrees: nothing.
    assert lost_updates(register, results) == {"tokens": 0, "versions": 0, "history": 0}
