"""Which file a register is: checked before each save, so that a file replaced or overwritten
by another program is never written into.

Sync clients write a new file and rename it over the old one (a new inode); "restore by
copying" and some sync tools copy another file over it in place (the same inode, other
bytes). Either way SQLite, which keeps the register open, would go on writing: into a
deleted file, or into the other file's pages with its own cached ones (a damaged index).

What is compared, from the file as it is on disk:
- device and inode: a file renamed over the register is another inode;
- the register's own number (the header's Application ID, offset 68), drawn at random when a
  register is made or first opened by this version, and new in every copy and backup: a
  different register copied over this one has another number;
- the file change counter (offset 24), which SQLite adds one to with every transaction
  under a rollback journal: a count that went back, or bytes changed (size or modification
  time) with no count added, were written by something other than SQLite.

The header is read in a helper process of db/hosted.py, never in this one: on POSIX closing
any descriptor on the file would drop the locks SQLite holds on it here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from db.hosted import call_on_idle_host

# A register's number is a positive signed 32-bit integer (0 means "never numbered").
_NUMBER_LIMIT = 2**31 - 1


def new_register_number() -> int:
    return 1 + secrets.randbelow(_NUMBER_LIMIT - 1)


def number_statement(number: int) -> str:
    return f"PRAGMA application_id = {int(number)}"


@dataclass(frozen=True)
class FileIdentity:
    device: int
    inode: int
    size: int
    modified_ns: int
    change_counter: int
    register_number: int
    # Header bytes 18 and 19: 2 when the file is in WAL mode, where SQLite does not keep the
    # change counter.
    wal_mode: bool


def read_identity(path: Path) -> FileIdentity | None:
    """The identity of the file at `path` now; None when there is no file there."""
    found = call_on_idle_host("file_identity", str(path))
    return None if found is None else FileIdentity(*found)


def why_not_the_same(known: FileIdentity, now: FileIdentity | None, path: Path) -> str:
    """Why the file at `path` is no longer the register we opened, in words ("" if it is)."""
    if now is None:
        if not path.parent.is_dir():
            return (
                f"the folder {path.parent} is not there any more (a drive or network share "
                "that was disconnected, or a folder moved or deleted)"
            )
        return (
            f"{path.name} is no longer in {path.parent}: another program moved, renamed or "
            "deleted it, or the drive or share holding it was disconnected"
        )
    if (now.device, now.inode) != (known.device, known.inode):
        return (
            f"another program replaced {path.name} with another file (a sync tool, or a "
            "file saved or copied in its place)"
        )
    if now.register_number != known.register_number:
        return f"another program copied a different register file over {path.name}"
    if known.wal_mode or now.wal_mode:
        return ""
    went_back = (now.change_counter - known.change_counter) % 2**32 > 2**31
    same_count = now.change_counter == known.change_counter
    bytes_changed = (now.size, now.modified_ns) != (known.size, known.modified_ns)
    if went_back or (same_count and bytes_changed):
        return (
            f"another program wrote over {path.name} (an older copy of it, or other bytes, "
            "copied over it)"
        )
    return ""
