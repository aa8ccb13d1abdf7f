"""Everything the app remembers between runs, behind one typed wrapper over QSettings.

Only window and convenience state lives here (geometry, recent registers, last folders);
the DPO's data lives only in the register.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from ropa.paths import APP_NAME
from ropa.team import is_server_url, without_password

MAX_RECENT = 8


class AppSettings:
    """Typed access to the app's QSettings; keys are spelt in this class only."""

    def __init__(self, store: QSettings | None = None) -> None:
        self._store = store if store is not None else QSettings(APP_NAME, APP_NAME)

    @classmethod
    def in_file(cls, path: Path) -> AppSettings:
        """Settings kept in an ini file of their own (tests, portable installs)."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    def sync(self) -> None:
        self._store.sync()

    # --- windows -------------------------------------------------------------------------

    def window_geometry(self, window: str) -> QByteArray | None:
        return self._bytes(f"windows/{window}/geometry")

    def set_window_geometry(self, window: str, geometry: QByteArray) -> None:
        self._store.setValue(f"windows/{window}/geometry", geometry)

    def window_state(self, window: str) -> QByteArray | None:
        return self._bytes(f"windows/{window}/state")

    def set_window_state(self, window: str, state: QByteArray) -> None:
        self._store.setValue(f"windows/{window}/state", state)

    def header_state(self, view: str) -> QByteArray | None:
        return self._bytes(f"views/{view}/header")

    def set_header_state(self, view: str, state: QByteArray) -> None:
        self._store.setValue(f"views/{view}/header", state)

    # --- registers and folders -----------------------------------------------------------

    def recent_registers(self) -> list[Path | str]:
        """Register files (paths) and team registers (their URLs, never with a password)."""
        value = self._store.value("registers/recent", [])
        if isinstance(value, str):  # QSettings returns a lone string for a one-item list
            value = [value]
        if not isinstance(value, list):
            return []
        return [str(item) if is_server_url(item) else Path(str(item)) for item in value if item]

    def add_recent_register(self, path: Path | str) -> None:
        path = without_password(path) if isinstance(path, str) else path.resolve()
        recent = [path, *(item for item in self.recent_registers() if item != path)]
        self._store.setValue("registers/recent", [str(item) for item in recent[:MAX_RECENT]])

    def remove_recent_register(self, path: Path | str) -> None:
        kept = [item for item in self.recent_registers() if item != path]
        self._store.setValue("registers/recent", [str(item) for item in kept])

    def last_folder(self, purpose: str, first: Path | None = None) -> Path:
        """The folder last used for `purpose` ('register', 'import', 'export'...); before
        one was used (or when it has gone), `first` if it is a folder, else the home."""
        value = self._store.value(f"folders/{purpose}", "")
        for folder in (Path(str(value)) if value else None, first):
            if folder is not None and folder.is_dir():
                return folder
        return Path.home()

    def set_last_folder(self, purpose: str, folder: Path) -> None:
        self._store.setValue(f"folders/{purpose}", str(folder))

    # --- imports -------------------------------------------------------------------------

    def import_mapping(self, layout: str) -> dict[str, str]:
        """The DPO's choice of field for headings of a layout of headings (its signature):
        heading (folded) -> field key, "own" or "ignore"."""
        value = self._store.value(f"imports/mappings/{layout}", "")
        try:
            loaded = json.loads(str(value)) if value else {}
        except ValueError:
            return {}
        if not isinstance(loaded, dict):
            return {}
        return {str(key): str(choice) for key, choice in loaded.items()}

    def set_import_mapping(self, layout: str, mapping: dict[str, str]) -> None:
        self._store.setValue(f"imports/mappings/{layout}", json.dumps(mapping, sort_keys=True))

    def import_role(self, layout: str) -> str | None:
        """The record ("controller" or "processor") the DPO chose for sheets of a layout."""
        value = self._store.value(f"imports/roles/{layout}", "")
        return str(value) if value in ("controller", "processor") else None

    def set_import_role(self, layout: str, role: str) -> None:
        self._store.setValue(f"imports/roles/{layout}", role)

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._store.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None
