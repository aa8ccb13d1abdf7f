"""The Word notice: a well-formed package built from our own template, read back with
python-docx, with whatever people typed kept as text."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from lxml import etree

from ropa.notices import NoticeRecord, NoticeSectionEntry, build_document, render_notice
from ropa.notices.content import Block
from ropa.notices.docx_writer import docx_bytes
from ropa.register import Register
from tests.helpers.activities import sample_activity

NASTY = "bell\x07 nul\x00 esc\x1b del\x7f c1\x85 nonchar\ufffe"
MARKUP = '</w:t></w:r></w:p><w:p><w:r><w:t>injected</w:t> & "quotes" ]]> <!-- c -->'


@pytest.fixture
def nasty_draft(register: Register) -> NoticeRecord:
    activity = register.activities.create(
        sample_activity(purposes=[MARKUP, NASTY], recipients=["Police & co"])
    )
    assert activity.id is not None
    register.organisation.update({"name": "Northfield <Borough> Council"})
    return NoticeRecord(
        title="Notice & <title>",
        activity_ids=[activity.id],
        sections=[NoticeSectionEntry("MASH", "- first\n- second")],
    )


def _package(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def test_every_part_is_well_formed_and_declared(
    register: Register, nasty_draft: NoticeRecord
) -> None:
    data = render_notice(register, nasty_draft, "docx")
    assert isinstance(data, bytes)
    parts = _package(data)
    assert next(iter(parts)) == "[Content_Types].xml"
    trees = {name: etree.fromstring(content) for name, content in parts.items()}
    declared = {
        element.get("PartName").lstrip("/")
        for element in trees["[Content_Types].xml"]
        if element.get("PartName")
    }
    assert declared == {name for name in parts if not name.endswith(".rels")} - {
        "[Content_Types].xml"
    }
    for rels in ("_rels/.rels", "word/_rels/document.xml.rels"):
        base = "" if rels == "_rels/.rels" else "word/"
        for relationship in trees[rels]:
            assert base + relationship.get("Target") in parts, relationship.get("Target")


def test_word_reads_the_notice_with_its_styles_header_and_page_numbers(
    register: Register, nasty_draft: NoticeRecord
) -> None:
    built = build_document(register, nasty_draft)
    document = docx.Document(io.BytesIO(docx_bytes(built)))
    paragraphs = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Title", "DRAFT: Notice & <title>")
    assert paragraphs[1] == (
        "Subtitle",
        f"Northfield <Borough> Council · Last updated {built.last_updated}",
    )
    assert ("Heading 1", "MASH") in paragraphs
    assert ("List Bullet", "first") in paragraphs and ("List Bullet", "second") in paragraphs
    assert ("List Bullet", "Police & co") in paragraphs
    assert any(style == "To complete" for style, _ in paragraphs)  # a gap the DPO must fill
    # The bullet list style is tied to a bullet in the numbering part.
    bullet = document.styles["List Bullet"].element
    assert bullet.xpath("./w:pPr/w:numPr/w:numId/@w:val") == ["1"]
    numbering = document.part.numbering_part.element
    assert numbering.xpath("//w:num[@w:numId='1']//w:abstractNumId/@w:val") == ["0"]
    assert numbering.xpath("//w:abstractNum[@w:abstractNumId='0']//w:numFmt/@w:val") == ["bullet"]

    section = document.sections[0]
    sizes = (section.page_width, section.page_height, section.left_margin, section.top_margin)
    assert [round(size.cm, 1) if size is not None else None for size in sizes] == [
        21.0,
        29.7,
        2.5,
        2.2,
    ]
    assert section.header.paragraphs[0].text == (
        f"DRAFT: Notice & <title>\tLast updated {built.last_updated}"
    )
    footer = section.footer._element.xml
    assert "NUMPAGES" in footer and " PAGE " in footer
    properties = document.core_properties
    assert properties.title == "DRAFT: Notice & <title>"
    assert properties.author == "Northfield <Borough> Council"
    assert properties.language == "en-GB"


def test_typed_text_stays_text_and_loses_what_xml_cannot_hold(
    register: Register, nasty_draft: NoticeRecord
) -> None:
    built = build_document(register, nasty_draft)
    # Text the register would not hand over (a lone surrogate, a tab, a line break) may
    # still reach the writer from a notice built another way.
    built.sections[0].blocks.append(Block("paragraph", "lone\ud800 half"))
    built.sections[0].blocks.append(Block("paragraph", "Tab\there and a line\r\nbreak"))
    document = docx.Document(io.BytesIO(docx_bytes(built)))
    texts = [paragraph.text for paragraph in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert MARKUP in texts  # one paragraph, shown as typed: nothing was injected
    assert "injected" not in [text.strip() for text in texts]
    assert "bell nul esc del c1 nonchar" in texts and "lone half" in texts
    assert "Tab\there and a line\nbreak" in texts
    assert not any(re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe]", text) for text in texts)


def test_the_same_notice_gives_the_same_bytes(
    register: Register, nasty_draft: NoticeRecord
) -> None:
    built = build_document(register, nasty_draft)
    assert docx_bytes(built) == docx_bytes(built)
