"""Counts and lists in words, the same in every message the app and the command line give."""

from __future__ import annotations

from collections.abc import Iterable


def count_of(number: int, noun: str, plural: str | None = None) -> str:
    """'1 error', '3 errors', '2 activities' (pass `plural` when it is not noun + 's')."""
    return f"{number:,} {noun if number == 1 else (plural or noun + 's')}"


def join_names(names: Iterable[str]) -> str:
    """ "A", "A and B", "A, B and C"; "" for none."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
