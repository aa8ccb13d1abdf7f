"""Which register a window shows, and how it comes to show another: open, new, switch, the
recent list, a team register's connection and its watch for colleagues' saves, save a copy,
restore a backup, the example register.

The window it works for is reached through `SessionHost` (a protocol, so that this module
does not import the window).  Before another register is shown, what the open editors and
pages hold is saved (or the user keeps them open, and nothing is switched); the register
shown until then is closed only once the new one is up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

import platformdirs
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMenu, QStatusBar, QVBoxLayout, QWidget

from ropa.errors import RegisterBusyError, RopaError, StorageError
from ropa.paths import APP_NAME, REGISTER_SUFFIX
from ropa.register import Register
from ropa.team import Membership, PasswordNeeded, membership_of, without_password
from ui.prompts import Prompts
from ui.settings import AppSettings
from ui.workers import Worker

if TYPE_CHECKING:
    from ui.connect_dialog import ConnectDialog
    from ui.team_watch import TeamWatch

REGISTER_FILTER = f"ROPA desk registers (*{REGISTER_SUFFIX});;All files (*)"
EXAMPLE_NAME = f"Example register{REGISTER_SUFFIX}"


class SessionHost(Protocol):
    """What the session needs of the window it works for."""

    register: Register
    settings: AppSettings
    banner_holder: QVBoxLayout
    prompts: Prompts

    def open_pages(self, register: Register, membership: Membership) -> None: ...

    def close_editors(self) -> bool: ...

    def settle_notices(self) -> bool: ...

    def flush_built_pages(self) -> None: ...

    def wait_for_background(self) -> None: ...

    def refresh_soon(self) -> None: ...

    def statusBar(self) -> QStatusBar: ...

    def show_error(self, title: str, error: RopaError | str) -> None: ...

    def ask_save_path(
        self, title: str, purpose: str, filter_: str, suffix: str, suggested: str = ""
    ) -> Path | None: ...

    def ask_open_path(self, title: str, purpose: str, filter_: str) -> Path | None: ...

    def ask_password(self, question: str) -> str | None: ...


class RegisterSession:
    """The register shown in `host`, and the ways to another."""

    def __init__(self, host: SessionHost, window: QWidget) -> None:
        self._host = host
        self._window = window  # the parent of the dialogs, workers and banners
        self._connecting: Worker | None = None
        # On a team register: colleagues' saves and a lost connection (ui/team_watch.py).
        self.team_watch: TeamWatch | None = None
        self.connection_banner: QWidget | None = None

    # --- files ----------------------------------------------------------------------------

    def new_register(self) -> None:
        host = self._host
        path = host.ask_save_path("New register", "register", REGISTER_FILTER, REGISTER_SUFFIX)
        if path is None:
            return
        if path.exists():
            host.show_error(
                "Not created",
                f"{path.name} already exists. Use Open to open it, or choose a new name.",
            )
            return
        self.switch_to(path, create=True)

    def open_register_dialog(self) -> None:
        path = self._host.ask_open_path("Open register", "register", REGISTER_FILTER)
        if path is not None:
            self.switch_to(path, create=False)

    def switch_to(self, path: Path, *, create: bool) -> bool:
        """Open another register in this window, after saving what the editors hold."""
        host = self._host
        if not self._settled():
            return False
        try:
            # The way the register shown now was opened (the app's): a window never
            # changes how it keeps its registers.
            register = Register.open(path, options=host.register.options, create=create)
        except RopaError as error:
            host.show_error("Cannot open the register", error)
            # A register that is busy, or on a disk that is full or was disconnected, is
            # still the DPO's to open again; anything else is no register to offer again.
            if not create and not isinstance(error, RegisterBusyError | StorageError):
                host.settings.remove_recent_register(path)
            return False
        self._show_opened(register, membership_of(register))
        return True

    def _settled(self) -> bool:
        """Save what the editors and pages hold; False if the user kept an editor open."""
        host = self._host
        if not host.close_editors() or not host.settle_notices():
            return False
        host.flush_built_pages()
        return True

    def _show_opened(self, register: Register, membership: Membership) -> None:
        self._host.wait_for_background()
        old = self._host.register
        self._host.open_pages(register, membership)
        old.close()

    def fill_recent_menu(self, menu: QMenu) -> None:
        menu.clear()
        shown = self._host.register
        here = without_password(shown.server_url or "") or shown.path
        recent = [item for item in self._host.settings.recent_registers() if item != here]
        if not recent:
            menu.addAction("No other registers yet").setEnabled(False)
        for number, item in enumerate(recent, start=1):
            if isinstance(item, str):
                action = menu.addAction(f"&{number} Team register  \u2014  {item}")
                action.triggered.connect(lambda _on=False, url=item: self.connect_to(url))
                continue
            action = menu.addAction(f"&{number} {item.name}  \u2014  {item.parent}")
            action.triggered.connect(lambda _on=False, p=item: self.switch_to(p, create=False))

    def save_copy(self) -> None:
        from ropa.backup import copy_database

        host = self._host
        path = host.ask_save_path("Save a copy", "copy", REGISTER_FILTER, REGISTER_SUFFIX)
        if path is None:
            return
        if path.resolve() == host.register.path.resolve():
            host.show_error("Not copied", "Choose a different file from the open register.")
            return
        try:
            copy_database(host.register.path, path, options=host.register.options)
        except RopaError as error:
            host.show_error("Not copied", error)
            return
        host.statusBar().showMessage(f"Saved a copy as {path}", 8000)

    def restore_backup(self) -> None:
        from ropa.backup import restore_backup
        from ui.backup_dialog import RestoreBackupDialog

        host = self._host
        dialog = RestoreBackupDialog(host.register.path, self._window, host.prompts)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.chosen_backup() is None:
            return
        chosen = dialog.chosen_backup()
        assert chosen is not None
        if not host.close_editors() or not host.settle_notices():
            return
        path = host.register.path
        host.wait_for_background()
        try:
            restore_backup(path, chosen, options=host.register.options)
        except RopaError as error:
            host.show_error("Not restored", error)
            return
        self.switch_to(path, create=False)
        host.statusBar().showMessage(f"Restored {chosen.name}", 10000)

    def open_example(self) -> None:
        folder = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
        path = folder / EXAMPLE_NAME
        if not path.exists():
            from ropa.demo import write_demo

            try:
                write_demo(path, options=self._host.register.options).close()
            except RopaError as error:
                self._host.show_error("Cannot write the example register", error)
                return
        self.switch_to(path, create=False)

    # --- team registers -------------------------------------------------------------------

    def watch(self, register: Register, membership: Membership) -> None:
        """Listen for colleagues' saves on a team register (and stop listening to the last)."""
        from ui.team_watch import TeamWatch

        self.stop_watching()
        self._connection_restored(quietly=True)
        if register.server_url is None or not membership.team:
            return
        self.team_watch = TeamWatch(register.server_url, self._window)
        # Someone saved: the list and its counts are read again shortly (as after an edit).
        self.team_watch.changed.connect(lambda _table: self._host.refresh_soon())
        self.team_watch.lost.connect(self._connection_lost)
        self.team_watch.restored.connect(self._connection_restored)
        self.team_watch.start()

    def stop_watching(self) -> None:
        if self.team_watch is not None:
            self.team_watch.stop()
            self.team_watch.deleteLater()
            self.team_watch = None

    def _connection_lost(self, text: str) -> None:
        from ui.team_watch import ConnectionBanner

        self._connection_restored(quietly=True)
        self.connection_banner = ConnectionBanner(text)
        self._host.banner_holder.addWidget(self.connection_banner)

    def _connection_restored(self, *, quietly: bool = False) -> None:
        if self.connection_banner is None:
            return
        self.connection_banner.deleteLater()
        self.connection_banner = None
        if not quietly:
            self._host.statusBar().showMessage("Connected to the team register again", 8000)
            self._host.refresh_soon()  # what others saved meanwhile

    def connect_team_dialog(self) -> ConnectDialog:
        from ui.connect_dialog import ConnectDialog

        recent = [item for item in self._host.settings.recent_registers() if isinstance(item, str)]
        dialog = ConnectDialog(recent, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.connect_to(dialog.url()))
        dialog.open()
        return dialog

    def connect_to(self, url: str, password: str | None = None) -> Worker:
        """Connect to a team register behind the window, which stays in use meanwhile; the
        register is shown once the server has answered (and said who is signed in)."""
        from ui.connect_dialog import connecting_worker

        shown = without_password(url)
        worker = connecting_worker(url, password, self._window, self._host.register.options)
        worker.succeeded.connect(lambda result: self._connected(url, result))
        worker.failed.connect(lambda message: self._not_connected(message))
        self._connecting = worker
        self._host.statusBar().showMessage(f"Connecting to {shown}\u2026")
        worker.start()
        return worker

    def _connected(self, url: str, result: object) -> None:
        self._connecting = None
        host = self._host
        host.statusBar().clearMessage()
        if isinstance(result, PasswordNeeded):
            password = host.ask_password(str(result))
            if password is not None:
                self.connect_to(url, password)
            return
        register, membership = cast("tuple[Register, Membership]", result)
        if not self._settled():
            register.close()
            return
        self._show_opened(register, membership)
        host.statusBar().showMessage(f"Signed in as {membership.describe()}", 8000)

    def _not_connected(self, message: str) -> None:
        self._connecting = None
        self._host.statusBar().clearMessage()
        self._host.show_error("Cannot connect to the team register", message)
