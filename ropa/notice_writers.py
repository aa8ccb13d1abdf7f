"""Which writer makes a notice file of each suffix: a value built once at start.

The domain writes md, html, txt and docx (`NoticeWriters.domain()`); the composition root
(main.py) adds what needs the desktop layer, PDF made with Qt, and hands the one value to the
command line and to the app.  Nothing changes it afterwards, so no part of the program changes
what another part can write, and a test builds the writers it needs without touching anyone
else's.

This module sits outside ropa/notices/ on purpose: importing anything in that package runs
its __init__, which loads Jinja2 and the notice services (about 0.7 s), and the app makes
this value before its window shows.  The domain's writers are loaded on first use instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from ropa.errors import RopaError
from ropa.files import write_bytes_atomically, write_text_atomically

if TYPE_CHECKING:
    from ropa.notices.content import NoticeDocument

Writer = Callable[["NoticeDocument"], "str | bytes"]

# The formats ropa/notices/render.py's DOMAIN_WRITERS write (a test checks the two agree).
DOMAIN_FORMATS = ("docx", "html", "md", "txt")

# Other spellings of a suffix that name the same format.
_SUFFIX_ALIASES = {"htm": "html", "markdown": "md"}


def _suffix_key(suffix: str) -> str:
    key = suffix.lower().lstrip(".")
    return _SUFFIX_ALIASES.get(key, key)


def _written_by_the_domain(fmt: str) -> Writer:
    def write(document: NoticeDocument) -> str | bytes:
        from ropa.notices.render import DOMAIN_WRITERS

        return DOMAIN_WRITERS[fmt](document)

    return write


@dataclass(frozen=True, eq=False)
class NoticeWriters:
    """Suffix -> writer, read-only.  `adding` makes a new value; this one never changes."""

    by_suffix: Mapping[str, Writer]

    def __post_init__(self) -> None:
        # A read-only copy: whoever passed the mapping cannot change this value through it.
        fixed = MappingProxyType({_suffix_key(s): w for s, w in self.by_suffix.items()})
        object.__setattr__(self, "by_suffix", fixed)

    @classmethod
    def domain(cls) -> NoticeWriters:
        """The formats the domain writes by itself, with no desktop layer."""
        return cls({fmt: _written_by_the_domain(fmt) for fmt in DOMAIN_FORMATS})

    def adding(self, suffix: str, writer: Writer) -> NoticeWriters:
        """These writers and `writer` for files ending in `.suffix` (replacing any)."""
        return NoticeWriters({**self.by_suffix, _suffix_key(suffix): writer})

    def formats(self) -> list[str]:
        return sorted(self.by_suffix)

    def writer_for(self, suffix: str) -> Writer:
        """The writer for `suffix` ("pdf", ".PDF", "htm"), or a RopaError naming the
        formats there are."""
        key = _suffix_key(suffix)
        writer = self.by_suffix.get(key)
        if writer is None:
            known = ", ".join(f".{name}" for name in self.formats())
            hint = " (PDF needs the desktop part of ROPA desk)" if key == "pdf" else ""
            raise RopaError(
                f"ROPA desk cannot write a notice as “.{key}”{hint}. Choose a file ending in "
                f"one of: {known}."
            )
        return writer

    def write_file(self, document: NoticeDocument, path: Path) -> None:
        """Write the notice to `path` in the format its suffix names, atomically."""
        output = self.writer_for(path.suffix)(document)
        if isinstance(output, bytes):
            write_bytes_atomically(path, output)
        else:
            write_text_atomically(path, output)
