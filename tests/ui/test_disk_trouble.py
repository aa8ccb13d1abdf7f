"""In the window, a full disk is said in words, never "did not expect" (issue 19): a real
activity editor on a register on a real full disk (a small tmpfs, mounted as root)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.disk import fill_disk
from tests.helpers.editors import open_editor
from tests.helpers.prompts import ScriptedPrompts
from ui.app import APP_STORAGE

pytestmark = pytest.mark.gui


def test_an_edit_on_a_full_disk_is_refused_in_words_in_the_editor(
    qtbot: QtBot,
    full_disk: Path,
    monkeypatch: pytest.MonkeyPatch,
    prompts: ScriptedPrompts,
) -> None:
    # One warning, in words; any other prompt (an error saying "did not expect") fails.
    prompts.expect("warning", contains="is full")
    with Register.open(full_disk / "register.ropa", options=APP_STORAGE) as register:
        created = register.activities.create(sample_activity(description="Short."))
        assert created.id is not None
        editor = open_editor(qtbot, register, created.id)
        fill_disk(full_disk)

        editor.binding("description").set("Long enough to need new pages. " * 400)
        saved = editor.save_field("description")

        assert saved is False
        [shown] = prompts.shown
        assert shown.title == "Not saved"
        assert shown.text.startswith(f"The disk holding {register.path} is full")
        assert "did not expect" not in shown.text
        assert "All changes saved" not in editor.save_state.text()
        # Closing asks whether to throw the unsaved change away (a real question): yes.
        asked: list[list[str]] = []

        def discard(problems: list[str]) -> bool:
            asked.append(problems)
            return True

        monkeypatch.setattr(editor, "ask_discard", discard)
        # Closing tries the unsaved change once more, and the disk is still full: said again.
        prompts.expect("warning", contains="is full")
        editor.close()
        assert len(asked) == 1
