"""Prompts answered from a script the test writes, for the GUI tests (tests/ui/conftest.py).

    prompts.expect("question", contains="Delete", answer="Delete")

Each prompt the code shows must be the next one the test expected (same kind, and `contains`
found in its title or text), and is answered with that expectation's answer. Any other prompt
fails the test at once (UnexpectedPromptError, an AssertionError) and again when it ends, in case
the code swallowed the error; an expected prompt never shown fails the test when it ends.
Nothing modal is ever shown, so no test can wait for a click that never comes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ui.prompts import PromptKind, check_choices

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget


class UnexpectedPromptError(AssertionError):
    """The code asked or told the user something the test did not expect."""


@dataclass(frozen=True)
class Expected:
    kind: PromptKind
    contains: str
    answer: object


@dataclass(frozen=True)
class Shown:
    """A prompt the code showed, and the scripted answer it got."""

    kind: PromptKind
    title: str
    text: str
    answer: object
    choices: tuple[str, ...] = ()
    start: Path | None = None  # where a file dialog started
    default: str = ""  # what Enter, Escape and closing a question's box choose


class ScriptedPrompts:
    """A `ui.prompts.Prompts` that answers from the test's script and records every prompt."""

    def __init__(self) -> None:
        self.shown: list[Shown] = []
        self.problems: list[str] = []
        self._script: deque[Expected] = deque()

    def expect(self, kind: PromptKind, *, contains: str = "", answer: object = None) -> None:
        """The next prompt not yet expected is of `kind`, has `contains` in its title or
        text, and is answered with `answer`: a choice's name for a question, a Path (or
        None, cancelled) for a file, the typed text (or None) for a text."""
        self._script.append(Expected(kind, contains, answer))

    def texts(self, kind: PromptKind | None = None) -> list[str]:
        """The texts of the prompts shown so far (of `kind`, if given)."""
        return [shown.text for shown in self.shown if kind is None or shown.kind == kind]

    def check_finished(self) -> None:
        """Fail if a prompt was unexpected or an expected one was never shown."""
        problems = list(self.problems)
        problems += [
            f"expected a {left.kind} containing {left.contains!r}, never shown"
            for left in self._script
        ]
        self.problems.clear()
        self._script.clear()
        if problems:
            raise UnexpectedPromptError("Prompts not as the test expected:\n" + "\n".join(problems))

    def _answer(
        self,
        kind: PromptKind,
        title: str,
        text: str,
        choices: Sequence[str] = (),
        start: Path | None = None,
        default: str = "",
    ) -> object:
        expected = self._script[0] if self._script else None
        problem = ""
        if expected is None:
            problem = f"unexpected {kind} {title!r}: {text!r}"
        elif expected.kind != kind or expected.contains not in f"{title}\n{text}":
            problem = (
                f"unexpected {kind} {title!r}: {text!r}; the next expected is a "
                f"{expected.kind} containing {expected.contains!r}"
            )
        elif choices and expected.answer not in choices:
            problem = f"{kind} {title!r} offers {tuple(choices)!r}, not {expected.answer!r}"
        if problem or expected is None:
            self.problems.append(problem)
            raise UnexpectedPromptError(problem)
        self._script.popleft()
        self.shown.append(Shown(kind, title, text, expected.answer, tuple(choices), start, default))
        return expected.answer

    # --- the Prompts interface -----------------------------------------------------------

    def information(self, parent: QWidget | None, title: str, text: str) -> None:
        self._answer("information", title, text)

    def warning(self, parent: QWidget | None, title: str, text: str) -> None:
        self._answer("warning", title, text)

    def error(self, parent: QWidget | None, title: str, text: str, *, details: str = "") -> None:
        self._answer("error", title, text)

    def about(self, parent: QWidget | None, title: str, text: str) -> None:
        self._answer("about", title, text)

    def question(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        choices: Sequence[str],
        *,
        default: str,
        informative: str = "",
        destructive: str | None = None,
        warning: bool = False,
    ) -> str:
        check_choices(choices, default, destructive)
        words = f"{text}\n{informative}".strip()
        answer = self._answer("question", title, words, choices, default=default)
        assert isinstance(answer, str)
        return answer

    def save_path(
        self, parent: QWidget | None, title: str, start: Path, filters: str
    ) -> tuple[Path, str] | None:
        answer = self._answer("save path", title, filters, start=start)
        if answer is None or isinstance(answer, tuple):
            return answer
        assert isinstance(answer, Path), f"a save path is answered with a Path, not {answer!r}"
        return answer, ""

    def open_path(
        self, parent: QWidget | None, title: str, start: Path, filters: str
    ) -> Path | None:
        answer = self._answer("open path", title, filters, start=start)
        assert answer is None or isinstance(answer, Path), f"not a Path: {answer!r}"
        return answer

    def text(
        self,
        parent: QWidget | None,
        title: str,
        label: str,
        *,
        text: str = "",
        secret: bool = False,
    ) -> str | None:
        answer = self._answer("text", title, label)
        assert answer is None or isinstance(answer, str), f"not a text: {answer!r}"
        return answer

    # --- Qt's own boxes, which no window should call -------------------------------------

    def refuse_qt_box(self, name: str) -> object:
        """A stand-in for Qt's modal boxes: fails rather than waits for a click."""
        problem = f"{name} called directly, not through ui/prompts.py"
        self.problems.append(problem)
        raise UnexpectedPromptError(problem)
