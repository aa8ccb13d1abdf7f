"""Two people on one register: the second writer is told, the first writer's work is kept.

Each test opens the same register twice (two Register objects, two engines, two connection
pools: what two app instances on a shared drive, or two people on a team register, do), or
edits a file from a child process.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from ropa.errors import ConflictError, NotFoundError
from ropa.records import LibraryItemRecord, LibraryKind, Status
from ropa.register import Register
from tests.helpers.activities import sample_activity

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def two_sessions(register: Register) -> Iterator[tuple[Register, Register]]:
    """Two openings of one register (a file, or a team register on a server)."""
    with Register.open(register.location, create=False) as second:
        yield register, second


def _history_count(register: Register) -> int:
    return len(register.history.changes())


def test_second_writer_of_an_activity_gets_a_clear_conflict(
    two_sessions: tuple[Register, Register],
) -> None:
    alice, bob = two_sessions
    created = alice.activities.create(sample_activity())
    activity_id = created.id or 0
    seen_by_bob = bob.activities.get(activity_id)

    alice.activities.update(activity_id, {"name": "Alice's name"}, expected_version=1)
    history_before = _history_count(bob)
    with pytest.raises(ConflictError) as conflict:
        bob.activities.update(
            activity_id, {"name": "Bob's name"}, expected_version=seen_by_bob.version
        )

    message = str(conflict.value)
    assert "CS-001" in message and "changed by someone else" in message
    assert "Reload" in message
    assert bob.activities.get(activity_id).name == "Alice's name"
    assert _history_count(bob) == history_before
    # Having reloaded, Bob can make his change on top of Alice's.
    reloaded = bob.activities.get(activity_id)
    bob.activities.update(activity_id, {"name": "Bob's name"}, expected_version=reloaded.version)
    assert alice.activities.get(activity_id).name == "Bob's name"


@pytest.mark.parametrize(
    "action",
    [
        lambda register, ident, version: register.activities.set_status(
            [ident], Status.DRAFT, {ident: version}
        ),
        lambda register, ident, version: register.activities.retire([ident], {ident: version}),
        lambda register, ident, version: register.activities.delete([ident], {ident: version}),
    ],
    ids=["set_status", "retire", "delete"],
)
def test_bulk_actions_on_a_stale_activity_change_nothing(
    two_sessions: tuple[Register, Register], action: object
) -> None:
    alice, bob = two_sessions
    stale = alice.activities.create(sample_activity())
    other = alice.activities.create(sample_activity(reference="CS-002", name="Other"))
    stale_id, other_id = stale.id or 0, other.id or 0
    alice.activities.update(stale_id, {"description": "Alice's newer wording"})

    with pytest.raises(ConflictError, match="changed by someone else"):
        action(bob, stale_id, 1)  # type: ignore[operator]

    kept = bob.activities.get(stale_id)
    assert kept.description == "Alice's newer wording"
    assert kept.status == Status.DRAFT
    # One transaction: the other activity in a batch is untouched too.
    assert bob.activities.get(other_id).version == 1


def test_a_bulk_action_with_a_stale_member_leaves_the_whole_batch_alone(
    two_sessions: tuple[Register, Register],
) -> None:
    alice, bob = two_sessions
    first = alice.activities.create(sample_activity())
    second = alice.activities.create(sample_activity(reference="CS-002", name="Second"))
    ids = [first.id or 0, second.id or 0]
    alice.activities.update(ids[1], {"owner": "Alice"})

    with pytest.raises(ConflictError):
        bob.activities.retire(ids, {ids[0]: 1, ids[1]: 1})

    assert [row.status for row in bob.activity_list.summaries()] == [Status.DRAFT, Status.DRAFT]


def test_editing_an_activity_another_session_deleted_is_a_clear_error(
    two_sessions: tuple[Register, Register],
) -> None:
    alice, bob = two_sessions
    created = alice.activities.create(sample_activity())
    alice.activities.delete([created.id or 0])
    with pytest.raises(NotFoundError, match="no longer in the register"):
        bob.activities.update(created.id or 0, {"name": "Too late"}, expected_version=1)


def test_duplicate_copies_the_newest_saved_state(two_sessions: tuple[Register, Register]) -> None:
    alice, bob = two_sessions
    created = alice.activities.create(sample_activity())
    alice.activities.update(created.id or 0, {"description": "Alice's newer wording"})
    copy = bob.activities.duplicate(created.id or 0)
    assert copy.description == "Alice's newer wording"
    assert alice.activities.get(created.id or 0).description == "Alice's newer wording"


def test_second_writer_of_a_library_item_gets_a_clear_conflict(
    two_sessions: tuple[Register, Register],
) -> None:
    alice, bob = two_sessions
    item = alice.library.create(LibraryItemRecord(kind=LibraryKind.PURPOSE, name="Admissions"))
    item_id = item.id or 0
    alice.library.update(item_id, {"name": "School admissions"}, expected_version=item.version)

    with pytest.raises(ConflictError, match="changed by someone else") as conflict:
        bob.library.update(item_id, {"name": "Pupil admissions"}, expected_version=item.version)

    assert "Admissions" in str(conflict.value) or "admissions" in str(conflict.value)
    names = {row.name for row in bob.library.items(LibraryKind.PURPOSE)}
    assert "School admissions" in names and "Pupil admissions" not in names


def test_second_writer_of_the_organisation_gets_a_clear_conflict(
    two_sessions: tuple[Register, Register],
) -> None:
    alice, bob = two_sessions
    seen = bob.organisation.get()
    alice.organisation.update({"name": "Northshire County Council"}, seen.version)

    with pytest.raises(ConflictError, match="changed by someone else"):
        bob.organisation.update({"name": "Southshire Council"}, seen.version)

    assert bob.organisation.get().name == "Northshire County Council"


_OTHER_PROCESS = textwrap.dedent(
    """
    import sys
    from ropa.register import Register

    with Register.open(sys.argv[1]) as register:
        register.activities.update(int(sys.argv[2]), {"name": "Saved elsewhere"},
                                   expected_version=1)
    print("saved", flush=True)
    """
)


def test_a_change_saved_by_another_process_is_never_overwritten(register_path: Path) -> None:
    with Register.open(register_path) as mine:
        created = mine.activities.create(sample_activity())
        activity_id = created.id or 0
        seen = mine.activities.get(activity_id)

        result = subprocess.run(
            [sys.executable, "-c", _OTHER_PROCESS, str(register_path), str(activity_id)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "saved"

        with pytest.raises(ConflictError, match="changed by someone else"):
            mine.activities.update(activity_id, {"name": "Mine"}, expected_version=seen.version)
        assert mine.activities.get(activity_id).name == "Saved elsewhere"
