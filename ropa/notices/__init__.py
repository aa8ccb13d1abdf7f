"""Privacy notices generated from the register.

    notice = register.notices.create(title="Children and families privacy notice",
                                     business_functions=["Children's social care"])
    html = render_notice(register, notice.id, "html")               # the full notice
    short = render_notice(register, notice.id, "html", layer="short")  # its first layer
    register.notices.publish(notice.id)    # refused (PublishRefused) while gaps remain

Files are written by a `NoticeWriters` value (ropa/notice_writers.py, outside this package so
that making it at start-up loads neither Jinja2 nor the templates): md, html, txt and docx from
`NoticeWriters.domain()`; main.py adds pdf (which needs Qt) and hands the result to the
command line and the app.
"""

from ropa.dates import british_date
from ropa.notices.content import (
    Block,
    NoticeDocument,
    NoticeWarning,
    Section,
    compose,
)
from ropa.notices.readability import ReadabilityReport, VagueWord, assess
from ropa.notices.records import (
    AUDIENCES,
    GROUPINGS,
    LAYERS,
    NoticeRecord,
    NoticeSectionEntry,
    PublishedVersion,
)
from ropa.notices.render import (
    TemplateError,
    builtin_template_path,
    render_html,
    render_markdown,
    render_notice,
    render_text,
)
from ropa.notices.service import NoticeService, PublishRefused, build_document


def readability(document: NoticeDocument) -> ReadabilityReport:
    """Reading ease for the notice's audience, and the vague words it uses."""
    return assess(document.all_text(), document.notice.audience, document.audience_label)


__all__ = [
    "AUDIENCES",
    "GROUPINGS",
    "LAYERS",
    "Block",
    "NoticeDocument",
    "NoticeRecord",
    "NoticeSectionEntry",
    "NoticeService",
    "NoticeWarning",
    "PublishRefused",
    "PublishedVersion",
    "ReadabilityReport",
    "Section",
    "TemplateError",
    "VagueWord",
    "british_date",
    "build_document",
    "builtin_template_path",
    "compose",
    "readability",
    "render_html",
    "render_markdown",
    "render_notice",
    "render_text",
]
