"""Fixtures shared by every test: real register files in tmp_path, and a home of their own.

Before anything else is imported, the whole run (and every process it starts) is given a
temporary home folder: settings, recent registers, Qt's file dialog history and the default
register all land there, never in the person's own profile. When the run ends,
tests/home_guard.py checks that the real home holds no new or changed ROPA desk or Qt
settings, and fails the run if it does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.home_guard import RealHome, move_home_aside

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REAL_HOME: RealHome = move_home_aside()

from ropa.records import ActivityRecord, LawfulBasisEntry, RetentionEntry  # noqa: E402
from ropa.register import Register  # noqa: E402


@pytest.fixture
def register_path(tmp_path: Path) -> Path:
    return tmp_path / "register.ropa"


@pytest.fixture
def register(register_path: Path) -> Iterator[Register]:
    with Register.open(register_path) as opened:
        yield opened


@pytest.fixture
def demo_register(tmp_path: Path) -> Iterator[Register]:
    from ropa.demo import write_demo

    with write_demo(tmp_path / "demo.ropa") as opened:
        yield opened


def sample_activity(**overrides: object) -> ActivityRecord:
    """A complete, realistic activity; tests override what they are about."""
    values: dict[str, object] = {
        "reference": "CS-001",
        "name": "Child protection enquiries",
        "business_function": "Children's social care",
        "description": "Section 47 enquiries when a child is suspected to be at risk of harm.",
        "owner": "Head of Safeguarding",
        "purposes": ["Safeguarding children", "Statutory reporting"],
        "individuals": ["Children", "Parents and carers"],
        "data_categories": ["Name and contact details", "Health"],
        "recipients": ["Police", "NHS bodies"],
        "security_measures": ["Role-based access control"],
        "lawful_bases": [LawfulBasisEntry("e", "Statutory duty", ["Children Act 1989"])],
        "retention": [RetentionEntry("Until the child's 25th birthday", "case closure")],
    }
    values.update(overrides)
    return ActivityRecord(**values)  # type: ignore[arg-type]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if anything was written to the real home's settings or data folders."""
    written = REAL_HOME.changes()
    if written:
        session.config.get_terminal_writer().line(
            "The tests wrote into the real home folder: " + ", ".join(written), red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    REAL_HOME.remove_test_home()
