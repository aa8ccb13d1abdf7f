"""Column widths fitted to what the columns hold (ropa.spreadsheets.widths)."""

from __future__ import annotations

from ropa.spreadsheets.widths import (
    NARROWEST,
    SAMPLE_ROWS,
    WIDEST,
    WIDEST_KEPT_IN_VIEW,
    Span,
    fitted_widths,
    spread_sample,
)


def test_a_column_is_as_wide_as_its_longest_line_within_bounds() -> None:
    headings = ["Reference", "Purpose of processing", "Notes", "Link"]
    rows = [
        ["CS-1", "Short", None, "https://example.org/a"],
        ["CS-2", "Paying staff\nPension administration for the whole council", "", None],
        ["CS-3", "x" * 300, None, None],
    ]
    reference, purposes, notes, link = fitted_widths(headings, rows)
    assert reference == NARROWEST  # 'CS-1' and its heading need less
    assert purposes == WIDEST  # a paragraph wraps at the widest
    assert notes == NARROWEST  # nothing in it
    # The longest line of the link (21 characters) fits, with a little room.
    assert 21 * 0.9 < link < 21 * 1.2


def test_the_longest_line_counts_not_the_whole_cell() -> None:
    lines = "\n".join(["Name and contact details"] * 20)
    (width,) = fitted_widths(["Data"], [[lines]])
    assert width < 30


def test_a_heading_fits_in_four_lines_without_breaking_a_word() -> None:
    long_heading = (
        "Names of third countries or international organisations that personal data are "
        "transferred to (if applicable)"
    )
    one_word = "Reasonsfornotadheringtopolicydocument"
    long_width, word_width = fitted_widths([long_heading, one_word], [])
    assert long_width * 4 >= len(long_heading) and long_width < WIDEST
    assert word_width >= len(one_word)


def test_columns_kept_in_view_stay_narrower() -> None:
    widths = fitted_widths(["A", "B", "C"], [["x" * 80] * 3], kept_in_view=2)
    assert widths == [WIDEST_KEPT_IN_VIEW, WIDEST_KEPT_IN_VIEW, WIDEST]


def test_a_title_over_merged_columns_widens_them_to_fit_on_one_line() -> None:
    title = "Data Protection Officer (if applicable)"
    widths = fitted_widths(["A", "B", "C"], [], spans=[Span(1, 2, title)])
    assert widths[0] == NARROWEST  # outside the span
    assert widths[1] + widths[2] >= len(title)
    assert abs(widths[1] - widths[2]) < 0.1  # shared out evenly


def test_a_span_widens_the_columns_with_room_first() -> None:
    widths = fitted_widths(
        ["A", "B"], [["x" * 80, None]], spans=[Span(0, 1, "t" * 60)], kept_in_view=1
    )
    assert widths[0] == WIDEST_KEPT_IN_VIEW
    assert widths[0] + widths[1] >= 60


def test_the_sample_is_spread_from_first_to_last() -> None:
    small = list(range(50))
    assert spread_sample(small) == small
    big = list(range(10_000))
    sample = spread_sample(big)
    assert len(sample) <= SAMPLE_ROWS
    assert sample[0] == 0 and sample[-1] >= 10_000 - 10_000 // SAMPLE_ROWS
