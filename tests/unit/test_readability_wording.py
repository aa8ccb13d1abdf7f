"""The readability verdict is never contradicted by the figures it shows."""

from __future__ import annotations

import pytest

from ropa.notices.readability import ReadabilityReport


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (59.6, "Reading ease 59.6 is below the target of 60"),
        (59.96, "Reading ease 59.9 is below the target of 60"),
        (60.0, "Reading ease 60 meets the target of 60"),
        (60.4, "Reading ease 60 meets the target of 60"),
        (52.2, "Reading ease 52 is below the target of 60"),
    ],
)
def test_the_summary_shows_a_score_below_the_target_as_below_it(
    score: float, expected: str
) -> None:
    report = ReadabilityReport(score=score, target=60, audience="Adults", vague_words=[])
    assert report.summary().startswith(expected)
