"""What the two kinds of store (file_store.py, server_store.py) share: an engine made the first
time it is needed, and the words for a change refused before it reaches the storage."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ropa.errors import ReadOnlyError, RegisterBusyError, ValidationError, in_use_words

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker


class OrmParts(NamedTuple):
    engine: Engine
    sessions: sessionmaker[Session]
    reader_sessions: sessionmaker[Session]


class LazyOrm:
    """The engine and its session factories, made (and SQLAlchemy imported) the first time a
    service needs them, which the main window does only once it is shown; threads asking at
    once share the one engine."""

    def __init__(self, build: Callable[[], OrmParts]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._parts: OrmParts | None = None

    def parts(self) -> OrmParts:
        with self._lock:
            if self._parts is None:
                self._parts = self._build()
            return self._parts

    def dispose(self) -> None:
        with self._lock:
            if self._parts is not None:
                self._parts.engine.dispose()


def read_only_refusal(path: Path, reason: str) -> ReadOnlyError:
    return ReadOnlyError(
        f"{path.name} is open read-only ({reason}), so this change was not made. "
        "Save a copy to edit it."
    )


def busy_refusal(path: Path) -> RegisterBusyError:
    """Another writer held the register past the wait: nothing of this change was kept."""
    return RegisterBusyError(
        f"{path.name} is busy: someone else is saving to it. Nothing was changed; "
        "wait a moment and try again."
    )


def in_use_refusal(path: Path, waited_seconds: float) -> RegisterBusyError:
    """Another program kept the register locked for the whole wait while it was being
    opened: nothing was read or changed."""
    return RegisterBusyError(in_use_words(path, waited_seconds))


def unstorable_text(error: UnicodeEncodeError) -> ValidationError:
    """A lone surrogate (from damaged pasted or imported text) cannot be stored: in words,
    with the text around it."""
    text = str(error.object)
    start, end = error.start, error.end
    shown = (text[max(start - 30, 0) : start] + "\ufffd" + text[end : end + 30]).strip()
    character = f"U+{ord(text[start]):04X}" if start < len(text) else "unknown"
    return ValidationError(
        f"Nothing was saved: the text \u201c{shown}\u201d holds a broken character "
        f"({character}, shown as \ufffd), as damaged text pasted from elsewhere can. "
        "Retype that part of the text and save again."
    )


def first_line_of(error: BaseException) -> str:
    """The driver's own first line of an error (SQLAlchemy's wrapper says more, less clearly)."""
    original = getattr(error, "orig", None)
    return str(original or error).splitlines()[0]
