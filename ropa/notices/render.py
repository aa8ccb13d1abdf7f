"""Rendering a notice with Jinja2, and the writers for each file format.

What people typed is always data handed to a template, never part of a template's source,
so "{{ 7*7 }}" in an introduction prints as typed.  HTML is autoescaped; Markdown escapes
the characters Markdown would read as formatting.  A DPO's own template runs in Jinja2's
immutable sandbox, so it can lay the notice out but cannot reach into the program.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from ropa.errors import RopaError
from ropa.notices.content import DRAFT_NOTE, NoticeDocument
from ropa.notices.records import NoticeRecord
from ropa.paths import resource

# Built-in templates, by the format they write.
TEMPLATE_FORMATS = ("html", "md", "txt")
TEXT_WIDTH = 78

Writer = Callable[[NoticeDocument], "str | bytes"]


class TemplateError(RopaError):
    """A notice template cannot be read or used."""


# --- filters ---------------------------------------------------------------------------------

_MD_INLINE = re.compile(r"([\\`*_\[\]<>|])")
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_MD_LINE_START = re.compile(r"^(\s*)(?:([#+=>-])|(\d+)([.)]))")


def markdown_escape(value: Any) -> str:
    """Text as Markdown shows it literally: emphasis, links, code, tables and HTML are
    escaped everywhere, and headings, lists and quotes where they would start a line."""
    text = " ".join(str(value).split())
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_ENTITY.sub(r"\\&", text)
    return _MD_LINE_START.sub(_escape_line_start, text)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker, number, delimiter = match.groups()
    return indent + ("\\" + marker if marker else number + "\\" + delimiter)


def wrap_text(value: Any, width: int = TEXT_WIDTH, bullet: str = "") -> str:
    return textwrap.fill(
        " ".join(str(value).split()),
        width=width,
        initial_indent=bullet,
        subsequent_indent=" " * len(bullet),
        break_long_words=False,
        break_on_hyphens=False,
    )


def _add_filters(environment: jinja2.Environment) -> jinja2.Environment:
    environment.filters["md"] = markdown_escape
    environment.filters["wrap"] = wrap_text
    environment.filters["linked"] = link_addresses
    return environment


# Web addresses (http and https only) and email addresses in text, to be made links.
_LINKABLE = re.compile(
    r"(?P<web>https?://[^\s<>\"']*[^\s<>\"'.,;:!?)])"
    # An address starts where a run of its characters starts: without the look-behind, a
    # long run with no @ (a pasted megabyte) is scanned again from each of its characters.
    r"|(?P<email>(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
)


def link_addresses(text: str) -> Markup:
    """Text as HTML, escaped, with its web and email addresses made links, so that a reader
    of the council's page can write to the DPO or open the ICO's site from the notice."""
    parts: list[Markup] = []
    last = 0
    for found in _LINKABLE.finditer(text):
        address = found.group(0)
        target = address if found.group("web") else f"mailto:{address}"
        parts.append(escape(text[last : found.start()]))
        parts.append(Markup('<a href="{}">{}</a>').format(target, address))
        last = found.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


@cache
def _builtin_environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resource("notices")),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return _add_filters(environment)


def _custom_environment(folder: Path, autoescape: bool) -> jinja2.Environment:
    environment = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=autoescape,
        keep_trailing_newline=True,
    )
    return _add_filters(environment)


def builtin_template_path(fmt: str) -> Path:
    """Where the built-in template for a format lives (for "copy this template")."""
    return resource("notices", f"notice.{fmt}.j2")


def custom_template_format(path: str | Path) -> str | None:
    """The format a DPO's template writes, from its name: notice.html.j2 or notice.html."""
    suffixes = [s.lstrip(".").lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] in ("j2", "jinja", "jinja2"):
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in ("htm", "html"):
        return "html"
    return suffixes[-1] if suffixes and suffixes[-1] in TEMPLATE_FORMATS else None


# --- the template's view of a notice ---------------------------------------------------------


