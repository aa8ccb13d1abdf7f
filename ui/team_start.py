"""Starting the app on a team register: a window at once, the server's answer behind it.

`ropa --db postgresql://...` must not sit silent while a distant server answers (or does not):
`StartWindow` appears at once, saying where it is connecting, and becomes the main window
when the server has answered; a refusal is shown there in words, with Try again and Quit.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ropa.notice_writers import NoticeWriters
from ropa.paths import APP_NAME
from ropa.register import Register, StorageOptions
from ropa.team import Membership, PasswordNeeded, without_password
from ui.connect_dialog import ask_password, connecting_worker
from ui.main_window import MainWindow
from ui.prompts import Prompts, prompts_or_default
from ui.settings import AppSettings
from ui.widgets.screen_fit import resize_within_screen
from ui.workers import Worker


class StartWindow(QWidget):
    """Connecting to a team register as the app starts; replaced by the main window."""

    def __init__(
        self,
        url: str,
        settings: AppSettings | None = None,
        prompts: Prompts | None = None,
        notice_writers: NoticeWriters | None = None,
        *,
        options: StorageOptions,
    ) -> None:
        super().__init__()
        self.url = url
        # The app's (ui/app.py APP_STORAGE): the register opened here carries them on.
        self.options = options
        self.notice_writers = notice_writers
        self.settings = settings
        self.prompts = prompts_or_default(prompts)
        self.main_window: MainWindow | None = None
        self._password: str | None = None
        self.setWindowTitle(f"Connecting \u2014 {APP_NAME}")
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Connection")
        self.retry_button = QPushButton("Try again")
        self.retry_button.clicked.connect(self.start)
        self.quit_button = QPushButton("Quit")
        self.quit_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.quit_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message, 1)
        layout.addLayout(buttons)
        resize_within_screen(self, 560, 180)

    def start(self) -> Worker:
        self.message.setText(
            f"Connecting to the team register at {without_password(self.url)}\u2026"
        )
        self.retry_button.setEnabled(False)
        worker = connecting_worker(self.url, self._password, self, self.options)
        worker.succeeded.connect(self._answered)
        worker.failed.connect(self._refused)
        worker.start()
        return worker

    def ask_password(self, question: str) -> str | None:
        return ask_password(self.prompts, self, question)

    def _answered(self, result: object) -> None:
        if isinstance(result, PasswordNeeded):
            self._password = self.ask_password(str(result))
            if self._password is None:
                self._refused(str(result))
                return
            self.start()
            return
        register, membership = cast("tuple[Register, Membership]", result)
        window = MainWindow(
            register, self.settings, membership, self.prompts, notice_writers=self.notice_writers
        )
        window.show()
        self.main_window = window
        self.close()

    def _refused(self, message: str) -> None:
        self.message.setText(message)
        self.retry_button.setEnabled(True)
