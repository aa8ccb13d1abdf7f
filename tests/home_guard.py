"""A home folder of the test run's own, and a watch on the real one.

`move_home_aside` points every variable that Qt, platformdirs and Python read to find a
user's folders (HOME, USERPROFILE, XDG_*, APPDATA, LOCALAPPDATA) at a new temporary folder,
for this process and every process it starts. It first notes what the real home holds for
ROPA desk and Qt (settings, data, caches; see `_watched`), so that `changes` can tell
afterwards whether anything reached it all the same.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# Names of what ROPA desk and Qt keep in a user's folders.
_WATCHED_NAMES = ("ROPA desk", "ropa", "QtProject")
# The folders they are kept in, on Linux, macOS and Windows, relative to the home folder.
_WATCHED_FOLDERS = (
    ".config",
    ".local/share",
    ".local/state",
    ".cache",
    "Library/Preferences",
    "Library/Application Support",
    "Library/Caches",
    "AppData/Roaming",
    "AppData/Local",
)
_HOME_VARIABLES = {
    "HOME": "",
    "USERPROFILE": "",
    "XDG_CONFIG_HOME": ".config",
    "XDG_DATA_HOME": ".local/share",
    "XDG_STATE_HOME": ".local/state",
    "XDG_CACHE_HOME": ".cache",
    "APPDATA": "AppData/Roaming",
    "LOCALAPPDATA": "AppData/Local",
}

Snapshot = dict[str, tuple[int, int]]


def _watched(home: Path) -> Snapshot:
    """Every file under the home's ROPA desk and Qt folders, with its size and mtime."""
    found: Snapshot = {}
    for folder in _WATCHED_FOLDERS:
        base = home / folder
        if not base.is_dir():
            continue
        for entry in base.iterdir():
            if not any(name.lower() in entry.name.lower() for name in _WATCHED_NAMES):
                continue
            files = [entry] if entry.is_file() else [p for p in entry.rglob("*") if p.is_file()]
            for path in files:
                status = path.stat()
                found[str(path)] = (status.st_size, status.st_mtime_ns)
    return found


@dataclass
class RealHome:
    path: Path
    test_home: Path
    before: Snapshot = field(default_factory=dict)

    def changes(self) -> list[str]:
        """What is new or changed in the real home's watched folders since the run began."""
        after = _watched(self.path)
        return sorted(name for name, state in after.items() if self.before.get(name) != state)

    def remove_test_home(self) -> None:
        shutil.rmtree(self.test_home, ignore_errors=True)


def move_home_aside() -> RealHome:
    real = Path("~").expanduser()
    test_home = Path(tempfile.mkdtemp(prefix="ropa-test-home-"))
    watch = RealHome(real, test_home, _watched(real))
    for variable, below in _HOME_VARIABLES.items():
        folder = test_home / below
        folder.mkdir(parents=True, exist_ok=True)
        os.environ[variable] = str(folder)
    return watch
