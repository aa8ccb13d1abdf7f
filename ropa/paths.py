"""Where things live: the shipped resources and the user's default register."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "ROPA desk"
REGISTER_SUFFIX = ".ropa"
RESOURCES_DIR = Path(__file__).resolve().parent.parent / "resources"


def default_register_path() -> Path:
    """The register opened when no --db is given: in the user's data folder."""
    return (
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / f"register{REGISTER_SUFFIX}"
    )


def resource(*parts: str) -> Path:
    return RESOURCES_DIR.joinpath(*parts)
