"""Install ROPA desk into a local virtual environment, then open the app or run the tests.

    python bootstrap.py app      install everything and open the app on your default register
    python bootstrap.py test     install everything, check the code (ruff, mypy) and run the
                                 whole test suite headless (arguments after `test` go to pytest)
    python bootstrap.py lock     work out requirements.lock afresh from pyproject.toml (the
                                 newest versions its ranges allow), for a maintainer to review

Needs only Python 3.11 or newer. Works the same on Windows, macOS and Linux.

Both `app` and `test` install exactly the versions in requirements.lock, each file checked
against the hashes recorded there, so that what runs is what was tested: a new release of a
library changes nothing until the lock file is refreshed and committed.
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
STAMP = VENV / "installed-from.sha256"
LOCK = ROOT / "requirements.lock"
# What installing the project itself needs (pyproject.toml's build-system), locked too.
BUILD_REQUIREMENTS = "setuptools>=68\n"


def venv_python() -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    return VENV / scripts / ("python.exe" if os.name == "nt" else "python")


def install() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - run by whatever Python the user has
        sys.exit(f"ROPA desk needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + LOCK.read_bytes()).hexdigest()
    if venv_python().exists() and STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not venv_python().exists():
        print("Creating a virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Installing ROPA desk and what it needs ...", flush=True)
    pip = [str(venv_python()), "-m", "pip", "install", "--quiet"]
    # Every file checked against the lock's hashes; nothing outside the lock comes in.
    subprocess.run([*pip, "--require-hashes", "--no-deps", "-r", str(LOCK)], check=True)
    # The project itself, built with the locked setuptools rather than a fresh download.
    subprocess.run([*pip, "--no-deps", "--no-build-isolation", "-e", str(ROOT)], check=True)
    STAMP.write_text(wanted)


def refresh_lock() -> int:
    """Resolve pyproject.toml's ranges (with the test tools) for every platform and Python
    3.11+, with the hashes of every file, into requirements.lock; uv does the resolving."""
    if not venv_python().exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    python = str(venv_python())
    subprocess.run([python, "-m", "pip", "install", "--quiet", "uv"], check=True)
    build = VENV / "build-requirements.in"
    build.write_text(BUILD_REQUIREMENTS)
    return subprocess.call(
        [
            python,
            "-m",
            "uv",
            "pip",
            "compile",
            "pyproject.toml",
            str(build),
            "--extra",
            "test",
            "--universal",
            "--python-version",
            "3.11",
            "--generate-hashes",
            "--quiet",
            "--no-header",
            "--output-file",
            str(LOCK),
        ],
        cwd=ROOT,
    )


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"app", "test", "lock"}:
        print(__doc__)
        return 2
    if argv[0] == "lock":
        return refresh_lock()
    install()
    command, rest = argv[0], argv[1:]
    if command == "app":
        return subprocess.call([str(venv_python()), str(ROOT / "main.py"), *rest])
    python = str(venv_python())
    # The house rules first: the linters' verdict is part of "the tests pass".
    checks = (
        ["-m", "ruff", "check", "."],
        ["-m", "ruff", "format", "--check", "."],
        ["-m", "mypy"],
    )
    for check in checks:
        status = subprocess.call([python, *check], cwd=ROOT)
        if status != 0:
            return status
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.call([python, "-m", "pytest", *rest], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
