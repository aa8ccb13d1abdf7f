"""The notice as a Word document, so the DPO can finish the draft in Word.

Built with python-docx's own styles (Title, Heading 1 and 2, List Bullet), so the document
stays easy to restyle in Word; the header carries the title and the footer "Page X of Y".
"""

from __future__ import annotations

import io
import re
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.parser import oxml_parser
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from ropa.notices.content import NoticeDocument

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_HEADING_COLOUR = RGBColor(0x0B, 0x3D, 0x5C)
_TODO_COLOUR = RGBColor(0x8A, 0x1F, 0x11)


def docx_bytes(notice: NoticeDocument) -> bytes:
    document = Document()
    _set_up_page(document, notice)
    document.core_properties.title = notice.title
    document.core_properties.author = notice.organisation.name
    document.core_properties.language = "en-GB"

    styles = document.styles
    bullet, heading1, heading2 = (
        styles[name].style_id for name in ("List Bullet", "Heading 1", "Heading 2")
    )
    document.add_paragraph(notice.title, style="Title")
    meta = document.add_paragraph()
    meta.add_run(
        " · ".join(
            part
            for part in (notice.organisation.name, f"Last updated {notice.last_updated}")
            if part
        )
    ).italic = True
    for paragraph in notice.introduction:
        _styled(document, paragraph)
    for section in notice.sections:
        heading = _styled(document, section.heading, heading1)
        _colour(heading, _HEADING_COLOUR)
        for block in section.blocks:
            if block.kind == "paragraph":
                _styled(document, block.text)
            elif block.kind == "subheading":
                _styled(document, block.text, heading2)
            elif block.kind == "todo":
                run = _styled(document, "").add_run(block.text)
                run.bold = True
                run.font.color.rgb = _TODO_COLOUR
            elif block.kind == "list":
                for item in block.entries:
                    _styled(document, item, bullet)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


_P, _PPR, _PSTYLE, _R, _T = (qn(tag) for tag in ("w:p", "w:pPr", "w:pStyle", "w:r", "w:t"))
_VAL, _SPACE = qn("w:val"), qn("xml:space")


def _styled(document: Any, text: str, style_id: str | None = None) -> Paragraph:
    """A paragraph at the end of the body, built as XML directly.  python-docx's own
    add_paragraph, style and text setters search the body and the style list on every
    call, which made a 500-activity notice take seconds; the elements are made with the
    parser's makeelement (python-docx's element classes, without re-reading namespace
    declarations each time)."""
    make = oxml_parser.makeelement
    element = make(_P)
    if style_id:
        properties = make(_PPR)
        properties.append(make(_PSTYLE, {_VAL: style_id}))
        element.append(properties)
    if text:
        run = make(_R)
        text_element = make(_T, {_SPACE: "preserve"})
        # XML cannot hold control characters; a stray one pasted from elsewhere is dropped.
        text_element.text = _CONTROL_CHARACTERS.sub("", text)
        run.append(text_element)
        element.append(run)
    body = document.element.body
    body.insert(len(body) - 1, element)  # before the final sectPr, which stays last
    return Paragraph(element, document._body)


def _set_up_page(document: object, notice: NoticeDocument) -> None:
    body_style = document.styles["Normal"]  # type: ignore[attr-defined]
    body_style.font.name = "Arial"
    body_style.font.size = Pt(11)
    for section in document.sections:  # type: ignore[attr-defined]
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.2)
        header = section.header.paragraphs[0]
        header.text = f"{notice.title} · {notice.last_updated}"
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for run in header.runs:
            run.font.size = Pt(9)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run("Page ")
        _add_field(footer, "PAGE")
        footer.add_run(" of ")
        _add_field(footer, "NUMPAGES")
        for run in footer.runs:
            run.font.size = Pt(9)


def _add_field(paragraph: Paragraph, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays out the pages."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = code
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    placeholder = OxmlElement("w:t")
    placeholder.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instruction, separate, placeholder, end):
        run._r.append(element)


def _colour(paragraph: Paragraph, colour: RGBColor) -> None:
    for run in paragraph.runs:
        run.font.color.rgb = colour
