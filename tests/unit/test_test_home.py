"""The test run keeps out of the person's own folders (tests/home_guard.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import platformdirs

from ropa.paths import APP_NAME, default_register_path
from tests.home_guard import RealHome, _watched


def test_the_run_has_a_home_of_its_own(real_home: RealHome) -> None:
    home = Path("~").expanduser()

    assert home == real_home.test_home
    assert home != real_home.path
    assert default_register_path().is_relative_to(home)
    assert Path(platformdirs.user_config_dir(APP_NAME)).is_relative_to(home)


def test_the_apps_own_settings_land_in_the_test_home(real_home: RealHome) -> None:
    """The settings the app keeps without being told where (recent registers, folders)."""
    script = (
        "from pathlib import Path\n"
        "from PySide6.QtCore import QCoreApplication, QSettings\n"
        "from ui.settings import AppSettings\n"
        "app = QCoreApplication([])\n"
        "settings = AppSettings()\n"
        "settings.add_recent_register(Path('/nowhere/register.ropa'))\n"
        "settings.sync()\n"
        "print(QSettings('ROPA desk', 'ROPA desk').fileName())\n"
    )
    repo = Path(__file__).resolve().parents[2]
    written = subprocess.run(
        [sys.executable, "-c", script], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()

    assert Path(written).is_relative_to(real_home.test_home), written
    assert Path(written).is_file()
    assert real_home.changes() == []


def test_the_watch_on_the_real_home_sees_what_the_app_or_qt_would_write(tmp_path: Path) -> None:
    """The check at the end of the run (conftest.pytest_sessionfinish) fails it on anything
    new or changed in a home's ROPA desk or Qt folders, and on nothing else."""
    real = tmp_path / "someone"
    settings = real / ".config" / "ROPA desk" / "ROPA desk.conf"
    settings.parent.mkdir(parents=True)
    settings.write_text("[General]\n")
    (real / "Documents").mkdir()
    watch = RealHome(real, tmp_path / "test-home", _watched(real))
    assert watch.changes() == []

    (real / "Documents" / "letter.txt").write_text("theirs, not ours")
    assert watch.changes() == []
    settings.write_text("[General]\nrecent=/tmp/pytest-of-root/register.ropa\n")
    dialogs = real / ".config" / "QtProject.conf"
    dialogs.write_text("[FileDialog]\nlastVisited=/tmp/pytest-of-root\n")
    data = real / ".local" / "share" / "ROPA desk" / "register.ropa"
    data.parent.mkdir(parents=True)
    data.write_bytes(b"SQLite format 3\x00")
    assert watch.changes() == sorted(map(str, (settings, dialogs, data)))
