"""Desktop app start-up and search-as-you-type on a 10,000-activity register.

    /work/venv/bin/python bench/gui_start.py

Start-up is timed in fresh subprocesses (import to a shown, populated window), beside a bare
PySide6 QMainWindow with a QTableView over 10,000 rows started the same way, in the same run.
Search types a word letter by letter into the search box and times each filter update.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ACTIVITIES = 10_000
REGISTER = Path("/tmp/ropa-bench-gui-10000.ropa")
RUNS = 5
WORDS = ("safeguarding", "payroll", "school meals")

APP_CHILD = """
import sys, time, json, resource, tempfile
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from pathlib import Path
from ui.app import show_main_window
from ui.settings import AppSettings
# What `ropa open` runs, but for the event loop: open, build and show the window.
window = show_main_window(Path({path!r}), AppSettings.in_file(Path(tempfile.mkdtemp()) / "s.ini"))
from PySide6.QtWidgets import QApplication
QApplication.processEvents()
rows = window.activities_page.proxy.rowCount()
elapsed = time.perf_counter() - t0
window.wait_for_background()
settled = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": elapsed, "settled": settled, "rows": rows, "peak_mib": peak}}))
window.close()
"""

BARE_CHILD = """
import sys, time, json, resource
t0 = time.perf_counter()
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView
app = QApplication(sys.argv[:1])
ROWS = [(f"REF-{{i:05d}}", f"Activity {{i}}", "Function", "Draft", "1 January 2027", "")
        for i in range({count})]
class Model(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(ROWS)
    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else 6
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return ROWS[index.row()][index.column()]
        return None
window = QMainWindow()
view = QTableView()
view.setModel(Model())
window.setCentralWidget(view)
window.resize(1280, 800)
window.show()
app.processEvents()
elapsed = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": elapsed, "rows": view.model().rowCount(), "peak_mib": peak}}))
"""


def build_register() -> None:
    if REGISTER.exists():
        return
    from ropa.demo import demo_activities
    from ropa.register import Register

    templates = demo_activities()
    records = []
    for number in range(ACTIVITIES):
        record = templates[number % len(templates)]
        records.append(
            type(record)(
                **{
                    **record.__dict__,
                    "reference": f"B-{number:05d}",
                    "name": f"{record.name} {number}",
                    "id": None,
                    "version": 0,
                }
            )
        )
    partial = REGISTER.with_name(REGISTER.name + ".building")
    for leftover in REGISTER.parent.glob(partial.name + "*"):
        leftover.unlink()
    with Register.open(partial) as register:
        register.activities.create_many(records)
    partial.replace(REGISTER)


def run_child(code: str) -> dict[str, float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return figures


def time_search(
    location: Path | str = REGISTER, words: tuple[str, ...] = WORDS
) -> tuple[float, float, int]:
    """Median and slowest milliseconds per keystroke, and the rows the last search shows, in
    the main window over the register at `location` (a file or a team register's URL), as
    each of `words` is typed letter by letter."""
    import tempfile

    from PySide6.QtWidgets import QApplication

    from ropa.register import Register
    from ui.app import make_application
    from ui.main_window import MainWindow
    from ui.settings import AppSettings

    make_application()
    register = Register.open(location, create=False)
    window = MainWindow(register, AppSettings.in_file(Path(tempfile.mkdtemp()) / "s.ini"))
    window.show()
    QApplication.processEvents()
    window.wait_for_background()
    QApplication.processEvents()
    box = window.activities_page.search
    timings = []
    for word in words:
        box.clear()
        QApplication.processEvents()
        for letter in word:
            start = time.perf_counter()
            box.setText(box.text() + letter)  # textChanged: one filter update
            QApplication.processEvents()  # and the repaint of the table
            timings.append((time.perf_counter() - start) * 1000)
    shown = window.activities_page.proxy.rowCount()
    window.close()
    register.close()
    return statistics.median(timings), max(timings), shown


def main() -> int:
    build_register()
    # Taken in turn, so that a busy spell on the machine falls on both alike.
    app_runs, bare_runs = [], []
    for _ in range(RUNS):
        app_runs.append(run_child(APP_CHILD.format(root=str(ROOT), path=str(REGISTER))))
        bare_runs.append(run_child(BARE_CHILD.format(count=ACTIVITIES)))
    app_s = statistics.median(run["seconds"] for run in app_runs)
    bare_s = statistics.median(run["seconds"] for run in bare_runs)
    settled_s = statistics.median(run["settled"] for run in app_runs)
    app_peak = max(run["peak_mib"] for run in app_runs)
    bare_peak = max(run["peak_mib"] for run in bare_runs)
    assert all(run["rows"] == ACTIVITIES for run in app_runs), app_runs
    median_ms, worst_ms, shown = time_search()
    own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Register: {ACTIVITIES} activities ({REGISTER})")
    print(f"Start-up to a usable window, median of {RUNS}:")
    print(f"  ROPA desk                       {app_s:6.2f} s   peak {app_peak:5.0f} MiB")
    print(f"  bare QMainWindow + QTableView   {bare_s:6.2f} s   peak {bare_peak:5.0f} MiB")
    print(f"  ratio                           {app_s / bare_s:6.2f}x (target within 3x)")
    print(f"  ROPA desk with the background reads done (search text, checks) {settled_s:.2f} s")
    print(f"Search as you type ({sum(len(w) for w in WORDS)} keystrokes over {ACTIVITIES}):")
    print(f"  median per keystroke            {median_ms:6.1f} ms (target under 50 ms)")
    print(f"  slowest keystroke               {worst_ms:6.1f} ms; last search shows {shown}")
    print(f"  peak memory of this process     {own_peak:6.0f} MiB (with checks and search text)")
    sys.stdout.flush()
    os._exit(0)  # PySide6 can crash in interpreter finalisation; the figures are out


if __name__ == "__main__":
    sys.exit(main())
