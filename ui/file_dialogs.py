"""Save and open file dialogs that start in the folder last used for the same purpose.

Every "Export…" and "Choose…" of the app goes through here, so each remembers its folder
(AppSettings.last_folder) and a typed name without a suffix gets the chosen format's one.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from ui.prompts import Prompts, prompts_or_default
from ui.settings import AppSettings

if TYPE_CHECKING:
    from ropa.register import Register


def register_folder(register: Register) -> Path | None:
    """The folder of a register file, where its exports first go (None on a server)."""
    return None if register.server_url is not None else Path(register.path).parent


def with_suffix_for(path: Path, chosen_filter: str, filters: Mapping[str, str]) -> Path:
    """`path` ending in one of the `filters` suffixes: the chosen filter's if it has none.

    `filters` maps a suffix without the dot ("pdf") to its filter text ("PDF document (*.pdf)").
    """
    if path.suffix.lower().lstrip(".") in filters:
        return path
    suffix = next((key for key, text in filters.items() if text == chosen_filter), None)
    suffix = suffix or next(iter(filters))
    return path.with_name(f"{path.name}.{suffix}")


def ask_save_path(
    parent: QWidget,
    title: str,
    suggested_name: str,
    filters: Mapping[str, str],
    *,
    purpose: str = "export",
    settings: AppSettings | None = None,
    beside: Path | None = None,
    prompts: Prompts | None = None,
) -> Path | None:
    """Ask where to save; None if the user cancelled. Remembers the folder for `purpose`;
    until one was used, starts in `beside` (the register's folder) if given."""
    settings = settings or AppSettings()
    start = settings.last_folder(purpose, beside) / suggested_name
    answer = prompts_or_default(prompts).save_path(
        parent, title, start, ";;".join(filters.values())
    )
    if answer is None:
        return None
    name, chosen = answer
    path = with_suffix_for(name, chosen, filters)
    settings.set_last_folder(purpose, path.parent)
    return path


def ask_open_path(
    parent: QWidget,
    title: str,
    file_filter: str,
    *,
    purpose: str,
    settings: AppSettings | None = None,
    prompts: Prompts | None = None,
) -> Path | None:
    """Ask for a file to open; None if the user cancelled. Remembers the folder for `purpose`."""
    settings = settings or AppSettings()
    path = prompts_or_default(prompts).open_path(
        parent, title, settings.last_folder(purpose), file_filter
    )
    if path is None:
        return None
    settings.set_last_folder(purpose, path.parent)
    return path
