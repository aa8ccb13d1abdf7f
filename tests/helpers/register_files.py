"""Register files for tests: a closed register copied as a new file of a test's own."""

from __future__ import annotations

from pathlib import Path


def copy_register_file(template: Path, target: Path) -> Path:
    """A closed register file (no side files) copied to `target`; returns `target`."""
    target.write_bytes(template.read_bytes())
    return target
