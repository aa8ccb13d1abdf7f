"""The "[To complete: …]" marker is made and read back in one place (ropa/notices/markers.py)."""

from __future__ import annotations

from ropa.notices import NoticeRecord, build_document
from ropa.notices.content import Section
from ropa.notices.markers import gap_words, todo_marker
from ropa.register import Register
from tests.helpers.activities import sample_activity


def test_a_gap_the_notice_marks_reads_back_as_its_words() -> None:
    section = Section(key="retention", heading="How long we keep it")
    section.todo("the retention period: see the [records] schedule")
    [marker] = section.todos()
    assert marker == todo_marker("the retention period: see the [records] schedule")
    assert marker.startswith("[To complete: ")
    assert gap_words(marker) == "the retention period: see the [records] schedule"


def test_a_marker_a_person_typed_is_shown_as_it_stands() -> None:
    for typed in ("[TBC] partners", "Shared with [To complete] partners", "[To complete: x"):
        assert gap_words(typed) == typed


def test_every_blocker_of_a_real_draft_reads_without_its_marker(register: Register) -> None:
    register.activities.create(sample_activity(retention=[]))
    blockers = register.notices.blockers(NoticeRecord(title="Gaps"))
    assert blockers, "the draft has a gap: no retention"
    document = build_document(register, NoticeRecord(title="Gaps"))
    assert blockers == document.todos()
    for _section, marker in blockers:
        assert "[To complete" not in gap_words(marker)
