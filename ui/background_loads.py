"""What the activities list reads off the GUI thread: the search text and the Gaps column.

Both take a noticeable moment on a large register (the checks of thousands of activities take
seconds), so they are read by workers once the list has been drawn, and read again after
edits.  Each result is tagged with the register it was read from (`generation`) and with its
request number: a result of a register since closed, or of a read overtaken by a newer one,
is dropped rather than shown.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from ropa.register import Register
from ui.activities_page import ActivitiesPage
from ui.workers import CancelledFn, ProgressFn, Worker, cancel_and_wait_all


class AfterPaint(QObject):
    """Runs `action` once, as soon as `widget` has next been painted."""

    def __init__(self, widget: QWidget, action: Callable[[], object]) -> None:
        super().__init__(widget)
        self._action = action
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            # The filter sees the event before the widget paints: run once it is done.
            QTimer.singleShot(0, self._action)
            self.deleteLater()
        return False


class BackgroundLoads(QObject):
    """The background reads of one window's activities list.

    `owner` (the window) is the workers' owner, so that closing it stops and waits for them
    (ui.workers.cancel_and_wait_all)."""

    gaps_loaded = Signal()
    # A read failed: the words to show above the list.
    failed = Signal(str)

    def __init__(self, page: ActivitiesPage, register: Register, owner: QObject) -> None:
        super().__init__(owner)
        self._page = page
        self._owner = owner
        self.register = register
        self.workers: list[Worker] = []
        self._generation = 0
        self._pending = False
        self._gaps_request = 0  # the newest count asked for; older ones are dropped
        self._reset_texts()

    def _reset_texts(self) -> None:
        self.search_texts_loaded = False
        self._texts_request = 0  # the newest re-read of the search texts
        self._texts_shown = 0
        self._texts_reading: tuple[Worker | None, int] = (None, 0)

    # --- the register ---------------------------------------------------------------------

    def start_over(self, register: Register) -> None:
        """Another register is shown: what is still being read of the last one is dropped."""
        self.register = register
        self._generation += 1
        self._reset_texts()

    def start_after_paint(self) -> None:
        """Start once the list has been drawn, so that the window appears without waiting."""
        self._pending = True
        AfterPaint(self._page.table.viewport(), self.start_pending)

    def list_read_again(self) -> None:
        """The list was read again: search texts already read, or being read, would miss the
        change, so they are read again."""
        if self.search_texts_loaded or self._texts_request:
            self.refresh_search_texts()

    # --- search text ----------------------------------------------------------------------

    def ensure_search_texts(self, _text: str = "") -> None:
        """The first keystroke before the search text has arrived waits for the read under
        way (it is usually nearly done), or reads it now if none is."""
        if self.search_texts_loaded:
            return
        worker, request = self._texts_reading
        if worker is not None and shiboken6.isValid(worker) and request == self._texts_request:
            worker.wait()
            if worker.outcome is not None and worker.outcome[0]:
                self._set_search_texts(self._generation, worker.outcome[1], request)
                return
        self._texts_request += 1  # what a read still under way brings is older than this
        texts = self.register.activity_list.search_texts()
        self._set_search_texts(self._generation, texts, self._texts_request)

    def refresh_search_texts(self) -> threading.Event:
        """Read the search texts again in a worker: reading them takes a noticeable moment on
        a large register, and the window must not stall after every save. The texts held
        meanwhile serve the search until the new ones arrive. The event is set once read."""
        self._texts_request += 1
        register, generation, request = self.register, self._generation, self._texts_request
        read = threading.Event()

        def read_texts(_progress: ProgressFn, _cancelled: CancelledFn) -> dict[int, str]:
            try:
                return register.activity_list.search_texts()
            finally:
                read.set()

        worker = Worker(read_texts, self)
        worker.succeeded.connect(lambda result: self._set_search_texts(generation, result, request))
        self._texts_reading = (worker, request)
        self.run(worker)
        return read

    def _set_search_texts(self, generation: int, texts: object, request: int) -> None:
        if generation != self._generation or not isinstance(texts, dict):
            return
        if request != self._texts_request or request == self._texts_shown:
            return  # a later read is on its way, or this one is shown already
        self._texts_shown = request
        self.search_texts_loaded = True
        self._page.proxy.set_search_texts(texts)

    # --- the gaps and the rest ------------------------------------------------------------

    def start_pending(self) -> None:
        if self._pending:
            self.start()

    def start(self) -> None:
        """Count the gaps again (after the search text, if that is still to be read)."""
        self._pending = False
        register, generation = self.register, self._generation
        texts_read = None if self.search_texts_loaded else self.refresh_search_texts()

        def gaps_task(_progress: ProgressFn, cancelled: CancelledFn) -> dict[int, int] | None:
            # The search text first: a keystroke may be waiting for it, and the checks would
            # slow it down (both are Python work, which one thread at a time may do).
            if texts_read is not None:
                texts_read.wait()
            return gap_counts(register, cancelled)

        self._gaps_request += 1
        request = self._gaps_request
        gaps = Worker(gaps_task, self)
        gaps.succeeded.connect(lambda result: self._set_gaps(generation, result, request))
        self.run(gaps)

    def run(self, worker: Worker) -> None:
        """Run `worker`, showing its failure above the list."""
        self.workers.append(worker)
        worker.failed.connect(self._failed)
        worker.finished.connect(lambda: self.workers.remove(worker))
        worker.finished.connect(worker.deleteLater)
        worker.start()

    def _failed(self, message: str) -> None:
        self.failed.emit("The list could not be brought up to date in the background. " + message)

    def _set_gaps(self, generation: int, gaps: object, request: int) -> None:
        if generation != self._generation or not (gaps is None or isinstance(gaps, dict)):
            return
        if request != self._gaps_request:
            return  # counted before a later change: the newer count is on its way
        self._page.model.set_gaps(gaps)
        self._page.proxy.invalidate()
        self.gaps_loaded.emit()

    def wait(self) -> None:
        """Wait for the background loads (starting them if the window has not been drawn),
        and stop whatever else the window runs (an export's file is written atomically)."""
        self.start_pending()
        for worker in list(self.workers):
            worker.wait()
        cancel_and_wait_all(self._owner)


def gap_counts(register: Register, cancelled: CancelledFn) -> dict[int, int] | None:
    """The Gaps column: findings per activity; None if the checks were stopped."""
    from ropa.checks import ChecksCancelled, run_checks
    from ropa.checks import gap_counts as count_gaps

    try:
        return count_gaps(run_checks(register, cancelled=cancelled))
    except ChecksCancelled:
        return None
