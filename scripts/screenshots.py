"""Open every view on the example register at 1280x800 and save PNGs into docs/screenshots/.

QT_QPA_PLATFORM=offscreen /work/venv/bin/python scripts/screenshots.py [OUTPUT_FOLDER]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QWidget

from ropa.demo import write_demo
from ui.activity_editor import SECTIONS
from ui.app import make_application
from ui.main_window import MainWindow, Page
from ui.settings import AppSettings
from ui.workers import running_workers

SIZE = QSize(1280, 800)
PAGES = {
    "activities": Page.ACTIVITIES,
    "notices": Page.NOTICES,
    "libraries": Page.LIBRARIES,
    "organisation": Page.ORGANISATION,
    "checks": Page.CHECKS,
}


def settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def save(widget: QWidget, path: Path) -> None:
    settle()
    if not widget.grab().save(str(path)):
        raise SystemExit(f"Could not write {path}")
    print(path)


def main(output: Path) -> int:
    make_application()
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        register = write_demo(Path(folder) / "Northfield register.ropa")
        window = MainWindow(register, AppSettings.in_file(Path(folder) / "settings.ini"))
        window.resize(SIZE)
        window.show()
        settle()
        window.wait_for_background()
        settle()
        for name, page in PAGES.items():
            window.show_page(page)
            for worker in running_workers(window):  # e.g. the Checks page checking
                worker.wait()
            save(window, output / f"{name}.png")
        window.show_page(Page.ACTIVITIES)
        first = window.activities_page.model.rows[0].id
        editor = window.open_activity(first)
        assert editor is not None
        editor.resize(SIZE)
        editor.sections.setCurrentRow(1)  # purposes and lawful basis: the richest section
        save(editor, output / "activity-editor.png")
        review = next(n for n, (title, _f) in enumerate(SECTIONS) if title == "Review")
        editor.sections.setCurrentRow(review)  # status, approval and the review steps
        save(editor, output / "review.png")
        window.close()
        register.close()
    return 0


if __name__ == "__main__":
    default = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else default))
