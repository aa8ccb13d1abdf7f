"""The rule for choices remembered per layout of headings (ropa/spreadsheets/remembered_choices)."""

from __future__ import annotations

from ropa.spreadsheets.layout import Kind
from ropa.spreadsheets.remembered_choices import Remembered, to_remember, with_remembered
from ropa.spreadsheets.report import SheetReport

NOTHING = Remembered(mappings={}, roles={})


def _sheet(
    name: str, signature: str, kind: str = "controller", unsure: bool = False
) -> SheetReport:
    return SheetReport(
        sheet=name, header_row=1, rows=1, signature=signature, kind=kind, kind_unsure=unsure
    )


def test_nothing_remembered_changes_nothing() -> None:
    choices = with_remembered([_sheet("ROPA", "layout-a")], NOTHING, {"notes": "own"}, {})
    assert choices.mapping == {"notes": "own"} and choices.roles == {}
    assert not choices.changed


def test_a_remembered_mapping_reads_the_workbook_again_under_todays_choices() -> None:
    remembered = Remembered(
        mappings={"layout-a": {"scribbles": "ignore", "notes": "own"}, "other": {"x": "own"}},
        roles={},
    )
    choices = with_remembered([_sheet("ROPA", "layout-a")], remembered, {"notes": "purposes"}, {})
    # Today's choice for "notes" wins; the layout's "scribbles" is added; another layout's not.
    assert choices.mapping == {"scribbles": "ignore", "notes": "purposes"}
    assert choices.changed


def test_what_is_already_chosen_needs_no_second_check() -> None:
    remembered = Remembered(mappings={"layout-a": {"scribbles": "ignore"}}, roles={})
    choices = with_remembered(
        [_sheet("ROPA", "layout-a")], remembered, {"scribbles": "ignore", "notes": "own"}, {}
    )
    assert choices.mapping == {"scribbles": "ignore", "notes": "own"}
    assert not choices.changed


def test_the_later_sheet_of_two_layouts_wins_for_a_heading_both_remember() -> None:
    remembered = Remembered(
        mappings={"first": {"h": "own", "a": "ignore"}, "second": {"h": "purposes"}}, roles={}
    )
    sheets = [_sheet("One", "first"), _sheet("Two", "second")]
    assert with_remembered(sheets, remembered, {}, {}).mapping == {"h": "purposes", "a": "ignore"}


def test_a_remembered_record_counts_where_it_differs_or_settles_a_doubt() -> None:
    remembered = Remembered(
        mappings={}, roles={"proc": "processor", "same": "controller", "doubt": "controller"}
    )
    sheets = [
        _sheet("Read as controller", "proc", kind="controller"),
        _sheet("Read as it was", "same", kind="controller"),
        _sheet("Said both", "doubt", kind="controller", unsure=True),
    ]
    choices = with_remembered(sheets, remembered, {}, {})
    assert choices.roles == {
        "Read as controller": Kind.PROCESSOR,
        "Said both": Kind.CONTROLLER,
    }
    assert choices.changed


def test_the_dpos_record_for_a_sheet_today_is_kept_and_alone_is_no_change() -> None:
    remembered = Remembered(mappings={}, roles={"proc": "processor"})
    chosen = {"ROPA": Kind.CONTROLLER}
    choices = with_remembered([_sheet("ROPA", "proc")], remembered, {}, chosen)
    assert choices.roles == {"ROPA": Kind.CONTROLLER}
    assert not choices.changed


def test_a_remembered_record_that_is_no_record_is_ignored() -> None:
    remembered = Remembered(mappings={}, roles={"odd": "auditor"})
    choices = with_remembered([_sheet("ROPA", "odd")], remembered, {}, {})
    assert choices.roles == {} and not choices.changed


def test_choosing_again_keeps_earlier_choices_for_headings_not_chosen_again() -> None:
    assert to_remember({"a": "own", "b": "ignore"}, {"b": "purposes", "c": "own"}) == {
        "a": "own",
        "b": "purposes",
        "c": "own",
    }
