"""Hostile text is stored exactly as given and is harmless wherever it is shown or written.

Kinds of hostile text: HTML and script, template syntax, spreadsheet formulas, control
characters (terminal escapes, NUL, bell), right-to-left overrides, and a 1 MB string.
Outputs checked: the ICO workbook, its import back, privacy notices (html, md, txt, docx),
the change history workbook, and the command line's error messages.
"""

from __future__ import annotations

import gc
import io
import re
import sys
from pathlib import Path

import docx
import lxml.html
import openpyxl
import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ropa.cli import main
from ropa.errors import RopaError
from ropa.history_export import export_history
from ropa.notices import NoticeService, render_notice
from ropa.records import ActivityRecord, LawfulBasisEntry, Status
from ropa.register import Register
from ropa.sanitise import balance_bidi, for_terminal
from ropa.spreadsheets import export_workbook, import_workbook
from tests.helpers.activities import sample_activity

EXCEL_CELL_LIMIT = 32_767
SCRIPT = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
TEMPLATE = "{{ 7*7 }} {% for x in range(3) %}boom{% endfor %} ${7*7} {#c#}"
FORMULA = '=HYPERLINK("http://evil.example","click")'
CONTROL = "bell\x07 esc\x1b[31mred\x1b[0m back\x08 nul\x00 vt\x0b del\x7f"
RTL = "invoice\u202efdp.exe and \u2067unclosed isolate"
MEGABYTE = "A" * 1_000_000
FUNCTION = "Children's social care"
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def hostile_activity(*, with_megabyte: bool = True) -> ActivityRecord:
    return sample_activity(
        name=SCRIPT,
        business_function=FUNCTION,
        description=TEMPLATE + "\n" + CONTROL + "\n" + RTL,
        owner=FORMULA,
        purposes=[SCRIPT, TEMPLATE, FORMULA, RTL, "+1+1", "@SUM(A1)", "-2+3"],
        lawful_bases=[LawfulBasisEntry("e", MEGABYTE if with_megabyte else TEMPLATE)],
        status=Status.APPROVED,
    )


def _texts(record: ActivityRecord) -> tuple[object, ...]:
    return (
        record.name,
        record.description,
        record.owner,
        sorted(record.purposes),
        [entry.explanation for entry in record.lawful_bases],
    )


@pytest.fixture
def hostile(register: Register) -> Register:
    register.activities.create(hostile_activity())
    return register


def test_hostile_text_is_stored_exactly_as_given(register_path: Path) -> None:
    given = hostile_activity()
    with Register.open(register_path) as register:
        created = register.activities.create(given)
    with Register.open(register_path) as reopened:
        stored = reopened.activities.get(created.id or 0)
        history = reopened.history.changes(entity_type="activity")
    assert _texts(stored) == _texts(given)
    assert len(stored.lawful_bases[0].explanation) == 1_000_000
    assert [change.action for change in history] == ["create"]


def _cells(path: Path) -> list[openpyxl.cell.cell.Cell]:
    workbook = openpyxl.load_workbook(path)
    return [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]


def _assert_harmless_workbook(path: Path) -> list[str]:
    cells = _cells(path)
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert all(len(text) <= EXCEL_CELL_LIMIT for text in texts)
    assert not any(ILLEGAL_CHARACTERS_RE.search(text) for text in texts)
    return texts


def test_the_ico_workbook_holds_hostile_text_as_inert_text(
    register: Register, tmp_path: Path
) -> None:
    register.activities.create(hostile_activity(with_megabyte=False))
    target = tmp_path / "ropa.xlsx"
    export_workbook(register, target)
    texts = "\n".join(_assert_harmless_workbook(target))
    for text in (SCRIPT, TEMPLATE, FORMULA, "+1+1", "@SUM(A1)"):
        assert text in texts
    assert "esc[31mred" in texts  # the escape character itself cannot be in an xlsx file


