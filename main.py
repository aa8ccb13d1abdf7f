"""ROPA desk's entry point: `python main.py` and the installed `ropa` command are the same.

This is the composition root, the one module allowed to join the Qt-free domain (ropa/) to
the desktop layer (ui/): it hands the command line the Qt-based writers (PDF) it cannot
import itself.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ropa import cli
from ropa.notices import NoticeDocument, register_writer


def _notice_pdf(document: NoticeDocument) -> bytes:
    # Imported here so that commands that write no PDF never load Qt.
    from ui.notice_print import notice_pdf_bytes

    return notice_pdf_bytes(document)


def install_writers() -> None:
    """Give the domain the writers that need the desktop layer."""
    register_writer("pdf", _notice_pdf)


def main(argv: Sequence[str] | None = None) -> int:
    install_writers()
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
