"""Fixtures for tests against a real PostgreSQL server: a fresh database for each test.

The server is the one ROPA_TEST_POSTGRES_URL names (.ci/run starts a throwaway cluster and
sets it). Without it, the first test that needs a server starts a cluster of its own from
the installed server programs (tests/helpers/pg_cluster.py) and stops it when the run ends.
With neither, those tests are skipped on a developer's machine and fail in CI (CI is set):
no test is skipped in CI for want of a server.

Each test gets a database of its own, copied from a template (CREATE DATABASE ... TEMPLATE
is a file copy on the server, far quicker than running the migrations for every test).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import pytest

if TYPE_CHECKING:
    import psycopg

from tests.helpers import pg_cluster

URL_VARIABLE = "ROPA_TEST_POSTGRES_URL"
# One template per pytest-xdist worker (workers run side by side on one server).
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
REGISTER_TEMPLATE = f"ropa_register_template_{_WORKER}"
EXAMPLE_TEMPLATE = f"ropa_example_template_{_WORKER}"


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def _unavailable(reason: str) -> None:
    message = f"no PostgreSQL server for this test: {reason}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI must run every PostgreSQL test; .ci/run starts a server)")
    pytest.skip(message)


def _admin(url: str) -> psycopg.Connection[Any]:
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=10)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a maintenance database on a server this run may create databases on."""
    url = os.environ.get(URL_VARIABLE)
    cluster = None
    if not url:
        if pg_cluster.server_bin() is None:
            _unavailable(f"{URL_VARIABLE} is not set and no PostgreSQL server is installed")
        try:
            cluster = pg_cluster.start()
        except (RuntimeError, OSError) as error:
            _unavailable(f"could not start a throwaway cluster: {error}")
        assert cluster is not None
        url = cluster.url
    try:
        try:
            _admin(url).close()
        except Exception as error:
            _unavailable(f"cannot connect to {url}: {error}")
        yield url
    finally:
        if cluster is not None:
            pg_cluster.stop(cluster.folder)


def _fresh_database(server: str, template: str) -> Iterator[str]:
    name = f"ropa_test_{uuid.uuid4().hex[:16]}"
    with _admin(server) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield with_database(server, name)
    finally:
        with _admin(server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """The URL of a new, empty database (no register in it), dropped after the test."""
    yield from _fresh_database(postgres_server, "template0")


@pytest.fixture(scope="session")
def _register_template(postgres_server: str) -> str:
    """A database holding a new register at the newest schema, to copy for each test."""
    from ropa.register import Register

    with _admin(postgres_server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{REGISTER_TEMPLATE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{REGISTER_TEMPLATE}" TEMPLATE template0')
    Register.open(with_database(postgres_server, REGISTER_TEMPLATE)).close()
    return REGISTER_TEMPLATE


@pytest.fixture
def postgres_register_url(postgres_server: str, _register_template: str) -> Iterator[str]:
    """The URL of a database holding a new register (as Register.open creates one)."""
    yield from _fresh_database(postgres_server, _register_template)


@pytest.fixture(scope="session")
def _example_template(postgres_server: str, _register_template: str) -> str:
    """A database holding the example register, to copy for each test that wants it."""
    from ropa.demo import fill_with_example
    from ropa.register import Register

    with _admin(postgres_server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{EXAMPLE_TEMPLATE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{EXAMPLE_TEMPLATE}" TEMPLATE "{_register_template}"')
    with Register.open(with_database(postgres_server, EXAMPLE_TEMPLATE)) as register:
        fill_with_example(register)
    return EXAMPLE_TEMPLATE


@pytest.fixture
def postgres_example_url(postgres_server: str, _example_template: str) -> Iterator[str]:
    """The URL of a database holding the example register."""
    yield from _fresh_database(postgres_server, _example_template)
