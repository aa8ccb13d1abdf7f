"""File > Connect to a team register: the server's address, and a password only if asked.

The address is the standard PostgreSQL one (postgresql://LOGIN@HOST:PORT/DATABASE), which the
IT team gives out; without a port the server's standard one, 5432, is used. The password
comes from the PostgreSQL password file (pgpass) as for psql; only when the server asks for
one that the file lacks does `ask_password` ask, and what is typed is used for that
connection and never kept.
"""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QVBoxLayout,
    QWidget,
)

from ropa.identity import current_user
from ropa.register import StorageOptions
from ropa.team import PasswordNeeded, is_server_url
from ropa.team_connect import connect_team_register
from ui.prompts import Prompts
from ui.workers import CancelledFn, ProgressFn, Worker

EXAMPLE = "postgresql://{login}@ropa.council.local:5432/ropa"


class ConnectDialog(QDialog):
    """Asks for a team register's address, offering the ones connected to before."""

    def __init__(self, recent: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to a team register")
        self.address = QComboBox()
        self.address.setEditable(True)
        self.address.addItems(recent)
        self.address.setAccessibleName("Team register address")
        line = self.address.lineEdit()
        assert line is not None
        line.setPlaceholderText(EXAMPLE.format(login=current_user()))
        if not recent:
            line.setText("")
        explanation = QLabel(
            "The address of your organisation's team register, as your IT team gave it: "
            "postgresql://, your login, @, the server, a colon and its port (5432 unless your "
            "IT team says otherwise), /, the database.\n\n"
            "Your password is read from the PostgreSQL password file (pgpass), as psql reads "
            "it. If it is not there you are asked for it; ROPA desk never stores it."
        )
        explanation.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setAccessibleName("Problem with the address")
        self.problem.setWordWrap(True)
        self.problem.hide()
        form = QFormLayout()
        form.addRow("&Address:", self.address)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.connect_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.connect_button.setText("Connect")
        self.buttons.accepted.connect(self._accept_if_valid)
        self.buttons.rejected.connect(self.reject)
        self.address.currentTextChanged.connect(lambda _text: self.problem.hide())
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(explanation)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        # The window is never smaller than its wrapped text needs, however much is shown.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.setMinimumWidth(560)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_text()

    def _fit_text(self) -> None:
        """Tall enough for every wrapped line at the dialog's width: a top-level window
        does not follow its labels' height for width by itself, and clips them."""
        layout = self.layout()
        assert layout is not None
        layout.activate()
        needed = layout.heightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def url(self) -> str:
        return self.address.currentText().strip()

    def _accept_if_valid(self) -> None:
        problem = address_problem(self.url())
        if problem is None:
            self.accept()
            return
        self.problem.setText(problem)
        self.problem.show()
        self._fit_text()


def address_problem(url: str) -> str | None:
    """What is wrong with a typed team register address, in words (None: nothing)."""
    from urllib.parse import urlsplit

    example = EXAMPLE.format(login=current_user())
    if not (is_server_url(url) and "@" in url and "/" in url[13:]):
        return (
            f"That is not a team register's address. It looks like {example} (ask your IT "
            "team for yours)."
        )
    try:
        urlsplit(url).port  # noqa: B018 (raises for a port that is not a number)
    except ValueError:
        return (
            "The port, after the server's name and a colon, must be a number from 1 to 65535, "
            f"such as 5432 in {example}."
        )
    return None


def ask_password(prompts: Prompts, parent: QWidget, question: str) -> str | None:
    """The password the user types (None if they cancel); shown as dots, never kept."""
    return prompts.text(parent, "Password for the team register", question, secret=True) or None


def connecting_worker(
    url: str, password: str | None, parent: QWidget, options: StorageOptions
) -> Worker:
    """A worker (not yet started) that connects to the team register at `url`: its result
    is (register, membership), or the PasswordNeeded question when the server asks for a
    password the password file lacks (a question for the user, not a failure). `options`:
    the app's (ui/app.py APP_STORAGE), which the register then carries."""

    def connecting(_progress: ProgressFn, _cancelled: CancelledFn) -> object:
        try:
            return connect_team_register(url, password, options=options)
        except PasswordNeeded as question:
            return question

    return Worker(connecting, parent)
