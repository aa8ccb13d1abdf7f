"""A throwaway PostgreSQL cluster for the tests: a temporary folder, loopback, a free port.

Uses the server programs of Debian's postgresql package (/usr/lib/postgresql/N/bin). initdb
refuses to run as root, and CI and the development machines run as root, so the cluster then
belongs to an unprivileged system user (the package's own `postgres`, or `ropa-pgtest`,
created when neither exists) and every server program runs as that user.

The cluster trusts every login from loopback (it holds nothing but test data and lives for
one run), so tests can connect as any role they create, as the team register's users do.

    python3 -m tests.helpers.pg_cluster start     prints the folder, then the URL, one a line
    python3 -m tests.helpers.pg_cluster stop DIR  stops the cluster in DIR and removes DIR

Only the standard library: .ci/run calls this before the project's virtual environment exists.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

SERVER_PROGRAMS = Path("/usr/lib/postgresql")
OWN_USER = "ropa-pgtest"
SUPERUSER = "postgres"


def server_bin() -> Path | None:
    """The newest installed server's bin folder, or None when no server is installed."""
    if not SERVER_PROGRAMS.is_dir():
        return None
    found = [path / "bin" for path in SERVER_PROGRAMS.iterdir() if (path / "bin/initdb").exists()]
    if not found:
        return None
    return max(found, key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0)


@dataclass(frozen=True)
class Cluster:
    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"


def _unprivileged_user() -> pwd.struct_passwd | None:
    """Who runs the server: None when we are not root (we run it ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", OWN_USER):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    # Another run may create it at the same moment: whoever loses finds it made.
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", OWN_USER],
        check=False,
        capture_output=True,
    )
    return pwd.getpwnam(OWN_USER)


def _run_as(user: pwd.struct_passwd | None, command: list[str]) -> None:
    as_user: dict[str, object] = {}
    if user is not None:
        as_user = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        cwd="/",
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"},
        **as_user,  # type: ignore[call-overload]
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# A cluster's files in memory when the system offers a memory file system: the tests create
# and drop a database for nearly every test, and on this project's CI machine (ext4 on a
# virtual disk, mounted with discard) each CREATE DATABASE took 120-350 ms, against about
# 11 ms in memory (docs/performance.md). Only the server's own files go there; the registers
# the tests write stay on the disk they are about.
MEMORY_FOLDER = Path("/dev/shm")
MEMORY_NEEDED = 2 * 1024**3


def _memory_folder() -> str | None:
    """/dev/shm when it is there, writable and has room; None (the usual temporary folder)
    otherwise."""
    try:
        usage = shutil.disk_usage(MEMORY_FOLDER)
    except OSError:
        return None
    if not os.access(MEMORY_FOLDER, os.W_OK) or usage.free < MEMORY_NEEDED:
        return None
    return str(MEMORY_FOLDER)


def start(bin_dir: Path | None = None) -> Cluster:
    """initdb and start a new cluster; raises RuntimeError when that fails."""
    bin_dir = bin_dir or server_bin()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL server is installed (apt-get install postgresql)")
    user = _unprivileged_user()
    folder = Path(tempfile.mkdtemp(prefix="ropa-pg-", dir=_memory_folder()))
    if user is not None:
        os.chown(folder, user.pw_uid, user.pw_gid)
    try:
        cluster = Cluster(folder, _free_port())
        _run_as(
            user,
            [
                str(bin_dir / "initdb"),
                "--pgdata",
                str(cluster.data),
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
        )
        # Durability is not what a test cluster is for; speed is.
        options = (
            f"-p {cluster.port} -h 127.0.0.1 -k {folder} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
            # A bounded log, since the files may be in memory.
            "-c max_wal_size=256MB"
        )
        _run_as(
            user,
            [
                str(bin_dir / "pg_ctl"),
                "--pgdata",
                str(cluster.data),
                "--log",
                str(folder / "server.log"),
                "--wait",
                "--options",
                options,
                "start",
            ],
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return cluster


def stop(folder: Path, bin_dir: Path | None = None) -> None:
    """Stop the cluster in `folder` (if it runs) and remove the folder."""
    bin_dir = bin_dir or server_bin()
    data = folder / "data"
    if bin_dir is not None and (data / "postmaster.pid").exists():
        owner = data.stat().st_uid
        user = pwd.getpwuid(owner) if os.geteuid() == 0 and owner != 0 else None
        with contextlib.suppress(RuntimeError):
            _run_as(
                user,
                [str(bin_dir / "pg_ctl"), "--pgdata", str(data), "--mode", "immediate", "stop"],
            )
    shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["start"] and len(argv) == 1:
        cluster = start()
        print(cluster.folder)
        print(cluster.url)
        return 0
    if argv[:1] == ["stop"] and len(argv) == 2:
        stop(Path(argv[1]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
