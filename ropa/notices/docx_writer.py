"""The notice as a Word document, so the DPO can finish the draft in Word.

Built with python-docx's own styles (Title, Heading 1 and 2, List Bullet), so the document
stays easy to restyle in Word; the header carries the title and the footer "Page X of Y".
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from ropa.notices.content import NoticeDocument

_HEADING_COLOUR = RGBColor(0x0B, 0x3D, 0x5C)
_TODO_COLOUR = RGBColor(0x8A, 0x1F, 0x11)


def docx_bytes(notice: NoticeDocument) -> bytes:
    document = Document()
    _set_up_page(document, notice)
    document.core_properties.title = notice.title
    document.core_properties.author = notice.organisation.name
    document.core_properties.language = "en-GB"

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
        document.add_paragraph(paragraph)
    for section in notice.sections:
        heading = document.add_heading(section.heading, level=1)
        _colour(heading, _HEADING_COLOUR)
        for block in section.blocks:
            if block.kind == "paragraph":
                document.add_paragraph(block.text)
            elif block.kind == "subheading":
                document.add_heading(block.text, level=2)
            elif block.kind == "todo":
                run = document.add_paragraph().add_run(block.text)
                run.bold = True
                run.font.color.rgb = _TODO_COLOUR
            elif block.kind == "list":
                for item in block.entries:
                    document.add_paragraph(item, style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


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
