"""Who is at the keyboard: the name the change history and approvals record."""

from __future__ import annotations

import getpass


def current_user() -> str:
    """The operating system's login name, or "unknown" where there is none."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers, services)
        return "unknown"
