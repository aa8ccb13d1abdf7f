"""Tests that need a program from outside Python (Xvfb, LibreOffice, poppler).

On a developer's machine without it such a test is skipped, saying what to install; in CI
(CI is set), where .ci/run installs every one of them, it fails instead, so that no test
passes there by not running."""

from __future__ import annotations

import os
import shutil

import pytest


def require_programs(*names: str, install: str) -> None:
    missing = [name for name in names if shutil.which(name) is None]
    if not missing:
        return
    message = f"needs {', '.join(missing)} (Debian: {install})"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; .ci/run installs it, so CI must run this test")
    pytest.skip(message)
