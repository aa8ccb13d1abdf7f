"""A short wait for a busy register, for the tests that hold a register's lock on purpose:
they prove the refusal's words and outcome without waiting out the app's own 5 s each time
(tests/unit/test_register_wait.py proves, once, that the app and the command line wait 5 s)."""

from __future__ import annotations

import dataclasses

from db.storage_options import SQLITE_IN_PROCESS, StorageOptions

SHORT_WAIT_SECONDS = 1.0
# The command line's way of keeping registers, waiting SHORT_WAIT_SECONDS for a busy one.
SHORT_WAIT = dataclasses.replace(SQLITE_IN_PROCESS, busy_wait_seconds=SHORT_WAIT_SECONDS)
# The same as `ropa ... --wait` takes it.
SHORT_WAIT_ARGUMENTS = ("--wait", f"{SHORT_WAIT_SECONDS:g}")


def with_short_wait(options: StorageOptions) -> StorageOptions:
    """`options` (the app's way, or a test's storage way) waiting SHORT_WAIT_SECONDS."""
    return dataclasses.replace(options, busy_wait_seconds=SHORT_WAIT_SECONDS)