def test_a_megabyte_of_text_is_refused_by_the_export_clearly_and_nothing_is_written(
    hostile: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "ropa.xlsx"
    # The refusal comes half-way through openpyxl's write-only sheet, whose abandoned
    # generators complain when collected; that noise is caught here so that it is not
    # blamed on whichever test runs next.
    abandoned: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", abandoned.append)
    with pytest.raises(RopaError, match="more than an Excel cell holds") as refused:
        export_workbook(hostile, target)
    del refused
    gc.collect()
    monkeypatch.undo()
    assert list(tmp_path.glob("*.xlsx")) == []


def test_hostile_text_comes_back_from_the_workbook_as_given(
    register: Register, tmp_path: Path
) -> None:
    register.activities.create(hostile_activity(with_megabyte=False))
    workbook = tmp_path / "ropa.xlsx"
    export_workbook(register, workbook)
    with Register.open(tmp_path / "fresh.ropa") as fresh:
        import_workbook(fresh, workbook)
        [imported] = fresh.activities.load(include_retired=True)
    assert imported.name == SCRIPT
    assert imported.owner == FORMULA
    assert {SCRIPT, TEMPLATE, FORMULA, RTL, "+1+1", "@SUM(A1)"} <= set(imported.purposes)


@pytest.fixture
def notice_id(hostile: Register) -> int:
    notice = NoticeService(hostile).create(
        title=f"Notice {SCRIPT} {TEMPLATE}", business_functions=[FUNCTION]
    )
    assert notice.id is not None
    return notice.id


def test_the_html_notice_shows_hostile_text_and_runs_none_of_it(
    hostile: Register, notice_id: int
) -> None:
    html = render_notice(hostile, notice_id, "html")
    assert isinstance(html, str)
    tree = lxml.html.document_fromstring(html)
    assert tree.xpath("//script|//img|//iframe|//object") == []
    assert tree.xpath("//@*[starts-with(name(), 'on')]") == []
    shown = tree.text_content()
    assert SCRIPT in shown and TEMPLATE in shown and FORMULA in shown
    assert "49" not in shown.replace(MEGABYTE, "")  # {{ 7*7 }} was not evaluated
    assert MEGABYTE in shown
    assert not _CONTROL_CHARACTERS.search(html)


def test_the_markdown_notice_escapes_hostile_html(hostile: Register, notice_id: int) -> None:
    markdown = render_notice(hostile, notice_id, "md")
    assert isinstance(markdown, str)
    assert "<script" not in markdown.replace("\\<script", "")
    assert "<img" not in markdown.replace("\\<img", "")
    assert "{{ 7" in markdown.replace("\\*", "*")
    assert not _CONTROL_CHARACTERS.search(markdown)


@pytest.mark.parametrize("fmt", ["html", "md", "txt"])
def test_a_right_to_left_override_cannot_reverse_the_rest_of_a_notice(
    hostile: Register, notice_id: int, fmt: str
) -> None:
    rendered = render_notice(hostile, notice_id, fmt)
    assert isinstance(rendered, str)
    assert "fdp.exe" in rendered  # the text is kept as typed...
    for line in rendered.splitlines():  # ...and no line leaves an override open
        assert balance_bidi(line) == line, line


def test_the_text_and_word_notices_hold_no_control_characters(
    hostile: Register, notice_id: int
) -> None:
    text = render_notice(hostile, notice_id, "txt")
    assert isinstance(text, str)
    assert SCRIPT in text and TEMPLATE in text
    assert not _CONTROL_CHARACTERS.search(text)

    word = render_notice(hostile, notice_id, "docx")
    assert isinstance(word, bytes)
    document = docx.Document(io.BytesIO(word))
    paragraphs = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert SCRIPT in paragraphs
    assert not _CONTROL_CHARACTERS.search(paragraphs)


def test_the_history_workbook_holds_hostile_text_as_inert_text(
    hostile: Register, tmp_path: Path
) -> None:
    [summary] = hostile.activity_list.summaries()
    hostile.activities.update(summary.id, {"owner": "+44 " + FORMULA, "description": MEGABYTE})
    target = tmp_path / "history.xlsx"
    export_history(hostile, target)
    texts = "\n".join(_assert_harmless_workbook(target))
    assert SCRIPT in texts and FORMULA in texts


def test_command_line_errors_cannot_drive_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile_name = "evil\x1b[2J\x1b]0;pwned\x07\u202eslx.xlsx"
    path = tmp_path / hostile_name
    path.write_text("not a workbook", encoding="utf-8")
    assert main(["import", str(path), "--db", str(tmp_path / "register.ropa"), "--new"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ropa import: ")
    assert not _CONTROL_CHARACTERS.search(err)
    assert "\u202e" not in err
    assert "evil\\x1b[2J\\x1b]0;pwned\\x07\\u202eslx.xlsx" in err


def test_for_terminal_neutralises_and_bounds() -> None:
    assert (
        for_terminal("a\nb\tc\r\x1b\u202e\u2066\x9b") == "a\\x0ab\tc\\x0d\\x1b\\u202e\\u2066\\x9b"
    )
    shortened = for_terminal(MEGABYTE)
    assert len(shortened) < 2_100 and shortened.endswith("(1,000,000 characters in all)")
    assert for_terminal("Plain words, “quoted”, £5 and Zoë") == (
        "Plain words, “quoted”, £5 and Zoë"
    )


def test_balance_bidi_closes_what_the_text_left_open() -> None:
    assert balance_bidi(RTL) == RTL + "\u202c\u2069"
    assert balance_bidi("\u202ebalanced\u202c") == "\u202ebalanced\u202c"
    assert balance_bidi("plain") == "plain"


@pytest.mark.parametrize("broken", ["\ud800", "\udc80", "text\udfff"])
def test_text_that_cannot_be_stored_is_refused_whole_with_a_clear_error(
    register: Register, broken: str
) -> None:
    """A lone surrogate (damaged pasted text) cannot be written as UTF-8: the change is
    refused as a ValidationError saying so, and nothing of it is stored."""
    from db.models import LibraryKind
    from ropa.errors import ValidationError
    from ropa.records import LibraryItemRecord
    from tests.helpers.activities import sample_activity

    kept = register.activities.create(sample_activity(reference="KEPT-1"))
    library_before = register.library.items()
    attempts = [
        lambda: register.activities.create(sample_activity(reference="NEW-1", name=broken)),
        lambda: register.activities.create(
            sample_activity(reference="NEW-2", purposes=[f"Purpose {broken}"])
        ),
        lambda: register.activities.update(kept.id or 0, {"description": broken}),
        lambda: register.library.create(LibraryItemRecord(LibraryKind.RECIPIENT, broken)),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match=r"broken character .U\+D[89A-F]"):
            attempt()
    assert [s.reference for s in register.activity_list.summaries()] == ["KEPT-1"]
    assert register.activities.get(kept.id or 0) == kept
    assert register.library.items() == library_before
