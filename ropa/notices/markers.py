"""The "[To complete: …]" marker a draft notice puts where the register leaves a gap.

Made here and read back here only, so that what the notice writes and what the publish step
shows the DPO cannot drift apart.  A marker is never published (NoticeDocument.published).
"""

from __future__ import annotations

_OPENING = "[To complete: "
_CLOSING = "]"


def todo_marker(gap: str) -> str:
    """The line a draft shows for a gap: "[To complete: the retention period]"."""
    return f"{_OPENING}{gap}{_CLOSING}"


def gap_words(line: str) -> str:
    """What is to be completed, from a line `todo_marker` made; any other line (a marker a
    person typed into the register's text, "[TBC]") is the gap as it stands."""
    if line.startswith(_OPENING) and line.endswith(_CLOSING):
        return line[len(_OPENING) : -len(_CLOSING)]
    return line
