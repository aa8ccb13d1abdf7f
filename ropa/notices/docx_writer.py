"""The notice as a Word document, so the DPO can finish the draft in Word.

The package is our own small template, resources/notices/docx/ (styles, bullet numbering,
settings, the "Page X of Y" footer), read once, with three parts written for each notice:
the body (word/document.xml), the header (the title and the date it was last updated) and
the document properties.  The body uses the template's built-in styles (Title, Heading 1 and
2, List Bullet), so the document stays easy to restyle in Word.

The XML is built as text, which is many times quicker than python-docx's object model for a
long notice.  Every piece of text goes through `_text`: characters XML 1.0 cannot hold are
dropped and &, < and > escaped, so what people typed stays text.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from functools import cache
from io import BytesIO
from pathlib import Path

from ropa.notices.content import DRAFT_NOTE, NoticeDocument
from ropa.paths import resource

TEMPLATE_FOLDER = resource("notices", "docx")

_WORD_NAMESPACE = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RELATIONSHIP_NAMESPACE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# A4 with 2.5 cm side margins and 2.2 cm top and bottom, in twentieths of a point.  The
# header's right tab stop in styles.xml sits at the text width, 11906 - 2 * 1418.
_SECTION = (
    '<w:sectPr><w:headerReference w:type="default" r:id="rId4"/>'
    '<w:footerReference w:type="default" r:id="rId5"/>'
    '<w:pgSz w:w="11906" w:h="16838"/>'
    '<w:pgMar w:top="1247" w:right="1418" w:bottom="1247" w:left="1418" '
    'w:header="624" w:footer="624" w:gutter="0"/></w:sectPr>'
)
# Characters XML 1.0 cannot hold (C0 controls but tab and newline, lone surrogates, U+FFFE
# and U+FFFF), with DEL and the C1 controls, which print as nothing or as boxes.
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # zip entry dates: the same notice gives the same bytes


def _text(value: str) -> str:
    """User text as the content of a w:t element: never markup."""
    return _NOT_TEXT.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).translate(_ESCAPES)


def _runs(value: str) -> str:
    """The runs of one paragraph's text; a tab or line break inside it is kept as one."""
    text = _text(value)
    if "\n" in text or "\t" in text:
        text = text.replace("\t", '</w:t><w:tab/><w:t xml:space="preserve">').replace(
            "\n", '</w:t><w:br/><w:t xml:space="preserve">'
        )
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>' if text else ""


def _paragraph(text: str, style: str | None = None) -> str:
    properties = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{properties}{_runs(text)}</w:p>"


_CELL_BORDER = '<w:{side} w:val="single" w:sz="4" w:space="0" w:color="B7C9D6"/>'
_TABLE_PROPERTIES = (
    '<w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>'
    + "".join(_CELL_BORDER.format(side=side) for side in ("top", "bottom", "insideH"))
    + '</w:tblBorders><w:tblCellMar><w:left w:w="0" w:type="dxa"/>'
    '<w:right w:w="113" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="0020" '
    'w:firstRow="1" w:firstColumn="0" w:lastRow="0" w:lastColumn="0" w:noHBand="1" '
    'w:noVBand="1"/></w:tblPr>'
)


def _cell(text: str, bold: bool) -> str:
    runs = _runs(text)
    if bold and runs:
        runs = runs.replace("<w:r>", "<w:r><w:rPr><w:b/></w:rPr>")
    return f"<w:tc><w:p>{runs}</w:p></w:tc>"


def _table(headings: list[str], rows: list[list[str]]) -> str:
    """A Word table whose first row is its header (repeated on each page, read out as
    headers by screen readers), then an empty paragraph, as Word keeps after a table."""
    header = (
        "<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>"
        + "".join(_cell(text, bold=True) for text in headings)
        + "</w:tr>"
    )
    body = "".join(
        "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
        + "".join(_cell(text, bold=False) for text in row)
        + "</w:tr>"
        for row in rows
    )
    width = 9070 // max(1, len(headings))  # the text width in twentieths of a point
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for _ in headings)
    return f"<w:tbl>{_TABLE_PROPERTIES}<w:tblGrid>{grid}</w:tblGrid>{header}{body}</w:tbl><w:p/>"


def docx_bytes(notice: NoticeDocument) -> bytes:
    parts = dict(_template_parts())
    parts["word/document.xml"] = _document_xml(notice).encode("utf-8")
    parts["word/header1.xml"] = _header_xml(notice).encode("utf-8")
    parts["docProps/core.xml"] = _core_properties_xml(notice).encode("utf-8")
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as package:
        # The content types come first, as Word writes them.
        for name in sorted(parts, key=lambda name: name != "[Content_Types].xml"):
            entry = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(entry, parts[name])
    return buffer.getvalue()


@cache
def _template_parts() -> dict[str, bytes]:
    """The template's files by their name in the package, read once per process."""
    folder = Path(TEMPLATE_FOLDER)
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _document_xml(notice: NoticeDocument) -> str:
    meta = " · ".join(
        part for part in (notice.organisation.name, f"Last updated {notice.last_updated}") if part
    )
    body = [_paragraph(notice.marked_title, "Title"), _paragraph(meta, "Subtitle")]
    if notice.draft:
        body.append(_paragraph(DRAFT_NOTE, "ToComplete"))
    body.extend(_paragraph(paragraph) for paragraph in notice.introduction)
    for section in notice.sections:
        body.append(_paragraph(section.heading, "Heading1"))
        for block in section.blocks:
            if block.kind == "paragraph":
                body.append(_paragraph(block.text))
            elif block.kind == "subheading":
                body.append(_paragraph(block.text, "Heading2"))
            elif block.kind == "todo":
                body.append(_paragraph(block.text, "ToComplete"))
            elif block.kind == "list":
                body.extend(_paragraph(item, "ListBullet") for item in block.entries)
            elif block.kind == "table":
                body.append(_table(block.entries, block.rows))
            elif block.kind == "link":
                body.append(_paragraph(" ".join(block.lines())))
    return (
        f'{_XML_DECLARATION}<w:document xmlns:w="{_WORD_NAMESPACE}" '
        f'xmlns:r="{_RELATIONSHIP_NAMESPACE}"><w:body>{"".join(body)}{_SECTION}'
        "</w:body></w:document>"
    )


def _header_xml(notice: NoticeDocument) -> str:
    # The title on the left, the date on the right (the Header style's right tab stop).
    line = _runs(f"{notice.marked_title}\tLast updated {notice.last_updated}")
    return (
        f'{_XML_DECLARATION}<w:hdr xmlns:w="{_WORD_NAMESPACE}">'
        f'<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr>{line}</w:p></w:hdr>'
    )


def _core_properties_xml(notice: NoticeDocument) -> str:
    # A naive time is the computer's local time; the properties carry it in UTC.
    generated = notice.generated_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"{_XML_DECLARATION}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_text(notice.marked_title)}</dc:title>"
        f"<dc:creator>{_text(notice.organisation.name)}</dc:creator>"
        "<dc:language>en-GB</dc:language>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{generated}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{generated}</dcterms:modified>'
        "</cp:coreProperties>"
    )
