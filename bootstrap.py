"""Install ROPA desk into a local virtual environment, then open the app or run the tests.

    python bootstrap.py app      install everything and open the app on your default register
    python bootstrap.py test     install everything, check the code (ruff, mypy) and run the
                                 whole test suite headless (arguments after `test` go to pytest)
    python bootstrap.py lock     work out requirements.lock afresh from pyproject.toml (the
                                 newest versions its ranges allow), for a maintainer to review

Needs only Python 3.11 or newer. Works the same on Windows, macOS and Linux.

`app` installs exactly the versions in requirements.lock (what the app needs to run), `test`
those in requirements-dev.lock (the same versions, with the test tools and linters), each file
checked against the hashes recorded there, so that what runs is what was tested: a new release
of a library changes nothing until the lock files are refreshed and committed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
# What the app needs to run, and that with what the tests and checks need (a superset).
APP_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
# What installing the project itself needs (pyproject.toml's build-system), locked too.
BUILD_REQUIREMENTS = "setuptools>=68\n"


def venv_python() -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    return VENV / scripts / ("python.exe" if os.name == "nt" else "python")


def _stamp(lock: Path) -> Path:
    return VENV / f"installed-from-{lock.stem}.sha256"


def _wanted(lock: Path) -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + lock.read_bytes()).hexdigest()


def _installed(lock: Path) -> bool:
    stamp = _stamp(lock)
    return venv_python().exists() and stamp.exists() and stamp.read_text() == _wanted(lock)


def install(lock: Path) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - run by whatever Python the user has
        sys.exit(f"ROPA desk needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    # The development lock holds the app's versions too, so either serves the app.
    if _installed(lock) or (lock == APP_LOCK and _installed(DEV_LOCK)):
        return
    if not venv_python().exists():
        print("Creating a virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Installing ROPA desk and what it needs ...", flush=True)
    pip = [str(venv_python()), "-m", "pip", "install", "--quiet"]
    # Every file checked against the lock's hashes; nothing outside the lock comes in.
    subprocess.run([*pip, "--require-hashes", "--no-deps", "-r", str(lock)], check=True)
    # The project itself, built with the locked setuptools rather than a fresh download.
    subprocess.run([*pip, "--no-deps", "--no-build-isolation", "-e", str(ROOT)], check=True)
    for other in (APP_LOCK, DEV_LOCK):
        _stamp(other).unlink(missing_ok=True)
    _stamp(lock).write_text(_wanted(lock))


def refresh_lock() -> int:
    """Resolve pyproject.toml's ranges for every platform and Python 3.11+, with the hashes of
    every file: the app's own into requirements.lock, then with the test tools into
    requirements-dev.lock at the same versions. uv does the resolving and keeps the versions
    already locked unless a range in pyproject.toml no longer admits them."""
    if not venv_python().exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    python = str(venv_python())
    subprocess.run([python, "-m", "pip", "install", "--quiet", "uv"], check=True)
    build = VENV / "build-requirements.in"
    build.write_text(BUILD_REQUIREMENTS)
    compile_command = [python, "-m", "uv", "pip", "compile", "pyproject.toml", str(build)]
    options = ["--universal", "--python-version", "3.11", "--generate-hashes", "--quiet"]
    status = subprocess.call(
        [*compile_command, *options, "--no-header", "--output-file", str(APP_LOCK)], cwd=ROOT
    )
    if status != 0:
        return status
    return subprocess.call(
        [
            *compile_command,
            "--extra",
            "test",
            "--constraint",
            str(APP_LOCK),
            *options,
            "--no-header",
            "--output-file",
            str(DEV_LOCK),
        ],
        cwd=ROOT,
    )


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"app", "test", "lock"}:
        print(__doc__)
        return 2
    if argv[0] == "lock":
        return refresh_lock()
    command, rest = argv[0], argv[1:]
    if command == "app":
        install(APP_LOCK)
        return subprocess.call([str(venv_python()), str(ROOT / "main.py"), *rest])
    install(DEV_LOCK)
    python = str(venv_python())
    # The house rules first: the linters' verdict is part of "the tests pass". ruff takes a
    # fraction of a second and goes first; mypy (about 10 s on a clean clone, one core) runs
    # beside pytest, whose workers spend much of their time waiting on servers and helper
    # processes, and its report is printed in full after the tests' and counts the same.
    for check in (["-m", "ruff", "check", "."], ["-m", "ruff", "format", "--check", "."]):
        status = subprocess.call([python, *check], cwd=ROOT)
        if status != 0:
            return status
    mypy = subprocess.Popen(
        [python, "-m", "mypy"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    # One worker a core and one more (pytest-xdist): about a quarter of a worker's time goes
    # waiting on the PostgreSQL server, helper processes and the app's own timers, which the
    # extra worker fills (docs/performance.md: on 2 cores, 2 workers 174 s, 3 workers 141-146
    # s with the machine 96 % busy). The slowest tests are listed at the end. Arguments given
    # after `test` come later and win (`-n 0` runs in one process, as a debugger wants).
    defaults = ["-n", str((os.cpu_count() or 1) + 1), "--durations=15"]
    try:
        tests = subprocess.call([python, "-m", "pytest", *defaults, *rest], cwd=ROOT, env=env)
    finally:
        typing_report, _ = mypy.communicate()
    print(f"mypy (run beside the tests):\n{typing_report}", end="", flush=True)
    return mypy.returncode or tests


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
