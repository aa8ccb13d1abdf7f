"""ROPA desk's entry point: `python main.py` and the installed `ropa` command are the same.

This is the composition root, the one module allowed to join the Qt-free domain (ropa/) to
the desktop layer (ui/).  It builds, once, what the rest is handed: the notice writers (the
domain's and PDF, made with Qt, which the domain cannot import), given to the command line and
to the app alike, and the way to start the app.  Qt and the writers' own code are imported only
when used, so a command that needs neither never loads Qt, and the app's start loads neither
Jinja2 nor the templates.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ropa import cli
from ropa.notice_writers import NoticeWriters

if TYPE_CHECKING:
    from ropa.notices.content import NoticeDocument


def _notice_pdf(document: NoticeDocument) -> bytes:
    from ui.notice_print import notice_pdf_bytes

    return notice_pdf_bytes(document)


def program_notice_writers() -> NoticeWriters:
    """Every format ROPA desk writes a notice in: the domain's, and PDF from the desktop."""
    return NoticeWriters.domain().adding("pdf", _notice_pdf)


def open_app(register_path: Path | str, notice_writers: NoticeWriters) -> int:
    import platformdirs

    from ropa.paths import APP_NAME
    from ui.app import run_app
    from ui.error_reports import install_error_dialogs

    # Only the running app: an error no window caught becomes a dialog and a log entry.
    install_error_dialogs(platformdirs.user_log_path(APP_NAME) / "ropa-desk.log")
    return run_app(register_path, notice_writers)


def main(argv: Sequence[str] | None = None) -> int:
    notice_writers = program_notice_writers()
    return cli.main(
        argv,
        open_app=lambda register_path: open_app(register_path, notice_writers),
        notice_writers=notice_writers,
    )


if __name__ == "__main__":
    sys.exit(main())
