"""Fixtures shared by every test: real register files in tmp_path, and a home of their own.

Before anything else is imported, the whole run (and every process it starts) is given a
temporary home folder: settings, recent registers, Qt's file dialog history and the default
register all land there, never in the person's own profile. When the run ends,
tests/home_guard.py checks that the real home holds no new or changed ROPA desk or Qt
settings, and fails the run if it does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.helpers.register_files import copy_register_file
from tests.home_guard import RealHome, move_home_aside

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REAL_HOME: RealHome = move_home_aside()

from db.hosted import stop_every_host  # noqa: E402
from db.storage_options import SQLITE_IN_PROCESS, StorageOptions  # noqa: E402
from ropa.register import Register  # noqa: E402

# Property tests: on a developer's machine each run explores new examples (and replays the
# failures it kept); in CI each test draws the same examples every run, so that a stop's
# verdict is about the change, not about which examples one run happened to draw.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(params=["apart", "inside"])
def storage_way(request: pytest.FixtureRequest) -> Iterator[StorageOptions]:
    """Each way a process keeps its registers: SQLite in a helper process with saves
    confirmed (the app's), or in this process (the command line's)."""
    try:
        yield StorageOptions(sqlite_apart=request.param == "apart")
    finally:
        stop_every_host()


# The PostgreSQL fixtures (postgres_server, postgres_url, postgres_register_url), and a team
# register with a login in each role (logins, team).
pytest_plugins = ["tests.postgres", "tests.helpers.team_register", "tests.helpers.disk"]

BACKENDS = ("sqlite", "postgresql")
BOTH_BACKENDS = "both_backends"
FILE_ONLY = "file_only"
# The services' test modules in tests/unit, run whole on both backends (listed here rather
# than marked in each module, so that the list of what runs on a server is read in one place).
SERVICE_MODULES = {
    "test_activities",
    "test_activity_list",
    "test_library",
    "test_review",
    "test_checks_register",
    "test_history_export",
    "test_notice_service",
    "test_notice_content",
    "test_public_authority",
    "test_spreadsheet_export",
    "test_spreadsheet_import",
    "test_import_meaning",
    "test_text_round_trip",
    "test_import_references",
    "test_import_bad_input",
    "test_import_report",
    "test_fuzz_import",
    "test_concurrency",
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{BOTH_BACKENDS}: run the test's `register` and `demo_register` on a file and again "
        "on a PostgreSQL server",
    )
    config.addinivalue_line(
        "markers",
        f"{FILE_ONLY}: a test about register files alone, run on a file even in a module that "
        "runs on both backends",
    )


# The modules holding the slowest tests, slowest first (the suite's --durations, 7 December
# 2026). They run first: with pytest-xdist, a slow test started last keeps one worker busy
# while the others have finished; started first, the quick tests fill in around it. Only the
# order changes (every test still runs); a module missing here merely runs in its usual place.
RUN_FIRST = (
    "unit/test_crash.py",
    "unit/test_team_locale.py",
    "unit/test_team_attacks.py",
    "unit/test_team_words.py",
    "unit/test_team_concurrency.py",
    "unit/test_soak.py",
    "unit/test_spreadsheet_import.py",
    "unit/test_text_round_trip.py",
    "unit/test_register_file.py",
    "unit/test_register_wait.py",
    "ui/test_notice_pages.py",
    "unit/test_cli_server.py",
    "ui/test_team_window.py",
    "unit/test_team_readme.py",
    "unit/test_import_conservation_property.py",
    "unit/test_team_watch.py",
    "unit/test_notice_accessibility.py",
    "unit/test_safety_helper.py",
    "ui/test_busy_wait.py",
    "ui/test_notice_autosave.py",
    "unit/test_fuzz_import.py",
    "unit/test_import_bounds.py",
    "unit/test_lost_save.py",
)
# A module renamed or removed would silently lose its place at the front: say so instead.
_NOT_THERE = [module for module in RUN_FIRST if not (Path(__file__).parent / module).is_file()]
if _NOT_THERE:
    raise pytest.UsageError(
        f"tests/conftest.py RUN_FIRST names modules that are not there: {', '.join(_NOT_THERE)}. "
        "Correct the list (it orders the slowest modules first)."
    )


def _run_order(item: pytest.Item) -> int:
    parts = Path(str(item.fspath)).parts[-2:]
    module = "/".join(parts)
    return RUN_FIRST.index(module) if module in RUN_FIRST else len(RUN_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses Qt widgets carries the `gui` marker, whether or not its module
    says so: those in tests/ui, and any other test that takes pytest-qt's `qtbot`. The
    slowest modules are moved to the front (RUN_FIRST), the rest keep their order."""
    for item in items:
        in_ui = Path(str(item.fspath)).parent.name == "ui"
        if in_ui or "qtbot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gui)
    items.sort(key=_run_order)  # stable: within a module, the order pytest collected


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked both_backends that takes a register runs once on each backend."""
    # Tests that take a register (or a fixture built on `backend`, as register does).
    wants_register = "backend" in metafunc.fixturenames
    marked = metafunc.definition.get_closest_marker(BOTH_BACKENDS) is not None
    module = metafunc.module.__name__
    listed = module.startswith("tests.unit.") and module.split(".")[-1] in SERVICE_MODULES
    file_only = metafunc.definition.get_closest_marker(FILE_ONLY) is not None
    if wants_register and (marked or listed) and not file_only:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """Where the test's register lives: "sqlite" (a file) unless parametrised."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def register_path(tmp_path: Path) -> Path:
    return tmp_path / "register.ropa"


