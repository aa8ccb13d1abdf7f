"""Fixtures shared by every test: real register files in tmp_path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ropa.records import ActivityRecord, LawfulBasisEntry, RetentionEntry
from ropa.register import Register


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
