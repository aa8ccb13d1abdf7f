"""Rendering: hostile text stays text in every format, custom templates are sandboxed, Word
documents open with the notice in them, and writers are chosen by file suffix."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import docx
import pytest

from ropa.errors import RopaError
from ropa.notice_writers import DOMAIN_FORMATS, NoticeWriters
from ropa.notices import (
    NoticeRecord,
    NoticeSectionEntry,
    TemplateError,
    build_document,
    builtin_template_path,
    render_notice,
)
from ropa.notices.render import DOMAIN_WRITERS, custom_template_format, markdown_escape
from ropa.register import Register
from tests.helpers.activities import sample_activity

HOSTILE = "<script>alert('x')</script> {{ 7*7 }} {% for x in y %}*bold* [link](javascript:1)"


@pytest.fixture
def hostile_draft(register: Register) -> NoticeRecord:
    activity = register.activities.create(
        sample_activity(purposes=[HOSTILE], recipients=["<b>Police</b> & co"])
    )
    assert activity.id is not None
    register.organisation.update({"name": "<img src=x onerror=alert(1)> Council"})
    return NoticeRecord(
        title="Notice {{ 7*7 }} <i>",
        introduction=HOSTILE,
        contact_text="{% raw %}",
        activity_ids=[activity.id],
        sections=[NoticeSectionEntry("{{ config }}", "- {{ 6*7 }}\n- <u>under</u>")],
    )


def test_html_escapes_user_text_and_never_evaluates_it(
    register: Register, hostile_draft: NoticeRecord
) -> None:
    html = render_notice(register, hostile_draft, "html")
    assert isinstance(html, str)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt; Council" in html
    assert "&lt;b&gt;Police&lt;/b&gt; &amp; co" in html
    assert "{{ 7*7 }}" in html and "49" not in html and "42" not in html
    assert "{% for x in y %}" in html
    assert '<h2 id="extra-1">{{ config }}</h2>' in html
    assert "<li>&lt;u&gt;under&lt;/u&gt;</li>" in html


def test_html_makes_email_and_web_addresses_links_and_nothing_else(register: Register) -> None:
    register.organisation.update(
        {
            "name": "Riverside Council",
            "dpo_email": "dpo@riverside.example",
            "complaints_contact": (
                'Write to "<b>x@y.example</b>" or see https://riverside.example/complaints. '
                'Not javascript:alert(1), not https://a.example/"onmouseover=alert(1)'
            ),
        }
    )
    activity = register.activities.create(sample_activity())
    draft = NoticeRecord(title="Notice", activity_ids=[activity.id or 0])
    html = render_notice(register, draft, "html")
    assert isinstance(html, str)
    assert 'Email: <a href="mailto:dpo@riverside.example">dpo@riverside.example</a>' in html
    assert (
        '&lt;b&gt;<a href="mailto:x@y.example">x@y.example</a>&lt;/b&gt;' in html
        and '<a href="https://riverside.example/complaints">https://riverside.example/complaints'
        "</a>."
        in html
    )
    assert '<a href="https://ico.org.uk/make-a-complaint">' in html
    assert "javascript:alert(1)," in html and 'href="javascript' not in html
    assert '<a href="https://a.example/">https://a.example/</a>&#34;onmouseover=alert(1)' in html


def test_markdown_and_text_print_template_syntax_literally(
    register: Register, hostile_draft: NoticeRecord
) -> None:
    markdown = render_notice(register, hostile_draft, "md")
    text = render_notice(register, hostile_draft, "txt")
    assert isinstance(markdown, str) and isinstance(text, str)
    assert "{{ 7\\*7 }}" in markdown
    assert "\\<script\\>" in markdown
    assert "\\*bold\\* \\[link\\](javascript:1)" in markdown
    assert "{{ 7*7 }}" in text and "{% for x in y %}" in text and "{% raw %}" in text
    assert "49" not in text


def test_markdown_escape_leaves_plain_words_alone() -> None:
    assert markdown_escape("Children Act 1989, s.17 (support)") == (
        "Children Act 1989, s.17 (support)"
    )
    assert markdown_escape("# not a heading") == "\\# not a heading"
    assert markdown_escape("1. not a list") == "1\\. not a list"
    assert markdown_escape("a_b | c &amp;") == "a\\_b \\| c \\&amp;"


def test_text_is_wrapped_for_reading(register: Register, hostile_draft: NoticeRecord) -> None:
    text = render_notice(register, hostile_draft, "txt")
    assert isinstance(text, str)
    long_lines = [line for line in text.splitlines() if len(line) > 78 and " " in line.strip()]
    assert long_lines == []
    assert "\n\n\n" not in text


def test_a_dpo_template_is_used_for_its_format_only(register: Register, tmp_path: Path) -> None:
    template = tmp_path / "our-notice.html.j2"
    template.write_text(
        "<h1>OURS {{ notice.title }}</h1>{% for s in notice.sections %}<h2>{{ s.heading }}</h2>"
        "{% endfor %}",
        encoding="utf-8",
    )
    draft = NoticeRecord(title="<T>", template=str(template))
    html = render_notice(register, draft, "html")
    assert isinstance(html, str)
    # A draft's title says so, in a DPO's own template too.
    assert html.startswith("<h1>OURS DRAFT: &lt;T&gt;</h1>")
    assert "<h2>Who we are</h2>" in html
    markdown = render_notice(register, draft, "md")
    assert isinstance(markdown, str) and markdown.startswith("# DRAFT: \\<T\\>")


def test_a_dpo_template_cannot_reach_into_the_program(register: Register, tmp_path: Path) -> None:
    template = tmp_path / "evil.txt.j2"
    template.write_text("{{ notice.__class__.__mro__ }}{{ ''.__class__.__subclasses__() }}")
    draft = NoticeRecord(title="T", template=str(template))
    with pytest.raises(TemplateError) as raised:
        render_notice(register, draft, "txt")
    assert "evil.txt.j2" in str(raised.value)
    mutating = tmp_path / "mutate.txt.j2"
    mutating.write_text("{{ notice.sections.append(1) }}")
    with pytest.raises(TemplateError):
        render_notice(register, NoticeRecord(title="T", template=str(mutating)), "txt")


def test_a_broken_or_missing_template_is_named_with_its_line(
    register: Register, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.md.j2"
    broken.write_text("line one\n{% for %}\n")
    with pytest.raises(TemplateError, match=r"broken\.md\.j2, line 2"):
        render_notice(register, NoticeRecord(title="T", template=str(broken)), "md")
    with pytest.raises(TemplateError, match="cannot be found"):
        render_notice(
            register, NoticeRecord(title="T", template=str(tmp_path / "gone.md.j2")), "md"
        )


def test_builtin_templates_can_be_copied_and_used(register: Register, tmp_path: Path) -> None:
    for fmt in ("html", "md", "txt"):
        copy = tmp_path / f"copy.{fmt}.j2"
        copy.write_text(builtin_template_path(fmt).read_text(encoding="utf-8"), encoding="utf-8")
        assert custom_template_format(copy) == fmt
        draft = NoticeRecord(title="Copied")
        assert render_notice(register, draft, fmt) == render_notice(
            register, NoticeRecord(title="Copied", template=str(copy)), fmt
        )


def test_word_document_holds_the_notice_with_headings_and_page_numbers(
    register: Register, hostile_draft: NoticeRecord
) -> None:
    data = render_notice(register, hostile_draft, "docx")
    assert isinstance(data, bytes)
    document = docx.Document(io.BytesIO(data))
    paragraphs = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Title", "DRAFT: Notice {{ 7*7 }} <i>")
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert headings[:2] == ["Who we are", "The law that lets us use your information"]
    assert "{{ config }}" in headings
    # The purpose, on the activity's one basis, is a bullet, as typed.
    assert ("List Bullet", HOSTILE) in paragraphs
    footer_xml = document.sections[0].footer._element.xml
    assert "NUMPAGES" in footer_xml and "PAGE" in footer_xml


def test_writers_are_chosen_by_suffix_and_unknown_ones_refused(
    register: Register, tmp_path: Path
) -> None:
    domain = NoticeWriters.domain()
    assert domain.formats() == ["docx", "html", "md", "txt"]
    with pytest.raises(RopaError, match=r"\.odt"):
        domain.writer_for(".odt")
    with pytest.raises(RopaError, match="PDF needs the desktop part"):
        domain.writer_for("PDF")
    shouting = domain.adding(".SHOUT", lambda document: document.title.upper())
    document = build_document(register, NoticeRecord(title="quiet"))
    target = tmp_path / "notice.shout"
    shouting.write_file(document, target)
    assert target.read_text(encoding="utf-8") == "QUIET"
    html_target = tmp_path / "notice.htm"
    shouting.write_file(document, html_target)
    assert re.search(r"<title>DRAFT: quiet</title>", html_target.read_text(encoding="utf-8"))


def test_writers_are_a_value_that_adding_to_never_changes(register: Register) -> None:
    domain = NoticeWriters.domain()
    handed_in = {"md": domain.writer_for("md")}
    only_markdown = NoticeWriters(handed_in)
    handed_in["odt"] = lambda document: "changed behind its back"
    with_pdf = only_markdown.adding("pdf", lambda document: b"%PDF-")
    # Neither the mapping it was made from nor a value made from it changes it.
    assert only_markdown.formats() == ["md"]
    assert with_pdf.formats() == ["md", "pdf"]
    assert NoticeWriters.domain().formats() == ["docx", "html", "md", "txt"]
    with pytest.raises(TypeError):
        only_markdown.by_suffix["pdf"] = lambda document: b""  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        only_markdown.by_suffix = {}  # type: ignore[misc]
    document = build_document(register, NoticeRecord(title="Valued"))
    assert with_pdf.writer_for(".pdf")(document) == b"%PDF-"
    assert with_pdf.writer_for("markdown")(document) == domain.writer_for("md")(document)


def test_the_domain_writers_are_the_renderers_loaded_on_first_use(register: Register) -> None:
    assert sorted(DOMAIN_WRITERS) == sorted(DOMAIN_FORMATS)
    domain = NoticeWriters.domain()
    draft = NoticeRecord(title="Same either way")
    document = build_document(register, draft)
    for fmt in ("html", "md", "txt"):
        assert domain.writer_for(fmt)(document) == render_notice(register, draft, fmt)
    assert domain.writer_for("docx")(document)[:2] == b"PK"
    with pytest.raises(RopaError, match="not “pdf”"):
        render_notice(register, draft, "pdf")