@pytest.fixture(scope="session")
def _new_register_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new register at the newest schema, made once a run (per worker) and copied per test:
    making one migrates a file with Alembic, which took about half a second a test."""
    path = tmp_path_factory.mktemp("template") / "new.ropa"
    Register.open(path, daily_backup=False).close()
    return path


@pytest.fixture(scope="session")
def _example_register_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example register, written once a run (per worker) and copied per test."""
    from ropa.demo import write_demo

    path = tmp_path_factory.mktemp("template") / "demo.ropa"
    write_demo(path).close()
    return path


@pytest.fixture
def storage_options() -> StorageOptions:
    """How the `register` and `demo_register` fixtures keep their registers: SQLite in this
    process, as the command line does. tests/ui/conftest.py gives the app's (ui.app)."""
    return SQLITE_IN_PROCESS


@pytest.fixture
def register(
    backend: str,
    register_path: Path,
    storage_options: StorageOptions,
    request: pytest.FixtureRequest,
) -> Iterator[Register]:
    if backend == "postgresql":
        url = request.getfixturevalue("postgres_register_url")
        with Register.open(url, options=storage_options) as opened:
            yield opened
        return
    # Opened as a new register is (Register.open makes no daily backup of a file it creates).
    copy_register_file(request.getfixturevalue("_new_register_file"), register_path)
    with Register.open(register_path, options=storage_options, daily_backup=False) as opened:
        yield opened


@pytest.fixture
def demo_register(
    backend: str, tmp_path: Path, storage_options: StorageOptions, request: pytest.FixtureRequest
) -> Iterator[Register]:
    if backend == "postgresql":
        url = request.getfixturevalue("postgres_example_url")
        with Register.open(url, options=storage_options) as opened:
            yield opened
        return
    path = copy_register_file(
        request.getfixturevalue("_example_register_file"), tmp_path / "demo.ropa"
    )
    with Register.open(path, options=storage_options, daily_backup=False) as opened:
        yield opened


@pytest.fixture(autouse=True)
def _nothing_remembered() -> None:
    """Each test starts with nothing the app remembers (folders, recent registers, import
    mappings, window layouts): the run's home above is shared by every test a worker runs,
    so what one test remembered changed what a later one saw, depending on which worker ran
    what before it (seen with three workers: a report's save folder another test had set)."""
    if "PySide6.QtCore" not in sys.modules:
        return  # nothing has loaded Qt, so nothing can read what the app remembers
    from PySide6.QtCore import QSettings

    from ropa.paths import APP_NAME

    remembered = QSettings(APP_NAME, APP_NAME)
    where = Path(remembered.fileName())
    if not where.is_absolute() or not where.resolve().is_relative_to(REAL_HOME.test_home.resolve()):
        # Never the person's own: a store outside the run's home (Qt keeps it in the
        # registry on Windows, in the preferences service on macOS) is left alone.
        return
    remembered.clear()
    remembered.sync()


@pytest.fixture(scope="session")
def real_home() -> RealHome:
    """The person's own home and the run's own (set aside above, before any import)."""
    return REAL_HOME


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if anything was written to the real home's settings or data folders."""
    written = REAL_HOME.changes()
    if written:
        session.config.get_terminal_writer().line(
            "The tests wrote into the real home folder: " + ", ".join(written), red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    REAL_HOME.remove_test_home()
