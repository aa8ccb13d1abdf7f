"""Undo for notices, which are saved as they are typed (ui/notices_view.py).

Each save of a notice is pushed on the window's QUndoStack once it has been saved, holding the
fields it changed before and after; typing on in the same fields merges into one step, as an
activity's fields do (ui/undo.py).  Undo and redo save again through the notices service,
checking the version the view last saw, so that someone else's change is refused with a
message rather than overwritten.
"""

from __future__ import annotations

from typing import Any, Protocol

from ropa.notices import NoticeRecord
from ui.undo import SavedChangeCommand

NOTICE_EDIT_ID = 1002

# The words for each field of a notice in an undo step ("Undo change notice introduction").
FIELD_WORDS = {
    "title": "title",
    "audience": "audience",
    "introduction": "introduction",
    "contact_text": "contact text",
    "template": "template",
    "grouping": "sections",
    "full_notice_url": "web address",
    "business_functions": "business functions covered",
    "activity_ids": "activities covered",
    "sections": "extra sections",
}


class NoticeEditor(Protocol):
    """What an undo step needs of the view that edits notices."""

    def apply_notice_change(self, notice_id: int, values: dict[str, Any]) -> bool:
        """Save `values` to the notice and show it; False (the refusal shown) if refused."""
        ...


def changed_fields(
    before: NoticeRecord, after: NoticeRecord, names: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values before and after of those of `names` a save changed."""
    changed = [name for name in names if getattr(before, name) != getattr(after, name)]
    return (
        {name: getattr(before, name) for name in changed},
        {name: getattr(after, name) for name in changed},
    )


class NoticeEditCommand(SavedChangeCommand):
    """A saved change to some fields of one notice. Pushed after the change has been saved."""

    def __init__(
        self,
        editor: NoticeEditor,
        notice: NoticeRecord,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> None:
        assert notice.id is not None
        words = ", ".join(FIELD_WORDS.get(name, name) for name in new)
        super().__init__(f"change notice {words} (“{notice.title}”)", old, new)
        self.editor = editor
        self.notice_id: int = notice.id

    def id(self) -> int:
        return NOTICE_EDIT_ID

    def apply(self, value: Any) -> bool:
        return self.editor.apply_notice_change(self.notice_id, value)

    def same_target(self, other: SavedChangeCommand) -> bool:
        """Typing on in the same fields of the same notice, saved every pause, is one step."""
        return (
            isinstance(other, NoticeEditCommand)
            and other.editor is self.editor
            and other.notice_id == self.notice_id
            and other.new.keys() == self.new.keys()
        )
