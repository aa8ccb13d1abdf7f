"""Privacy notices generated from the register.

    service = NoticeService(register)
    notice = service.create(title="Children and families privacy notice",
                            business_functions=["Children's social care"])
    html = render_notice(register, notice.id, "html")
    service.publish(notice.id)

Formats are written by writers registered by file suffix (md, html, txt and docx here; the
desktop layer adds pdf with `register_writer`).
"""

from ropa.dates import british_date
from ropa.notices.content import (
    Block,
    NoticeDocument,
    NoticeWarning,
    Section,
    build_document,
    compose,
)
from ropa.notices.readability import ReadabilityReport, VagueWord, assess
from ropa.notices.records import AUDIENCES, NoticeRecord, NoticeSectionEntry, PublishedVersion
from ropa.notices.render import (
    TemplateError,
    builtin_template_path,
    formats,
    register_writer,
    render_html,
    render_markdown,
    render_notice,
    render_text,
    write_notice_file,
    writer_for,
)
from ropa.notices.service import NoticeService


def readability(document: NoticeDocument) -> ReadabilityReport:
    """Reading ease for the notice's audience, and the vague words it uses."""
    return assess(document.all_text(), document.notice.audience, document.audience_label)


__all__ = [
    "AUDIENCES",
    "Block",
    "NoticeDocument",
    "NoticeRecord",
    "NoticeSectionEntry",
    "NoticeService",
    "NoticeWarning",
    "PublishedVersion",
    "ReadabilityReport",
    "Section",
    "TemplateError",
    "VagueWord",
    "british_date",
    "build_document",
    "builtin_template_path",
    "compose",
    "formats",
    "readability",
    "register_writer",
    "render_html",
    "render_markdown",
    "render_notice",
    "render_text",
    "write_notice_file",
    "writer_for",
]
