"""Counts in words, the same in every message the app and the command line give."""

from __future__ import annotations


def count_of(number: int, noun: str, plural: str | None = None) -> str:
    """'1 error', '3 errors', '2 activities' (pass `plural` when it is not noun + 's')."""
    return f"{number:,} {noun if number == 1 else (plural or noun + 's')}"