def template_context(document: NoticeDocument, fmt: str) -> dict[str, Any]:
    """The notice as plain values (dicts, lists, text): a template reads it, nothing more."""
    notice = {
        # A draft's title says so ("DRAFT: ..."), in a DPO's own template too.
        "title": document.marked_title,
        "draft": document.draft,
        "draft_note": DRAFT_NOTE if document.draft else "",
        "audience": document.audience_label,
        "audience_code": document.notice.audience,
        "layer": document.layer,
        "introduction": document.introduction,
        "last_updated": document.last_updated,
        "organisation": dataclasses.asdict(document.organisation),
        "sections": [dataclasses.asdict(section) for section in document.sections],
        "activities": [
            {"reference": a.reference, "name": a.name, "business_function": a.business_function}
            for a in document.activities
        ],
    }
    context: dict[str, Any] = {"notice": notice}
    if fmt == "html":
        # Our own stylesheet, not user text: safe to insert as it is.
        css = resource("notices", "notice.css").read_text(encoding="utf-8")
        context["stylesheet"] = Markup(css)
    return context


def _template_for(document: NoticeDocument, fmt: str) -> jinja2.Template:
    custom = document.notice.template.strip()
    if custom and custom_template_format(custom) == fmt:
        path = Path(custom).expanduser()
        if not path.is_file():
            raise TemplateError(
                f"The notice's template {path} cannot be found. Choose the template file again, "
                "or clear it to use the built-in template."
            )
        try:
            environment = _custom_environment(path.parent, autoescape=fmt == "html")
            return environment.get_template(path.name)
        except jinja2.TemplateSyntaxError as error:
            raise TemplateError(
                f"The template {path}, line {error.lineno}, has a mistake: {error.message}. "
                "Correct it, or clear the notice's template to use the built-in one."
            ) from error
        except (OSError, UnicodeDecodeError) as error:
            raise TemplateError(f"The template {path} cannot be read: {error}.") from error
    return _builtin_environment().get_template(f"notice.{fmt}.j2")


def render_with_template(document: NoticeDocument, fmt: str) -> str:
    template = _template_for(document, fmt)
    try:
        text = template.render(template_context(document, fmt))
    except SecurityError as error:
        raise TemplateError(
            f"The template {document.notice.template} tried something templates may not do "
            f"({error}). Remove that part of the template."
        ) from error
    except jinja2.TemplateError as error:
        raise TemplateError(
            f"The template {template.filename or fmt} failed while writing the notice: "
            f"{error}. Correct it, or clear the notice's template to use the built-in one."
        ) from error
    if fmt in ("md", "txt"):
        text = re.sub(r"[ \t]+\n", "\n", text)
        text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return text


def render_html(document: NoticeDocument) -> str:
    return render_with_template(document, "html")


def render_markdown(document: NoticeDocument) -> str:
    return render_with_template(document, "md")


def render_text(document: NoticeDocument) -> str:
    return render_with_template(document, "txt")


def render_docx(document: NoticeDocument) -> bytes:
    from ropa.notices.docx_writer import docx_bytes

    return docx_bytes(document)


# --- the formats the domain writes ----------------------------------------------------------

# Read-only: which formats a program writes is the NoticeWriters value it builds at start
# (ropa/notice_writers.py), which hands these out and adds PDF in the desktop app.
DOMAIN_WRITERS: Mapping[str, Writer] = MappingProxyType(
    {"html": render_html, "md": render_markdown, "txt": render_text, "docx": render_docx}
)


class NoticeDocuments(Protocol):
    def document(self, notice: int | NoticeRecord, *, layer: str = "full") -> NoticeDocument: ...


class NoticeSource(Protocol):
    """An open register (ropa/register.py) as far as rendering its notices goes: structural,
    as ropa/notices/service.py (which the register builds) imports this module."""

    @property
    def notices(self) -> NoticeDocuments: ...


def render_notice(
    register: NoticeSource, notice_id_or_draft: int | NoticeRecord, fmt: str, *, layer: str = "full"
) -> str | bytes:
    """The notice in one of the domain's formats: text for html, md and txt; bytes for docx.
    (Files of any format the program writes, PDF too, come from its NoticeWriters.)"""
    writer = DOMAIN_WRITERS.get(fmt)
    if writer is None:
        raise RopaError(
            f"A notice is rendered here as one of {', '.join(sorted(DOMAIN_WRITERS))}, not “{fmt}”."
        )
    return writer(register.notices.document(notice_id_or_draft, layer=layer))
