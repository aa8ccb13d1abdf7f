"""The example register: a council's children's services, for trying the app out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from db.models import LibraryKind
from db.storage_options import SQLITE_IN_PROCESS, StorageOptions
from ropa.activities import insert_activity
from ropa.errors import RopaError
from ropa.history import ChangeLog
from ropa.library import LibraryResolver
from ropa.notices.records import NoticeSectionEntry
from ropa.organisation import apply_organisation
from ropa.paths import resource
from ropa.records import (
    ActivityRecord,
    ConditionEntry,
    LawfulBasisEntry,
    RetentionEntry,
    TransferEntry,
)
from ropa.register import Register

_ENTRY_TYPES = {
    "lawful_bases": LawfulBasisEntry,
    "article9": ConditionEntry,
    "schedule1": ConditionEntry,
    "transfers": TransferEntry,
    "retention": RetentionEntry,
}


DEMO_PUBLISH_REASON = (
    "The example register's gaps are deliberate; published so that “What has changed” has a "
    "version to compare with."
)


def demo_content() -> dict[str, Any]:
    with resource("demo", "childrens_services.json").open(encoding="utf-8") as handle:
        content: dict[str, Any] = json.load(handle)
    return content


def demo_activities(content: dict[str, Any] | None = None) -> list[ActivityRecord]:
    """The example activities (of `content`, by default the shipped example register)."""
    records = []
    for raw in (content or demo_content())["activities"]:
        values = dict(raw)
        for name, entry_type in _ENTRY_TYPES.items():
            values[name] = [entry_type(**entry) for entry in values.get(name) or []]
        records.append(ActivityRecord(**values))
    return records


def write_demo(path: Path, *, options: StorageOptions = SQLITE_IN_PROCESS) -> Register:
    """Create a new register at `path` holding the example content, opened (and built) the
    way `options` say: the app passes its own.

    It is built in a temporary file beside `path` and moved into place only when complete,
    so a failure part-way leaves nothing behind (and a second attempt is not refused)."""
    _refuse_server_address(path)
    if path.exists():
        raise RopaError(f"{path} already exists. Choose a new file name for the example register.")
    partial = path.with_name(path.name + ".building")
    try:
        with Register.open(partial, options=options, daily_backup=False) as register:
            _fill(register)
        partial.replace(path)
    finally:
        for leftover in (partial, *(partial.with_name(partial.name + s) for s in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
    return Register.open(path, options=options, daily_backup=False)


def _refuse_server_address(path: Path | str) -> None:
    """A server's address is not a file name: taken as one it would make a folder named
    "postgresql:" and report success.  The example goes to a server as any register does."""
    text = str(path).replace("\\", "/")
    if text.lower().startswith(("postgresql:", "postgres:")):
        raise RopaError(
            f"ropa demo writes the example register to a file; {text.split(':', 1)[0]}:... is a "
            "server's address. To try the example on a server: ropa demo example.ropa, then "
            "(with the IT team's administrator login) ropa copy example.ropa "
            "postgresql://ADMIN@HOST:PORT/DATABASE and ropa team init "
            "postgresql://ADMIN@HOST:PORT/DATABASE --dpo LOGIN. Nothing was written."
        )


def fill_with_example(register: Register) -> None:
    """Put the example content into a new, empty register (a file or a team register)."""
    _fill(register)


def _fill(register: Register) -> None:
    content = demo_content()
    with register.transaction() as session:
        log = ChangeLog(session)
        resolver = LibraryResolver(session, log)
        apply_organisation(session, content["organisation"], log)
        for kind_name, items in content.get("library", {}).items():
            kind = LibraryKind(kind_name)
            for entry in items:
                item = resolver.resolve(kind, [entry["name"]])[0]
                for key, value in entry.items():
                    if key != "name":
                        setattr(item, key, value)
        for record in demo_activities(content):
            insert_activity(session, record, resolver, log)
    _add_notices(register, content.get("notices", []))


def _add_notices(register: Register, notices: list[dict[str, Any]]) -> None:
    """The example notices, published once so that "what has changed" has a baseline."""
    service = register.notices
    for raw in notices:
        values = {key: value for key, value in raw.items() if key not in ("publish", "activities")}
        values["sections"] = [NoticeSectionEntry(**section) for section in raw["sections"]]
        if "activities" in raw:
            # Activities chosen one by one, by reference (their ids are made as they are added).
            values["activity_ids"] = [
                found.id
                for reference in raw["activities"]
                if (found := register.activities.find_by_reference(reference)) is not None
            ]
        notice = service.create(**values)
        if raw.get("publish") and notice.id is not None:
            # Its gaps are deliberate (the checks find them), so it is published over them,
            # as a DPO would, with the reason in the history.
            service.publish(notice.id, override_reason=DEMO_PUBLISH_REASON)
