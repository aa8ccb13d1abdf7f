"""Reading ease and vague words."""

from __future__ import annotations

import datetime as dt

from ropa.notices import NoticeRecord, build_document, readability
from ropa.notices.readability import count_syllables, find_vague_words, flesch_reading_ease
from ropa.register import Register
from tests.conftest import sample_activity


def test_syllables_by_rule_of_thumb() -> None:
    assert [count_syllables(w) for w in ("we", "care", "children", "information")] == [1, 1, 2, 4]


def test_short_plain_sentences_score_higher_than_long_latinate_ones() -> None:
    plain = flesch_reading_ease(["We keep your file safe. We tell you why we need it."])
    dense = flesch_reading_ease(
        [
            "Notwithstanding the aforementioned considerations, organisational "
            "responsibilities necessitate comprehensive documentation of processing "
            "activities undertaken pursuant to statutory obligations."
        ]
    )
    assert plain > 80 > 0 > dense


def test_vague_words_are_found_with_where_they_are() -> None:
    found = find_vague_words(
        [("Sharing", "We may share some information."), ("Rights", "Maybe not, possibly.")]
    )
    assert [(v.word, v.section) for v in found] == [
        ("may", "Sharing"),
        ("some", "Sharing"),
        ("possibly", "Rights"),
    ]
    assert found[0].excerpt == "We may share some information."


def test_notice_is_scored_against_its_audience_target(register: Register) -> None:
    activity = register.activities.create(
        sample_activity(purposes=["We might use it often"], recipients=["Police"])
    )
    now = dt.datetime(2026, 11, 21)
    adults = build_document(
        register, NoticeRecord(title="T", activity_ids=[activity.id or 0]), now=now
    )
    children = build_document(
        register,
        NoticeRecord(title="T", audience="children", activity_ids=[activity.id or 0]),
        now=now,
    )
    adult_report, child_report = readability(adults), readability(children)
    assert adult_report.score == child_report.score
    assert child_report.target > adult_report.target
    assert "children and young people" in child_report.summary()
    words = {(v.word, v.section) for v in adult_report.vague_words}
    assert ("might", "The reasons we use your data") in words
    assert ("often", "The reasons we use your data") in words
