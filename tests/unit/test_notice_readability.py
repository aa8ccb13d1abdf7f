"""Reading ease and vague words."""

from __future__ import annotations

import datetime as dt
import warnings

import pytest

from ropa.notices import NoticeRecord, build_document, readability
from ropa.notices.readability import (
    TARGETS,
    count_syllables,
    find_vague_words,
    flesch_reading_ease,
)
from ropa.register import Register
from tests.helpers.activities import sample_activity


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
    assert child_report.target > adult_report.target
    assert child_report.score > adult_report.score  # the children's words are plainer
    assert "children and young people" in child_report.summary()
    words = {(v.word, v.section) for v in adult_report.vague_words}
    assert ("might", "Children's social care") in words
    assert ("often", "Children's social care") in words


def test_syllables_follow_the_silent_endings() -> None:
    words = ("closes", "records", "decided", "placement", "while", "table", "virtual", "special")
    assert [count_syllables(w) for w in words] == [2, 2, 3, 2, 1, 2, 3, 2]


def test_compounds_and_qu_are_counted_as_they_are_said() -> None:
    words = ("safeguarding", "household", "sometimes", "unique", "carers", "career", "stated")
    assert [count_syllables(w) for w in words] == [3, 2, 2, 2, 2, 2, 2]


def test_labels_are_not_read_as_sentences() -> None:
    from ropa.notices.readability import prose_sentences

    texts = ["Police", "NHS number", "We keep it safe", "Yes. We tell you why!"]
    assert prose_sentences(texts) == ["We keep it safe.", "We tell you why!"]


@pytest.fixture
def example_notices(demo_register: Register) -> dict[tuple[str, str], list[str]]:
    """The prose of the example register's notice, per audience and layer."""
    from ropa.notices.cli import adhoc_notice
    from ropa.notices.readability import prose_sentences

    found = {}
    for audience in ("adults", "children"):
        for layer in ("full", "short", "just-in-time"):
            draft = adhoc_notice(demo_register)
            draft.audience = audience
            document = demo_register.notices.document(draft, layer=layer)
            found[audience, layer] = prose_sentences(text for _s, text in document.all_text())
    return found


def test_the_childrens_notice_reaches_its_target_in_every_layer(
    example_notices: dict[tuple[str, str], list[str]],
) -> None:
    target = TARGETS["children"]
    for layer in ("full", "short", "just-in-time"):
        children = flesch_reading_ease(example_notices["children", layer])
        adults = flesch_reading_ease(example_notices["adults", layer])
        assert children >= target, (layer, children)
        assert children > adults + 5, layer


def test_the_childrens_score_agrees_with_textstat_on_the_same_text(
    example_notices: dict[tuple[str, str], list[str]],
) -> None:
    """textstat counts the words and sentences as we do; its syllables are pyphen's
    hyphenation points, which miss some ("about" and "records" count one each), so its score
    runs a few points higher.  The formula is applied to its counts unrounded (textstat
    0.7.4 rounds syllables per word to one decimal, worth up to 4 points)."""
    with warnings.catch_warnings():
        # textstat 0.7.4 imports pkg_resources, which warns that it is deprecated.
        warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
        import textstat  # the test extra installs it

    for layer in ("full", "short", "just-in-time"):
        key = ("children", layer)
        sentences = example_notices[key]
        text = " ".join(sentences)
        words = textstat.lexicon_count(text)
        theirs = (
            206.835
            - 1.015 * words / textstat.sentence_count(text)
            - 84.6 * textstat.syllable_count(text) / words
        )
        ours = flesch_reading_ease(sentences)
        assert abs(ours - theirs) <= 5, (key, ours, theirs)
        assert abs(textstat.flesch_reading_ease(text) - theirs) <= 4.5, key
