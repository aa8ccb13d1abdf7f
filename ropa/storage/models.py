"""The ORM class of each table named in db/activity_tables.py (which names tables only)."""

from __future__ import annotations

import functools
from typing import Any

from db.models import Base


@functools.cache
def model_of(table: str) -> Any:
    """The mapped class whose table is `table`."""
    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table:
            return mapper.class_
    raise KeyError(f"No model maps the table {table}")
