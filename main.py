"""ROPA desk's entry point: `python main.py` and the installed `ropa` command are the same.

This is the composition root, the one module allowed to join the Qt-free domain (ropa/) to
the desktop layer (ui/): it hands the command line the desktop app and the Qt-based writers
(PDF) that it cannot import itself.  Both are imported only when used, so a command that
needs neither never loads Qt, and the app never loads the notice writers at start-up.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ropa import cli

if TYPE_CHECKING:
    from ropa.notices import NoticeDocument


def _notice_pdf(document: NoticeDocument) -> bytes:
    from ui.notice_print import notice_pdf_bytes

    return notice_pdf_bytes(document)


def install_writers() -> None:
    """Give the domain the writers that need the desktop layer."""
    from ropa.notices import register_writer

    register_writer("pdf", _notice_pdf)


def open_app(register_path: Path | str) -> int:
    import platformdirs

    from ropa.paths import APP_NAME
    from ui.app import run_app
    from ui.error_reports import install_error_dialogs

    # Only the running app: an error no window caught becomes a dialog and a log entry.
    install_error_dialogs(platformdirs.user_log_path(APP_NAME) / "ropa-desk.log")
    return run_app(register_path)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, open_app=open_app, install_writers=install_writers)


if __name__ == "__main__":
    sys.exit(main())
