"""The register's tables.

One declarative base with a naming convention, so that Alembic (in batch mode for SQLite)
can name and rebuild constraints predictably.  Library items of every kind share one table:
renaming, merging and "where is this used" then work the same way for all of them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Re-exported: the domain names these through db.models with the tables that use them.
from db.enums import LibraryKind as LibraryKind
from db.enums import Role as Role
from db.enums import Status as Status

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Organisation(Base):
    """The controller (or processor) whose register this is. Always exactly one row."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(Text, default="")
    telephone: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(Text, default="")
    dpo_name: Mapped[str] = mapped_column(Text, default="")
    dpo_address: Mapped[str] = mapped_column(Text, default="")
    dpo_email: Mapped[str] = mapped_column(Text, default="")
    dpo_telephone: Mapped[str] = mapped_column(Text, default="")
    representative_name: Mapped[str] = mapped_column(Text, default="")
    representative_address: Mapped[str] = mapped_column(Text, default="")
    representative_email: Mapped[str] = mapped_column(Text, default="")
    representative_telephone: Mapped[str] = mapped_column(Text, default="")
    ico_registration: Mapped[str] = mapped_column(Text, default="")
    # None until the DPO says: whether an organisation is a public authority decides which
    # lawful bases it may use for its tasks, so it is asked, never assumed.
    is_public_authority: Mapped[bool | None] = mapped_column(Boolean, nullable=True, default=None)
    complaints_contact: Mapped[str] = mapped_column(Text, default="")
    # DPA 2018 s.164A (from 19 June 2026): controllers facilitate complaints, "such as providing
    # a complaint form which can be completed electronically and by other means", and
    # acknowledge each within 30 days.
    complaints_form_url: Mapped[str] = mapped_column(Text, default="")
    complaints_acknowledgement: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)


