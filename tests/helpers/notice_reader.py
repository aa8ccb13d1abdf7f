"""A notice as a reader sees it in each format: the words of the Markdown, HTML, Word and
PDF files, with formatting taken away and runs of white space as one space, so a test can
look for the sentence a reader reads (a table row reads as its cells one after another)."""

from __future__ import annotations

import html.parser
import io
import re
import subprocess
import unicodedata
from pathlib import Path

import docx

from ropa.notices import NoticeDocument, render_html, render_markdown
from ropa.notices.render import render_docx
from ui.notice_print import notice_pdf_bytes

FORMATS = ("md", "html", "docx", "pdf")


def squashed(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u2028", " ")
    return re.sub(r"\s+", " ", text).strip()


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "head"):
            self.skipping += 1
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head"):
            self.skipping -= 1
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_text(document: NoticeDocument) -> str:
    parser = _Text()
    parser.feed(render_html(document))
    return squashed("".join(parser.parts))


def markdown_text(document: NoticeDocument) -> str:
    text = render_markdown(document)
    text = re.sub(r"\\(.)", r"\1", text)  # escapes
    text = re.sub(r"^\|( --- \|)+$", " ", text, flags=re.MULTILINE)  # table rules
    text = re.sub(r"[|*#]", " ", text)
    return squashed(text)


def docx_text(document: NoticeDocument) -> str:
    """Paragraphs and table rows in the order Word shows them."""
    word = docx.Document(io.BytesIO(render_docx(document)))
    parts = []
    for element in word.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            parts.append("".join(t.text or "" for t in element.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for row in element.iter():
                if row.tag.endswith("}tr"):
                    cells = [
                        "".join(t.text or "" for t in cell.iter() if t.tag.endswith("}t"))
                        for cell in row
                        if cell.tag.endswith("}tc")
                    ]
                    parts.append(" ".join(cells))
    header = " ".join(p.text for s in word.sections for p in s.header.paragraphs)
    return squashed(header + " " + " ".join(parts))


def pdf_text(document: NoticeDocument, folder: Path) -> str:
    path = folder / "notice.pdf"
    path.write_bytes(notice_pdf_bytes(document))
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    # A long web address wraps after a "/" or "-": read it whole, as a reader does.
    text = squashed(result.stdout)
    while (joined := re.sub(r"(https?://\S*[/-]) (?=[a-z])", r"\1", text)) != text:
        text = joined
    return text


def reader_texts(document: NoticeDocument, folder: Path) -> dict[str, str]:
    return {
        "md": markdown_text(document),
        "html": html_text(document),
        "docx": docx_text(document),
        "pdf": pdf_text(document, folder),
    }
