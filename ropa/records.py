"""Plain records passed between the register and everything that reads or writes it.

Services take and return these, never ORM objects, so the GUI, the spreadsheets, the
notices and the checks never see a database session.  Library items are named by their
name (matched trimmed and case-insensitively), which is also what users type.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import NamedTuple

from db.activity_tables import CHILD_FIELDS, ITEM_FIELDS
from db.enums import LibraryKind, Role, Status

__all__ = [
    "LINK_FIELDS",
    "SCALAR_FIELDS",
    "ActivityRecord",
    "ActivitySummary",
    "ConditionEntry",
    "LawfulBasisEntry",
    "LibraryItemRecord",
    "LibraryKind",
    "OrganisationRecord",
    "RetentionEntry",
    "Role",
    "Status",
    "TransferEntry",
]


@dataclass
class LawfulBasisEntry:
    """An Article 6(1) basis: code is 'a', 'b', 'c', 'd', 'e', 'ea' or 'f'."""

    basis: str
    explanation: str = ""
    legislation: list[str] = field(default_factory=list)
    # Article 6(5): the Annex 1 paragraph ('1', '2', '3', '5', '6') an (ea) basis rests on.
    annex1_condition: str = ""
    # Why a public authority's (ea)/(f) processing is outside its tasks (Article 6(1)).
    outside_tasks_reason: str = ""


@dataclass
class ConditionEntry:
    """An Article 9(2) condition (code 'a'..'j') or a Schedule 1 paragraph (code '18')."""

    code: str
    explanation: str = ""


@dataclass
class TransferEntry:
    destination: str
    mechanism: str = ""
    safeguards: str = ""
    # Article 46(1A): "yes" (the data protection test is met), "no", or "" (not recorded).
    data_protection_test: str = ""
    data_protection_test_date: str = ""
    data_protection_test_link: str = ""


@dataclass
class RetentionEntry:
    period: str
    trigger: str = ""
    applies_to: str = ""


# Activity fields that hold library items, with the kind of item each one holds (named with
# the table that keeps them, db/activity_tables.py).
LINK_FIELDS: dict[str, LibraryKind] = ITEM_FIELDS


@dataclass
class ActivityRecord:
    """Everything the register knows about one processing activity."""

    reference: str = ""
    name: str = ""
    business_function: str = ""
    description: str = ""
    owner: str = ""
    role: Role = Role.CONTROLLER
    joint_controllers: str = ""
    controllers: str = ""
    controller_representatives: str = ""
    controller_contract_link: str = ""
    status: Status = Status.DRAFT
    approved_by: str = ""
    approved_on: dt.date | None = None
    last_reviewed: dt.date | None = None
    next_review: dt.date | None = None
    purposes: list[str] = field(default_factory=list)
    individuals: list[str] = field(default_factory=list)
    data_categories: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    # Recipient (as named in `recipients`) -> why it gets the data ("to pay your benefit"),
    # for the notice to say beside it (Art 13(1)(e)); a recipient without one has none yet.
    recipient_reasons: dict[str, str] = field(default_factory=dict)
    # The answer that the data is given to no one (Art 30(1)(d)): True only when the DPO
    # says so; None (not answered) is never taken for it, whatever `recipients` holds.
    shared_with_no_one: bool | None = None
    processors: list[str] = field(default_factory=list)
    legislation: list[str] = field(default_factory=list)
    security_measures: list[str] = field(default_factory=list)
    systems: list[str] = field(default_factory=list)
    security_description: str = ""
    location_of_data: str = ""
    lawful_bases: list[LawfulBasisEntry] = field(default_factory=list)
    article9: list[ConditionEntry] = field(default_factory=list)
    schedule1: list[ConditionEntry] = field(default_factory=list)
    article10_basis: str = ""
    legitimate_interests: str = ""
    lia_link: str = ""
    consent_record_link: str = ""
    # Yes/no questions: None until answered (never assumed No).
    automated_decisions: bool | None = None
    automated_decision_details: str = ""
    transfers: list[TransferEntry] = field(default_factory=list)
    retention: list[RetentionEntry] = field(default_factory=list)
    dpia_required: bool | None = None
    dpia_progress: str = ""
    dpia_link: str = ""
    breach_occurred: bool | None = None
    breach_link: str = ""
    apd_link: str = ""
    retention_follows_apd: bool | None = None
    apd_deviation_reason: str = ""
    statutory_requirement: str = ""
    involves_children: bool | None = None
    large_scale: bool | None = None
    # Codes of the ICO's DPIA list (ropa.law.dpia_criteria) the DPO ticked, one a line.
    dpia_criteria: str = ""
    consent_reviewed_on: dt.date | None = None
    child_consent_arrangements: str = ""
    notes: str = ""
    # The organisation's own columns ("Information asset owner", "System supplier"...):
    # header -> text, in the order the organisation gave them.  Not part of the ICO layout,
    # so written after its columns in the workbook we export.
    extra_fields: dict[str, str] = field(default_factory=dict)
    # Set by the register; ignored when creating.
    id: int | None = None
    version: int = 0
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    # Its content changed after it was approved (ropa.review_rules); cleared by approving.
    changed_since_approval: bool = False

    @classmethod
    def editable_fields(cls) -> list[str]:
        """The fields a user can change (everything but id, version and timestamps)."""
        return [f.name for f in fields(cls) if f.name not in _SYSTEM_FIELDS]


_SYSTEM_FIELDS = {"id", "version", "created_at", "updated_at", "changed_since_approval"}

# The fields kept in the activity's own row: every editable field but those kept in its
# child tables (db/activity_tables.py).
SCALAR_FIELDS = [name for name in ActivityRecord.editable_fields() if name not in CHILD_FIELDS]


class ActivitySummary(NamedTuple):
    """One row of the activities list: what the main window shows without loading it all.

    A named tuple rather than a frozen dataclass: the list makes 10,000 of these as the main
    window opens, and a tuple is made several times faster."""

    id: int
    reference: str
    name: str
    business_function: str
    status: Status
    role: Role
    next_review: dt.date | None
    last_reviewed: dt.date | None
    updated_at: dt.datetime | None
    has_special_category: bool
    has_criminal_offence: bool
    version: int
    changed_since_approval: bool = False


@dataclass
class LibraryItemRecord:
    kind: LibraryKind
    name: str
    description: str = ""
    special_category: bool = False
    criminal_offence: bool = False
    contract_link: str = ""
    link: str = ""
    adequacy: bool = False
    id: int | None = None
    version: int = 0
    usage_count: int = 0


@dataclass
class OrganisationRecord:
    name: str = ""
    address: str = ""
    email: str = ""
    telephone: str = ""
    website: str = ""
    dpo_name: str = ""
    dpo_address: str = ""
    dpo_email: str = ""
    dpo_telephone: str = ""
    representative_name: str = ""
    representative_address: str = ""
    representative_email: str = ""
    representative_telephone: str = ""
    ico_registration: str = ""
    # True or False once the DPO has said; None (unknown) until then.  Never assumed: it
    # decides which lawful bases the organisation may use for its tasks.
    is_public_authority: bool | None = None
    complaints_contact: str = ""
    # DPA 2018 s.164A: the complaint form's address, and how complaints are acknowledged.
    complaints_form_url: str = ""
    complaints_acknowledgement: str = ""
    version: int = 0