class LibraryItem(Base):
    """A reusable term: a purpose, a category of people or data, a recipient, an Act..."""

    __tablename__ = "library_items"
    __table_args__ = (UniqueConstraint("kind", "name_key", name="kind_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[LibraryKind] = mapped_column(
        Enum(
            LibraryKind,
            native_enum=False,
            length=32,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    name: Mapped[str] = mapped_column(Text)
    # The trimmed, case-folded name: two items of a kind never differ only in case or spacing.
    name_key: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    special_category: Mapped[bool] = mapped_column(Boolean, default=False)
    criminal_offence: Mapped[bool] = mapped_column(Boolean, default=False)
    contract_link: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(Text, default="")
    adequacy: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ActivityLink(Base):
    """An activity uses a library item, in the order the user gave."""

    __tablename__ = "activity_links"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("library_items.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Why this activity gives the data to this item when it is a recipient ("to pay your
    # benefit"): the notice says it beside the recipient.  "" = not recorded.
    reason: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[LibraryItem] = relationship(lazy="joined")


class Activity(Base):
    """One processing activity: a row of the ICO template and much more."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text, default="")
    business_function: Mapped[str] = mapped_column(Text, default="", index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]),
        default=Role.CONTROLLER,
    )
    joint_controllers: Mapped[str] = mapped_column(Text, default="")
    controllers: Mapped[str] = mapped_column(Text, default="")
    controller_representatives: Mapped[str] = mapped_column(Text, default="")
    controller_contract_link: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[Status] = mapped_column(
        Enum(Status, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]),
        default=Status.DRAFT,
        index=True,
    )
    approved_by: Mapped[str] = mapped_column(Text, default="")
    approved_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    last_reviewed: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    next_review: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # Set when the content changes after an approval (the activity goes back for review);
    # cleared by the next approval.  So the list and the editor can say the approval is of
    # something else than what the register now holds.
    changed_since_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    security_description: Mapped[str] = mapped_column(Text, default="")
    location_of_data: Mapped[str] = mapped_column(Text, default="")
    article10_basis: Mapped[str] = mapped_column(String(32), default="")
    legitimate_interests: Mapped[str] = mapped_column(Text, default="")
    lia_link: Mapped[str] = mapped_column(Text, default="")
    consent_record_link: Mapped[str] = mapped_column(Text, default="")
    # The yes/no questions are None until someone answers them: a register that never asked
    # must not say "No" (a "No" to children or automated decisions switches checks off and
    # is repeated in notices).
    automated_decisions: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    automated_decision_details: Mapped[str] = mapped_column(Text, default="")
    dpia_required: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    dpia_progress: Mapped[str] = mapped_column(Text, default="")
    dpia_link: Mapped[str] = mapped_column(Text, default="")
    breach_occurred: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    breach_link: Mapped[str] = mapped_column(Text, default="")
    apd_link: Mapped[str] = mapped_column(Text, default="")
    retention_follows_apd: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    apd_deviation_reason: Mapped[str] = mapped_column(Text, default="")
    statutory_requirement: Mapped[str] = mapped_column(Text, default="")
    involves_children: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    large_scale: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # Article 30(1)(d) asks for the categories of recipients, and Article 13(1)(e) tells people
    # of them "if any": True is the DPO's answer that no one receives the data, which an empty
    # list of recipients (not yet recorded) cannot say.  None until answered.
    shared_with_no_one: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # The ICO's Article 35(4) list that the DPO ticked, one code a line (ropa.law.dpia_criteria).
    dpia_criteria: Mapped[str] = mapped_column(Text, default="")
    # Consent: when it was last reviewed, and how a child's consent is handled (Article 8).
    consent_reviewed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    child_consent_arrangements: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    links: Mapped[list[ActivityLink]] = relationship(
        cascade="all, delete-orphan", order_by="ActivityLink.position"
    )
    lawful_bases: Mapped[list[ActivityLawfulBasis]] = relationship(
        cascade="all, delete-orphan", order_by="ActivityLawfulBasis.position"
    )
    conditions: Mapped[list[ActivityCondition]] = relationship(
        cascade="all, delete-orphan", order_by="ActivityCondition.position"
    )
    transfers: Mapped[list[Transfer]] = relationship(
        cascade="all, delete-orphan", order_by="Transfer.position"
    )
    retention_rules: Mapped[list[RetentionRule]] = relationship(
        cascade="all, delete-orphan", order_by="RetentionRule.position"
    )
    extra_field_rows: Mapped[list[ActivityExtraField]] = relationship(
        cascade="all, delete-orphan", order_by="ActivityExtraField.position"
    )


class ActivityLawfulBasis(Base):
    """An Article 6(1) basis the activity relies on, why, and the law it rests on."""

    __tablename__ = "activity_lawful_bases"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    basis: Mapped[str] = mapped_column(String(8))
    explanation: Mapped[str] = mapped_column(Text, default="")
    # Article 6(5): the Annex 1 paragraph a recognised legitimate interest (ea) rests on.
    annex1_condition: Mapped[str] = mapped_column(String(8), default="")
    # Article 6(1), closing words: why a public authority's (ea)/(f) processing is not done
    # in the performance of its tasks ("" = not said).
    outside_tasks_reason: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    legislation_links: Mapped[list[BasisLegislation]] = relationship(
        cascade="all, delete-orphan", order_by="BasisLegislation.position", lazy="selectin"
    )


class BasisLegislation(Base):
    __tablename__ = "basis_legislation"

    basis_id: Mapped[int] = mapped_column(
        ForeignKey("activity_lawful_bases.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("library_items.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    item: Mapped[LibraryItem] = relationship(lazy="joined")


class ActivityCondition(Base):
    """An Article 9(2) condition (scheme 'article9', code 'h') or a DPA 2018 Schedule 1
    condition (scheme 'schedule1', code the paragraph number)."""

    __tablename__ = "activity_conditions"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    scheme: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(8))
    explanation: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Transfer(Base):
    """Personal data sent to a third country or an international organisation."""

    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    destination: Mapped[str] = mapped_column(Text)
    mechanism: Mapped[str] = mapped_column(String(32), default="")
    safeguards: Mapped[str] = mapped_column(Text, default="")
    # Article 46(1A)(a)(ii): whether the data protection test was considered met ("yes",
    # "no", or "" not recorded), on which day (as typed, a date) and where the record is.
    data_protection_test: Mapped[str] = mapped_column(String(8), default="")
    data_protection_test_date: Mapped[str] = mapped_column(Text, default="")
    data_protection_test_link: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class RetentionRule(Base):
    """How long (part of) the activity's data is kept, and from when."""

    __tablename__ = "retention_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(Text)
    trigger: Mapped[str] = mapped_column(Text, default="")
    applies_to: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class ActivityExtraField(Base):
    """One of the organisation's own fields on an activity ("System supplier": "Capita"),
    in the order the organisation keeps its columns."""

    __tablename__ = "activity_extra_fields"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    value: Mapped[str] = mapped_column(Text, default="")


class Notice(Base):
    """A public privacy notice drafted from some of the register's activities."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(32), default="adults")
    introduction: Mapped[str] = mapped_column(Text, default="")
    contact_text: Mapped[str] = mapped_column(Text, default="")
    template: Mapped[str] = mapped_column(Text, default="")
    # "function", "activity" or "" (chosen for the audience): the full notice's sections.
    grouping: Mapped[str] = mapped_column(String(16), default="")
    # Where the full notice is published, for the short layer's link ("" = not set).
    full_notice_url: Mapped[str] = mapped_column(Text, default="")
    business_functions: Mapped[str] = mapped_column(Text, default="")
    # The people (categories of individuals) it is for, one per line ("" = all, or the
    # children among them for a children's notice).
    individuals: Mapped[str] = mapped_column(Text, default="")
    # JSON: register text -> the words this notice says instead (plain words for children).
    plain_wording: Mapped[str] = mapped_column(Text, default="")
    # Choices and opt-outs beyond the statutory rights, one per line ("NHS national data
    # opt-out: https://..."), and where to make a subject access request and read the
    # retention schedule.
    choices: Mapped[str] = mapped_column(Text, default="")
    sar_url: Mapped[str] = mapped_column(Text, default="")
    retention_schedule_url: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    activity_links: Mapped[list[NoticeActivity]] = relationship(
        cascade="all, delete-orphan", order_by="NoticeActivity.position"
    )
    sections: Mapped[list[NoticeSection]] = relationship(
        cascade="all, delete-orphan", order_by="NoticeSection.position"
    )
    published_versions: Mapped[list[NoticeVersion]] = relationship(
        cascade="all, delete-orphan", order_by="NoticeVersion.number"
    )


class NoticeActivity(Base):
    __tablename__ = "notice_activities"

    notice_id: Mapped[int] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True
    )
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class NoticeSection(Base):
    """A section the DPO writes by hand (for example about the MASH)."""

    __tablename__ = "notice_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    heading: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class NoticeVersion(Base):
    """A published, frozen version of a notice."""

    __tablename__ = "notice_versions"
    __table_args__ = (UniqueConstraint("notice_id", "number", name="notice_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    published_by: Mapped[str] = mapped_column(Text, default="")
    # The notice's content as published, as JSON: what "what changed" compares against.
    content: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")


class ChangeRecord(Base):
    """Who changed what, when (UK GDPR Article 5(2), accountability)."""

    __tablename__ = "change_history"
    __table_args__ = (Index("ix_change_history_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, index=True)
    changed_by: Mapped[str] = mapped_column(Text, default="")
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    entity_label: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(String(32))
    field: Mapped[str] = mapped_column(Text, default="")
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
