"""What a check finds, and what the rules need to know beyond the activities themselves."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ropa.library import name_key
from ropa.records import LibraryItemRecord, LibraryKind, OrganisationRecord


class Severity(enum.StrEnum):
    """error: UK GDPR Article 30 or DPA 2018 Schedule 1 requires it, or the law plainly
    requires or forbids it.
    warning: ICO good practice, or two answers that do not agree."""

    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return "Error" if self is Severity.ERROR else "Warning"


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: Severity
    article: str
    activity_id: int | None
    reference: str
    activity_name: str
    field: str
    message: str
    fix: str


@dataclass(frozen=True)
class NoticeState:
    """A privacy notice as the staleness rule sees it."""

    notice_id: int
    title: str
    last_published_at: dt.datetime | None
    activity_ids: tuple[int, ...]


@dataclass
class CheckContext:
    """Everything beyond the activity records that the rules read. Build it once per run."""

    organisation: OrganisationRecord = field(default_factory=OrganisationRecord)
    today: dt.date = field(default_factory=dt.date.today)
    # Name keys (ropa.library.name_key) of the data categories flagged in the library.
    special_categories: frozenset[str] = frozenset()
    criminal_categories: frozenset[str] = frozenset()
    # Processor name key -> its contract link ("" when none is recorded).
    processor_contracts: Mapping[str, str] = field(default_factory=dict)
    # Recipient name key -> its data sharing agreement link (or why none is needed).
    recipient_agreements: Mapping[str, str] = field(default_factory=dict)
    notices: Sequence[NoticeState] = ()
    # Activity id -> when it last changed, for activities the records do not cover
    # (the notice rule needs them even when checking a few activities).
    activity_changes: Mapping[int, dt.datetime] = field(default_factory=dict)

    @classmethod
    def from_items(
        cls,
        items: Sequence[LibraryItemRecord],
        organisation: OrganisationRecord | None = None,
        *,
        today: dt.date | None = None,
        notices: Sequence[NoticeState] = (),
        activity_changes: Mapping[int, dt.datetime] | None = None,
    ) -> CheckContext:
        data = [item for item in items if item.kind == LibraryKind.DATA_CATEGORY]
        return cls(
            organisation=organisation or OrganisationRecord(),
            today=today or dt.date.today(),
            special_categories=frozenset(name_key(i.name) for i in data if i.special_category),
            criminal_categories=frozenset(name_key(i.name) for i in data if i.criminal_offence),
            processor_contracts={
                name_key(item.name): item.contract_link.strip()
                for item in items
                if item.kind == LibraryKind.PROCESSOR
            },
            recipient_agreements={
                name_key(item.name): item.contract_link.strip()
                for item in items
                if item.kind == LibraryKind.RECIPIENT
            },
            notices=tuple(notices),
            activity_changes=dict(activity_changes or {}),
        )

    def special_in(self, names: Sequence[str]) -> list[str]:
        return [name for name in names if name_key(name) in self.special_categories]

    def criminal_in(self, names: Sequence[str]) -> list[str]:
        return [name for name in names if name_key(name) in self.criminal_categories]
