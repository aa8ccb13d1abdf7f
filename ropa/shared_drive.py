"""What the user is told about a register on a shared drive, the same in the app and the CLI.

Such a register is opened with a rollback journal instead of WAL (db/connection.py): safe
for one person at a time, but SQLite's locks over SMB and NFS are not to be trusted when
several people edit at once. A team shares a register on a PostgreSQL server instead.
"""

from __future__ import annotations


def shared_drive_notice(location: str) -> str:
    """The sentence for a register found on `location` (db.network_drive's words)."""
    return (
        f"This register is on {location}. ROPA desk saves it without a write-ahead log there, "
        "which works on a shared drive only while one person at a time has it open. "
        "For a register the whole team edits, ask IT for a team register on the "
        "organisation's PostgreSQL server and copy this one into it (ropa copy)."
    )
