"""Synthetic registers for the benchmarks: realistic shapes, deterministic content."""

from __future__ import annotations

import random
from pathlib import Path

from ropa.records import ActivityRecord, LawfulBasisEntry, RetentionEntry
from ropa.register import Register

FUNCTIONS = [
    "Children's social care",
    "Education",
    "Adult social care",
    "Housing",
    "Human resources",
    "Finance",
    "Youth justice",
    "Public health",
]
BASES = ["a", "b", "c", "e", "f"]


def synthetic_activity(index: int, rng: random.Random) -> ActivityRecord:
    """One activity with about 5 purposes, 8 data categories, 6 recipients and 2 bases."""
    return ActivityRecord(
        reference=f"BEN-{index:05d}",
        name=f"Processing activity {index}",
        business_function=rng.choice(FUNCTIONS),
        description=f"Synthetic activity {index} used to measure the register at scale.",
        owner=f"Service manager {index % 40}",
        purposes=[f"Purpose {rng.randrange(120)}" for _ in range(5)],
        individuals=[f"People group {rng.randrange(30)}" for _ in range(3)],
        data_categories=[f"Data category {rng.randrange(200)}" for _ in range(8)],
        recipients=[f"Recipient {rng.randrange(150)}" for _ in range(6)],
        security_measures=[f"Measure {rng.randrange(25)}" for _ in range(3)],
        lawful_bases=[
            LawfulBasisEntry(basis, f"Why {basis} applies", [f"Act {rng.randrange(60)}"])
            for basis in rng.sample(BASES, 2)
        ],
        retention=[RetentionEntry(f"{rng.randrange(1, 80)} years", "case closure")],
    )


def synthetic_activities(count: int, seed: int = 30) -> list[ActivityRecord]:
    rng = random.Random(seed)
    return [synthetic_activity(index, rng) for index in range(1, count + 1)]


def build_register(path: Path, count: int) -> Register:
    """A fresh register at `path` holding `count` synthetic activities."""
    path.unlink(missing_ok=True)
    register = Register.open(path)
    register.activities.create_many(synthetic_activities(count))
    return register


def cached_register(count: int) -> Path:
    """A register of `count` activities built once and kept under /tmp between runs."""
    import tempfile

    path = Path(tempfile.gettempdir()) / f"ropa-bench-{count}.ropa"
    if not path.exists():
        build_register(path, count).close()
    return path
