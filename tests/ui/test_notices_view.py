"""The Notices view, the Qt PDF writer and printing, driven as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QLabel

import main
from ropa.errors import RopaError
from ropa.notice_writers import NoticeWriters
from ropa.notices import NoticeRecord, NoticeService, build_document
from ropa.register import Register
from tests.helpers.printed_pages import pages_with_each_line_once, pdf_text
from tests.helpers.prompts import ScriptedPrompts
from ui.notice_print import layout_device, notice_pdf_bytes, notice_text_document, page_body
from ui.notices_view import CheckItem, CheckListModel, NoticeListModel, NoticesView
from ui.text_pages import PlacedLine, TextPages

pytestmark = pytest.mark.gui


@pytest.fixture
def view(qtbot, demo_register: Register) -> NoticesView:  # type: ignore[no-untyped-def]
    # The notice writers the app is given by the composition root (PDF among them).
    widget = NoticesView(demo_register, notice_writers=main.program_notice_writers())
    qtbot.addWidget(widget)
    return widget


def test_item_models_pass_the_model_tester(qtmodeltester, view: NoticesView) -> None:  # type: ignore[no-untyped-def]
    view.create_notice("Children and families")
    qtmodeltester.check(view.notice_model)
    qtmodeltester.check(view.activity_model)
    qtmodeltester.check(view.function_model)
    view.add_section("The MASH", "About the hub.")
    qtmodeltester.check(view.section_model)
    model = CheckListModel()
    model.set_items([CheckItem(1, "one"), CheckItem(2, "two")], {2, 3})
    assert model.checked_keys() == [2]
    qtmodeltester.check(model, force_py=True)
    qtmodeltester.check(NoticeListModel([]))


def test_editing_updates_the_live_preview_and_saving_keeps_it(
    qtbot,
    view: NoticesView,
    demo_register: Register,  # type: ignore[no-untyped-def]
) -> None:
    view.create_notice("Children and families privacy notice")
    assert "Create a notice" not in view.preview.toPlainText()
    with qtbot.waitSignal(view.preview_updated, timeout=5000):
        view.function_model.set_checked("Youth justice", True)
    assert "Youth justice" in view.preview.toPlainText()
    assert "School admissions" not in view.preview.toPlainText()

    with qtbot.waitSignal(view.preview_updated, timeout=5000):
        qtbot.keyClicks(view.introduction_edit, "<script>x</script> {{ 7*7 }}")
    text = view.preview.toPlainText()
    assert "<script>x</script> {{ 7*7 }}" in text
    assert "Reading ease" in view.reading_label.text()
    assert "Who we are" in text and "How to complain" in text
    assert view.dirty

    with qtbot.waitSignal(view.preview_updated, timeout=5000):
        view.add_section("The MASH", "- Police\n- Health")
    assert "The MASH" in view.preview.toPlainText()

    saved = view.save()
    assert not view.dirty
    stored = NoticeService(demo_register).get(saved.id or 0)
    assert stored.business_functions == ["Youth justice"]
    assert stored.introduction == "<script>x</script> {{ 7*7 }}"
    assert [s.heading for s in stored.sections] == ["The MASH"]


def test_activities_chosen_one_by_one_and_publish_freezes_a_version(
    qtbot,
    view: NoticesView,
    demo_register: Register,  # type: ignore[no-untyped-def]
) -> None:
    notice = view.create_notice("Fostering notice")
    fostering = next(
        s.id for s in demo_register.activity_list.summaries() if s.reference == "CS-003"
    )
    with qtbot.waitSignal(view.preview_updated, timeout=5000):
        view.activity_model.set_checked(fostering, True)
    assert "Children's social care" in view.preview.toPlainText()
    assert view.publish() == 1
    assert not view.dirty
    stored = NoticeService(demo_register).get(notice.id or 0)
    assert stored.activity_ids == [fostering]
    assert [v.number for v in stored.published] == [1]
    tooltip = view.notice_model.data(view.notice_model.index(0), Qt.ItemDataRole.ToolTipRole)
    assert "Version 1 published" in tooltip
    assert "Nothing has changed since the version published on" in view.preview.toPlainText()


def test_export_in_every_format(view: NoticesView, tmp_path: Path) -> None:
    view.create_notice("Early help notice")
    view.function_model.set_checked("Early help", True)
    for suffix in ("pdf", "docx", "html", "md", "txt"):
        target = tmp_path / f"notice.{suffix}"
        view.export(target)
        assert target.stat().st_size > 500, suffix
    assert (tmp_path / "notice.pdf").read_bytes().startswith(b"%PDF")
    assert "Early help family support" in (tmp_path / "notice.md").read_text(encoding="utf-8")


def test_a_view_offers_only_the_formats_its_writers_write(  # type: ignore[no-untyped-def]
    qtbot, view: NoticesView, demo_register: Register, tmp_path: Path
) -> None:
    assert list(view.export_filters()) == ["pdf", "docx", "html", "md", "txt"]
    without_desktop = NoticesView(demo_register)
    qtbot.addWidget(without_desktop)
    assert list(without_desktop.export_filters()) == ["docx", "html", "md", "txt"]
    without_desktop.create_notice("Early help notice")
    with pytest.raises(RopaError, match="PDF needs the desktop part"):
        without_desktop.export(tmp_path / "notice.pdf")
    assert not (tmp_path / "notice.pdf").exists()
    # A writer handed in for another suffix is offered, under a name made from it.
    shouting = NoticesView(
        demo_register,
        notice_writers=NoticeWriters.domain().adding("shout", lambda d: d.title.upper()),
    )
    qtbot.addWidget(shouting)
    assert shouting.export_filters()["shout"] == "SHOUT file (*.shout)"


def test_the_app_hands_its_notice_writers_to_the_notices_page(  # type: ignore[no-untyped-def]
    qtbot, demo_register: Register, tmp_path: Path
) -> None:
    from ui.main_window import MainWindow, Page
    from ui.settings import AppSettings

    written: list[str] = []
    writers = NoticeWriters.domain().adding("pdf", lambda d: written.append(d.title) or b"%PDF")
    window = MainWindow(
        demo_register, AppSettings.in_file(tmp_path / "s.ini"), notice_writers=writers
    )
    qtbot.addWidget(window)
    notices = window.page(Page.NOTICES)
    assert isinstance(notices, NoticesView) and notices.notice_writers is writers
    notices.create_notice("Handed down")
    notices.export(tmp_path / "handed.pdf")
    assert written == ["Handed down"]
    assert (tmp_path / "handed.pdf").read_bytes() == b"%PDF"


def test_what_the_view_lets_change_is_what_the_capabilities_say(  # type: ignore[no-untyped-def]
    view: NoticesView,
) -> None:
    from ropa.capabilities import ALLOWED, READ_ONLY, Capability

    view.create_notice("Early help notice")
    may_not_publish = Capability(False, "Only a DPO may publish notices; you are signed in as x.")
    view.set_capabilities(ALLOWED, may_not_publish)
    assert view.save_action.isEnabled() and not view.title_edit.isReadOnly()
    assert not view.publish_action.isEnabled()
    assert view.publish_action.toolTip() == may_not_publish.refusal
    assert view.read_only_note.isHidden()
    view.set_capabilities(READ_ONLY, READ_ONLY)
    assert view.title_edit.isReadOnly() and not view.save_action.isEnabled()
    assert view.save_action.toolTip() == READ_ONLY.refusal
    assert view.read_only_note.text() == (
        f"{READ_ONLY.refusal} You can read, preview, print and export them."
    )
    assert not view.read_only_note.isHidden()


def test_a_field_that_cannot_be_changed_looks_it_and_stays_readable(  # type: ignore[no-untyped-def]
    qtbot, view: NoticesView
) -> None:
    """Qt draws a read-only box like one to type in: a viewer's boxes take the window's
    background instead, their text as dark as before; allowed again, they are white again."""
    from PySide6.QtGui import QPalette

    from ropa.capabilities import ALLOWED, READ_ONLY

    view.create_notice("Early help notice")
    view.show()
    qtbot.waitExposed(view)

    def background(field) -> str:  # type: ignore[no-untyped-def]
        return field.palette().color(QPalette.ColorRole.Base).name()

    window = view.palette().color(QPalette.ColorRole.Window).name()
    typing = view.palette().color(QPalette.ColorRole.Base).name()
    text = view.title_edit.palette().color(QPalette.ColorRole.Text).name()
    assert window != typing
    fields = (view.title_edit, view.introduction_edit, view.contact_edit, view.sar_url_edit)
    view.set_capabilities(READ_ONLY, READ_ONLY)
    for field in fields:
        assert field.isReadOnly() and field.isEnabled()
        assert background(field) == window, field.objectName() or type(field).__name__
        assert field.palette().color(QPalette.ColorRole.Text).name() == text
    # Drawn so, not only set so: the middle of the empty title box is the window's colour.
    view.title_edit.clear()
    shown = view.title_edit.grab().toImage()
    assert shown.pixelColor(shown.width() // 2, shown.height() // 2).name() == window
    view.set_capabilities(ALLOWED, ALLOWED)
    for field in fields:
        assert not field.isReadOnly() and background(field) == typing


def test_the_boxes_follow_a_change_to_dark_colours_while_the_app_runs(  # type: ignore[no-untyped-def]
    qtbot, view: NoticesView
) -> None:
    """The desktop switched to dark colours (evening mode) while ROPA desk is open: every
    box, read-only or not, takes the new colours, so that its text, now light, stays on a
    dark background rather than on the light one the box had; the notice's preview stays the
    white page it prints on."""
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication

    from ropa.capabilities import ALLOWED, READ_ONLY

    view.create_notice("Early help notice")
    # Made read-only once and editable again, as a window whose register changed hands.
    view.set_capabilities(READ_ONLY, READ_ONLY)
    view.set_capabilities(ALLOWED, ALLOWED)
    fields = (view.title_edit, view.introduction_edit, view.contact_edit)

    def background(field) -> str:  # type: ignore[no-untyped-def]
        return field.palette().color(QPalette.ColorRole.Base).name()

    light = QApplication.palette()
    dark = QPalette(light)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#2b2c30"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e8eaed"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
    try:
        QApplication.setPalette(dark)
        qtbot.wait(10)
        # Boxes that may be typed in take the new colours (they kept the old white).
        assert [background(field) for field in fields] == ["#2b2c30"] * len(fields)
        view.set_capabilities(READ_ONLY, READ_ONLY)
        for field in fields:
            assert background(field) == "#202124"
            assert field.palette().color(QPalette.ColorRole.Text).name() == "#e8eaed"
        # The preview is the page as printed: white, its dark blue headings readable on it.
        view.refresh_preview()
        preview = view.preview.viewport().grab().toImage()
        assert preview.pixelColor(preview.width() - 3, preview.height() - 3).name() == "#ffffff"
        # Back to light colours while they are read-only: shaded with the light window's.
        QApplication.setPalette(light)
        qtbot.wait(10)
        window = light.color(QPalette.ColorRole.Window).name()
        assert [background(field) for field in fields] == [window] * len(fields)
    finally:
        QApplication.setPalette(light)


def test_pdf_has_title_date_and_page_numbers(demo_register: Register, tmp_path: Path) -> None:
    draft = NoticeRecord(
        title="Northfield children's privacy notice", business_functions=["Children's social care"]
    )
    document = build_document(demo_register, draft)
    target = tmp_path / "notice.pdf"
    target.write_bytes(notice_pdf_bytes(document))
    text = pdf_text(target)
    pages = text.count("\f")
    assert pages >= 2
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert "Northfield children's privacy notice" in text
    assert f"Last updated {document.last_updated}" in text
    assert "The law that lets us use your information" in text


def test_pdf_pages_hold_each_line_once_with_the_stylesheet_spacing(  # type: ignore[no-untyped-def]
    qapp, demo_register: Register, tmp_path: Path
) -> None:
    draft = NoticeRecord(title="Spaced notice", business_functions=["Children's social care"])
    document = build_document(demo_register, draft)
    # Qt reads the print stylesheet's margins (in px and em; it ignores pt): paragraphs,
    # headings and lists are spaced without any pass over the blocks.
    laid_out = notice_text_document(document, 640)
    spacing: dict[str, set[float]] = {"heading": set(), "paragraph": set()}
    block = laid_out.begin()
    while block.isValid():
        block_format = block.blockFormat()
        if block_format.headingLevel() == 2:
            spacing["heading"].add(block_format.topMargin())
        elif block_format.objectIndex() == -1 and block.text():  # a paragraph, not a list item
            spacing["paragraph"].add(block_format.bottomMargin())
        block = block.next()
    assert min(spacing["heading"]) > max(spacing["paragraph"]) > 0

    target = tmp_path / "notice.pdf"
    target.write_bytes(notice_pdf_bytes(document))
    assert pages_with_each_line_once(target, document) >= 3


def test_every_line_fits_whole_on_one_page_of_any_height(  # type: ignore[no-untyped-def]
    qapp, demo_register: Register, tmp_path: Path
) -> None:
    """A line across a page edge is painted on both pages (at the foot of one, over the
    header of the next). The example register's published notice, cut into pages of A4 and
    of a range of other heights, and printed on A4."""
    [published] = [n for n in NoticeService(demo_register).list() if n.audience == "adults"]
    document = build_document(demo_register, published)
    a4 = page_body(QPageSize(QPageSize.PageSizeId.A4).rectPoints())
    laid_out = notice_text_document(document, a4.width())
    every_line = sorted((line.block.blockNumber(), line.number) for line in _all_lines(laid_out))
    for height in [a4.height(), *range(300, 1200, 37)]:
        pages = TextPages(laid_out, height, layout_device())
        on_pages = []
        for page in range(pages.count):
            start, end = pages.page_bounds(page)
            for line in pages.lines_on(page):
                assert start <= line.top and line.bottom <= start + height + 0.02, (height, page)
                assert line.bottom <= end + 0.02 or page == pages.count - 1, (height, page)
                on_pages.append((line.block.blockNumber(), line.number))
        assert sorted(on_pages) == every_line  # each line once, none left out
    target = tmp_path / "published.pdf"
    target.write_bytes(notice_pdf_bytes(document))
    assert pages_with_each_line_once(target, document) >= 10


def _all_lines(document: QTextDocument) -> list[PlacedLine]:
    return TextPages(document, 1e9, layout_device()).lines_on(0)


def test_no_heading_is_left_alone_at_the_foot_of_a_page(  # type: ignore[no-untyped-def]
    qapp, demo_register: Register
) -> None:
    """Qt ignores page-break-after: avoid; the pages end before such a heading instead. Tried
    on a range of page heights, so that every heading falls near a foot."""
    document = build_document(demo_register, NoticeRecord(title="Everything we do"))
    a4 = page_body(QPageSize(QPageSize.PageSizeId.A4).rectPoints())
    laid_out = notice_text_document(document, a4.width())
    moved = 0
    for height in [a4.height(), *range(600, 1000, 23)]:
        pages = TextPages(laid_out, height, layout_device())
        for page in range(pages.count - 1):
            lines = pages.lines_on(page)
            assert not lines[-1].heading, (height, page, lines[-1].text)
            following = pages.lines_on(page + 1)[0]
            # The page had room for the heading that starts the next one.
            moved += following.heading and following.bottom - pages.page_bounds(page)[0] < height
    assert moved  # the check above has been put to the test


def test_printing_paints_every_page(view: NoticesView, tmp_path: Path) -> None:
    view.create_notice("Printed notice")
    view.function_model.set_checked("Education", True)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    target = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(target))
    view.paint_to(printer)
    text = pdf_text(target)
    assert "Printed notice" in text and "Page 1 of" in text


def test_cli_writes_a_pdf_through_the_composition_root(
    demo_register: Register, tmp_path: Path
) -> None:
    target = tmp_path / "notice.pdf"
    path = demo_register.path
    demo_register.close()
    assert main.main(["notice", str(target), "--db", str(path), "--title", "All services"]) == 0
    assert "All services" in pdf_text(target)


def test_deleting_a_notice_empties_the_editor(qtbot, view: NoticesView) -> None:  # type: ignore[no-untyped-def]
    for notice in view.service.list():  # the example register comes with notices
        view.service.delete(notice.id or 0)
    view.reload()
    view.create_notice("Short-lived")
    assert view.notice_model.rowCount() == 1
    view.delete_current()
    assert view.notice_model.rowCount() == 0
    assert not view.editor_tabs.isEnabled()
    assert "Create a notice" in view.preview.toPlainText()


def test_maybe_save_saves_typing_not_yet_saved_without_asking(  # type: ignore[no-untyped-def]
    qtbot, view: NoticesView, prompts: ScriptedPrompts
) -> None:
    """Notices are saved as they are typed: closing the register within the pause saves the
    last typing too, and asks nothing (a question is left for a refusal)."""
    notice = view.create_notice("Draft notice")
    assert view.maybe_save() is True
    view.title_edit.clear()
    qtbot.keyClicks(view.title_edit, "Edited title")
    assert view.dirty
    assert view.maybe_save() is True
    assert prompts.shown == []  # (any prompt at all would have failed the test already)
    assert view.service.get(notice.id or 0).title == "Edited title"
    assert not view.dirty


def test_refresh_sees_new_activities_and_keeps_unsaved_edits(  # type: ignore[no-untyped-def]
    qtbot, view: NoticesView, demo_register: Register
) -> None:
    from tests.helpers.activities import sample_activity

    view.create_notice("Refreshed notice")
    fostering = next(
        s.id for s in demo_register.activity_list.summaries() if s.reference == "CS-003"
    )
    view.activity_model.set_checked(fostering, True)
    qtbot.keyClicks(view.introduction_edit, "Typed, not saved.")
    rows_before = view.activity_model.rowCount()
    created = demo_register.activities.create(sample_activity(reference="NEW-1", name="Brand new"))
    view.refresh()
    assert view.activity_model.rowCount() == rows_before + 1
    labels = [view.activity_model.index(r).data() for r in range(view.activity_model.rowCount())]
    assert any("Brand new" in label for label in labels)
    assert view.dirty
    assert view.introduction_edit.toPlainText() == "Typed, not saved."
    assert view.activity_model.checked_keys() == [fostering]
    assert view.draft().title == "Refreshed notice"
    assert created.id not in view.activity_model.checked_keys()


def test_a_refused_save_keeps_the_list_on_the_notice_being_edited(  # type: ignore[no-untyped-def]
    qtbot, view: NoticesView, demo_register: Register, prompts: ScriptedPrompts
) -> None:
    prompts.expect("warning", contains="changed by someone else")
    first = view.create_notice("First notice")
    view.create_notice("Second notice")
    view.select_notice(first.id or 0)
    assert view.title_edit.text() == "First notice"
    qtbot.keyClicks(view.introduction_edit, "Mine")
    with Register.open(demo_register.path, create=False) as other:  # someone else edits it
        NoticeService(other).update(first.id or 0, {"title": "Theirs"}, first.version)
    second_row = next(
        r
        for r in range(view.notice_model.rowCount())
        if view.notice_model.notice(r).title == "Second notice"
    )
    view.notice_list.setCurrentIndex(view.notice_model.index(second_row))
    assert prompts.shown[0].title == "Notices"  # the refusal was shown
    assert view.introduction_edit.toPlainText() == "Mine"
    current = view.notice_model.notice(view.notice_list.currentIndex().row())
    assert current.id == first.id


def test_save_has_the_standard_shortcut_and_fields_have_names(view: NoticesView) -> None:
    from PySide6.QtGui import QKeySequence

    assert QKeySequence(QKeySequence.StandardKey.Save) in view.save_action.shortcuts()
    for field in (view.title_edit, view.audience_combo, view.introduction_edit, view.contact_edit):
        assert field.accessibleName()
    buddies = [label.buddy() for label in view.findChildren(QLabel) if "&" in label.text()]
    assert view.title_edit in buddies and view.contact_edit in buddies


def test_export_runs_in_a_worker_and_remembers_the_folder(  # type: ignore[no-untyped-def]
    qtbot, view: NoticesView, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    from ui.settings import AppSettings

    view.create_notice("Early help notice")
    view.function_model.set_checked("Early help", True)
    (tmp_path / "out").mkdir()
    chosen = (tmp_path / "out" / "notice", "Word document (*.docx)")
    prompts.expect("save path", contains="Export notice", answer=chosen)
    runner = view._ask_export()
    assert runner is not None
    with qtbot.waitSignal(runner.finished, timeout=20000) as blocker:
        pass
    assert blocker.args[0] is True
    assert (tmp_path / "out" / "notice.docx").stat().st_size > 500
    assert AppSettings().last_folder("export") == tmp_path / "out"


def test_publishing_over_gaps_lists_them_and_asks_for_the_reason(  # type: ignore[no-untyped-def]
    qtbot, view: NoticesView, demo_register: Register
) -> None:
    [stored] = [n for n in demo_register.notices.list() if n.audience == "adults"]
    assert stored.id is not None
    view.select_notice(stored.id)
    dialog = view.publish_gate()
    assert dialog is not None
    qtbot.addWidget(dialog)
    gaps = [dialog.gap_list.item(row).text() for row in range(dialog.gap_list.count())]
    assert len(gaps) == 2
    assert gaps[0].startswith("Children's social care: Private fostering: No retention period")
    assert gaps[1].startswith("Early help: Early help family support: Article 9(2)(g) needs")
    assert not any("[To complete" in gap for gap in gaps)
    assert not dialog.publish_button.isEnabled()
    qtbot.keyClicks(dialog.reason_edit, "   ")
    assert not dialog.publish_button.isEnabled()  # spaces are no reason
    qtbot.keyClicks(dialog.reason_edit, "Retention agreed at the records panel")
    assert dialog.publish_button.isEnabled()
    assert view.publish(dialog.reason()) == 2  # the example notice was published once
    override = [
        c
        for c in demo_register.history.changes(entity_type="notice", entity_id=stored.id)
        if c.field == "override"
    ]
    # The example's own publishing, and this one, each with its reason.
    assert len(override) == 2
    assert "Retention agreed at the records panel" in {c.new_value for c in override}
    published = demo_register.notices.get(stored.id).published[-1].text
    assert "[To complete" not in published


def test_a_childrens_notice_lists_hard_register_text_for_plain_words_and_keeps_them(  # type: ignore[no-untyped-def]
    qtbot, view: NoticesView, demo_register: Register, tmp_path: Path
) -> None:
    notice = view.create_notice("For young people")
    assert notice.id is not None
    view.audience_combo.setCurrentIndex(view.audience_combo.findData("children"))
    for name in demo_register.activity_list.business_functions():
        view.function_model.set_checked(name, True)
    view.refresh_preview()
    table = view.wording_table
    rows = {table.item(r, 0).data(Qt.ItemDataRole.UserRole): r for r in range(table.rowCount())}
    hard = next(k for k in rows if k.startswith("Families are not required by law"))
    assert "(school grade 13.5)" in table.item(rows[hard], 0).text()
    table.item(rows[hard], 1).setText("Your family does not have to tell us things.")
    view.choices_edit.setPlainText("- Stop our newsletter: use the unsubscribe link.")
    view.sar_url_edit.setText("https://www.northfield.gov.uk.example/sar")
    view.sar_url_edit.textEdited.emit("")
    view.save()
    stored = demo_register.notices.get(notice.id)
    assert stored.plain_wording == {hard: "Your family does not have to tell us things."}
    assert stored.choices == "- Stop our newsletter: use the unsubscribe link."
    assert stored.sar_url == "https://www.northfield.gov.uk.example/sar"
    view.refresh_preview()
    assert view.document is not None and hard not in view.document.hard_text
    view.editor_tabs.setCurrentIndex(3)
    view.resize(1400, 900)
    view.grab().save(str(tmp_path / "plain-wording.png"))
    view.grab().save("/tmp/nt/plain-wording.png")
