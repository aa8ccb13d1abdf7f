"""The change history: every change recorded with who made it and when.

In a register file "who" is the operating system's login name. On a PostgreSQL server it is
the server's own login (session_user), written by the server in the INSERT itself, so a client
cannot put another name there.  On a team register the server writes every line itself, from
triggers (db/team_security.py), stamped with session_user and its own clock; the app then
writes none (it would record each change twice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from db.models import ChangeRecord, utc_now
from db.server import is_team_register
from ropa.identity import current_user

if TYPE_CHECKING:
    from ropa.store import Store


def format_value(value: Any) -> str:
    """A value as the history shows it: lists one item a line, yes/no, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "\n".join(format_value(item) for item in value)
    if hasattr(value, "__dataclass_fields__"):
        parts = [format_value(getattr(value, name)) for name in value.__dataclass_fields__]
        return " | ".join(part for part in parts if part)
    return str(value)


@dataclass(frozen=True)
class Change:
    changed_at: dt.datetime
    changed_by: str
    entity_type: str
    entity_id: int | None
    entity_label: str
    action: str
    field: str
    old_value: str
    new_value: str


class ChangeLog:
    """Collects the changes of one transaction and writes them as it commits.

    The lines are written in one statement just before the commit (never on a rollback),
    which keeps a 10,000-activity import from flushing the ORM after every activity.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.user = current_user()
        self.at = utc_now()
        self._rows: list[dict[str, Any]] = []
        event.listen(session, "before_commit", self._write, once=True)

    def add(
        self,
        entity_type: str,
        entity_id: int | None,
        label: str,
        action: str,
        field: str = "",
        old: Any = None,
        new: Any = None,
    ) -> None:
        self._rows.append(
            {
                "changed_at": self.at,
                "changed_by": self.user,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "entity_label": label,
                "action": action,
                "field": field,
                "old_value": format_value(old),
                "new_value": format_value(new),
            }
        )

    def _write(self, session: Session) -> None:
        if not self._rows:
            return
        # The changes themselves first: a team register's server that refuses one then
        # names its table, rather than the history's.
        session.flush()
        connection = session.connection()
        statement = insert(ChangeRecord)
        if connection.dialect.name == "postgresql" and is_team_register(connection):
            # A team register's server writes every line itself, from its triggers
            # (db/team_security.py), for every change however it is made: writing ours too
            # would record each change twice.
            self._rows = []
            return
        if connection.dialect.name == "postgresql":
            statement = statement.values(changed_by=func.session_user())
            for row in self._rows:
                row.pop("changed_by", None)
        connection.execute(statement, self._rows)
        self._rows = []


class HistoryService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def changes(
        self,
        *,
        entity_type: str | None = None,
        entity_id: int | None = None,
        since: dt.datetime | None = None,
        limit: int | None = None,
    ) -> list[Change]:
        """Changes newest first, optionally for one entity and/or since a moment (UTC)."""
        query = select(ChangeRecord).order_by(
            ChangeRecord.changed_at.desc(), ChangeRecord.id.desc()
        )
        if entity_type is not None:
            query = query.where(ChangeRecord.entity_type == entity_type)
        if entity_id is not None:
            query = query.where(ChangeRecord.entity_id == entity_id)
        if since is not None:
            query = query.where(ChangeRecord.changed_at >= since)
        if limit is not None:
            query = query.limit(limit)
        with self.store.reading() as session:
            return list(_to_changes(session.scalars(query)))


def _to_changes(rows: Iterable[ChangeRecord]) -> Iterable[Change]:
    for row in rows:
        yield Change(
            row.changed_at,
            row.changed_by,
            row.entity_type,
            row.entity_id,
            row.entity_label,
            row.action,
            row.field,
            row.old_value,
            row.new_value,
        )
