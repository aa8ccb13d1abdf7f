"""The batched insert of new activities (an import's path: ChildRows, ReferenceAllocator)
stores what the ORM reads back as given, and refuses a reference in use, on a file and on a
PostgreSQL server (where the activities' own rows wait with the batch, ids taken from the
sequence)."""

from __future__ import annotations

import pytest

from ropa.activities import ChildRows, ReferenceAllocator, insert_activity
from ropa.errors import ValidationError
from ropa.history import ChangeLog
from ropa.library import LibraryResolver
from ropa.records import ActivityRecord, LawfulBasisEntry
from ropa.register import Register
from tests.helpers.activities import sample_activity

pytestmark = pytest.mark.both_backends


def _insert_batch(register: Register, records: list[ActivityRecord]) -> list[int]:
    with register.transaction() as session:
        log = ChangeLog(session)
        resolver = LibraryResolver(session, log)
        pending = ChildRows()
        references = ReferenceAllocator(session)
        ids = [
            insert_activity(session, record, resolver, log, pending, references)
            for record in records
        ]
        pending.write(session)
        return ids


def test_a_batch_reads_back_as_given(register: Register) -> None:
    existing = register.activities.create(sample_activity(reference="OLD-1"))
    records = [
        sample_activity(
            reference=f"NEW-{n}",
            name=f"Activity {n}",
            lawful_bases=[
                LawfulBasisEntry("e", f"Duty {n}", [f"Act {n}", "Children Act 1989"]),
                LawfulBasisEntry("c", "Legal obligation", []),
            ],
        )
        for n in range(3)
    ] + [sample_activity(reference="", name="Given no reference")]
    ids = _insert_batch(register, records)

    assert len(set(ids)) == 4 and existing.id not in ids
    for activity_id, record in zip(ids, records, strict=True):
        stored = register.activities.get(activity_id)
        assert stored.name == record.name
        assert stored.lawful_bases == record.lawful_bases
        assert stored.purposes == record.purposes and stored.recipients == record.recipients
        assert stored.reference == (record.reference or stored.reference)
    assert register.activities.get(ids[-1]).reference.startswith("ACT-")
    # Created afterwards, one at a time: no id taken twice.
    later = register.activities.create(sample_activity(reference="LATER-1"))
    assert later.id not in {*ids, existing.id}


def test_a_reference_in_use_is_refused_and_nothing_is_stored(register: Register) -> None:
    register.activities.create(sample_activity(reference="TAKEN-1"))
    records = [sample_activity(reference="FREE-1"), sample_activity(reference="TAKEN-1")]
    with pytest.raises(ValidationError, match=r"already has the reference .TAKEN-1"):
        _insert_batch(register, records)
    assert [s.reference for s in register.activity_list.summaries()] == ["TAKEN-1"]
