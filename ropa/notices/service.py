"""Notices kept in the register: create, edit, delete and publish them.

Every public method is one transaction, and every change is written to the change history.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import (
    Activity,
    Notice,
    NoticeActivity,
    NoticeSection,
    NoticeVersion,
    Status,
    utc_now,
)
from ropa.checks import check_activities, load_context
from ropa.checks.engine import CheckedRegister
from ropa.errors import ConflictError, NotFoundError, RopaError, ValidationError
from ropa.fields import Kind, fields_of_kind
from ropa.history import ChangeLog
from ropa.identity import current_user
from ropa.library import name_key
from ropa.nothing_said import says_nothing
from ropa.notices.content import NoticeDocument, compose
from ropa.notices.records import (
    AUDIENCES,
    EDITABLE_FIELDS,
    GROUPINGS,
    LAYERS,
    SCALAR_FIELDS,
    NoticeRecord,
    NoticeSectionEntry,
    PublishedVersion,
)
from ropa.notices.render import render_text
from ropa.records import ActivityRecord, LibraryKind
from ropa.wording import count_of

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

ENTITY = "notice"


class NoticeRegister(CheckedRegister, Protocol):
    """What the notices use of an open register (ropa/register.py): structural, so that the
    register, which builds this service, is not imported here."""

    def transaction(self) -> AbstractContextManager[Session]: ...

    @property
    def notices(self) -> NoticeService: ...


class PublishRefused(RopaError):  # noqa: N818 (a refusal the user reads, like ConflictError)
    """Publishing was refused: the notice still has gaps. `blockers` lists them as
    (section heading, what to complete); publishing with a reason overrides the refusal."""

    def __init__(self, message: str, blockers: builtins.list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.blockers = blockers


class NoticeService:
    """The register's privacy notices. `NoticeService(register)`; records in, records out."""

    def __init__(self, register: NoticeRegister) -> None:
        self.register = register

    # --- reading -------------------------------------------------------------------------

    def list(self) -> builtins.list[NoticeRecord]:
        """Every notice, in title order."""
        with self.register.reading() as session:
            notices = session.scalars(
                select(Notice).options(*_load_options()).order_by(Notice.title, Notice.id)
            )
            return [to_record(notice) for notice in notices]

    def get(self, notice_id: int) -> NoticeRecord:
        with self.register.reading() as session:
            return to_record(_load(session, notice_id))

    def covered_activities(self, notice: NoticeRecord) -> builtins.list[ActivityRecord]:
        """The activities chosen one by one plus those of the chosen business functions,
        once each, in reference order (retired activities are left out)."""
        activities = self.register.activities
        chosen: dict[int | None, ActivityRecord] = {}
        if notice.activity_ids:
            chosen.update((a.id, a) for a in activities.load(notice.activity_ids))
        if notice.business_functions:
            loaded = activities.load(business_functions=notice.business_functions)
            chosen.update((a.id, a) for a in loaded)
        return sorted(chosen.values(), key=lambda a: a.reference.casefold())

    def document(
        self,
        notice: int | NoticeRecord,
        *,
        layer: str = "full",
        now: dt.datetime | None = None,
    ) -> NoticeDocument:
        """The notice (stored, by id, or a draft record) as it reads now, in one layer."""
        if layer not in LAYERS:
            raise ValidationError(
                f"“{layer}” is not a notice layer. Choose one of: {', '.join(LAYERS)}.", "layer"
            )
        record = notice if isinstance(notice, NoticeRecord) else self.get(notice)
        if record.id is not None and not record.published:
            # A draft being edited carries no published versions; take them from the register.
            with contextlib.suppress(NotFoundError):
                record = dataclasses.replace(record, published=self.get(record.id).published)
        special, criminal = set(), set()
        for item in self.register.library.items(LibraryKind.DATA_CATEGORY):
            if item.special_category:
                special.add(item.name.casefold())
            if item.criminal_offence:
                criminal.add(item.name.casefold())
        activities = [_as_published(activity) for activity in self.covered_activities(record)]
        context = load_context(self.register)
        return compose(
            record,
            context.organisation,
            activities,
            special_categories=special,
            criminal_categories=criminal,
            findings=check_activities(activities, context),
            layer=layer,
            now=now,
        )

    def blockers(self, notice: int | NoticeRecord) -> builtins.list[tuple[str, str]]:
        """What stops the notice being published: every "[To complete: ...]" line of its
        full text (these include each error-level finding about its activities)."""
        return self.document(notice).todos()

    # --- changing ------------------------------------------------------------------------

    def create(self, record: NoticeRecord | None = None, **values: Any) -> NoticeRecord:
        """Add a notice from a record (or from field values: `create(title="...")`)."""
        source = record if record is not None else NoticeRecord()
        changes = {name: getattr(source, name) for name in EDITABLE_FIELDS}
        changes.update(values)
        clean = _normalise(changes)
        if "title" not in clean:
            clean["title"] = _required_title(changes.get("title", ""))
        with self.register.transaction() as session:
            notice = Notice(title=clean["title"])
            session.add(notice)
            _apply(session, notice, clean)
            session.flush()
            ChangeLog(session).add(ENTITY, notice.id, notice.title, "create")
            return to_record(notice)

    def update(
        self, notice_id: int, changes: dict[str, Any], expected_version: int | None = None
    ) -> NoticeRecord:
        """Change some fields. With `expected_version`, refuse if someone saved in between."""
        clean = _normalise(changes)
        with self.register.transaction() as session:
            notice = _load(session, notice_id)
            if expected_version is not None and notice.version != expected_version:
                raise ConflictError(
                    f"The notice “{notice.title}” was changed by someone else since you opened "
                    "it. Reload it to see their change, then make yours again."
                )
            before = to_record(notice)
            _apply(session, notice, clean)
            after = to_record(notice)
            log = ChangeLog(session)
            changed = False
            for name in clean:
                old, new = getattr(before, name), getattr(after, name)
                if old != new:
                    changed = True
                    log.add(ENTITY, notice.id, notice.title, "update", name, old, new)
            if changed:
                notice.version += 1
                notice.updated_at = utc_now()
            session.flush()
            return to_record(notice)

    def delete(self, notice_id: int) -> None:
        with self.register.transaction() as session:
            notice = _load(session, notice_id)
            ChangeLog(session).add(ENTITY, notice.id, notice.title, "delete")
            session.delete(notice)

    def publish(
        self,
        notice_id: int,
        *,
        published_by: str | None = None,
        override_reason: str = "",
    ) -> PublishedVersion:
        """Freeze the notice as it reads now as its next published version.

        Refused (PublishRefused, listing them) while the notice has gaps to complete: a
        "[To complete: ...]" line or an error-level finding about an activity it covers.  A
        DPO can publish anyway only by giving a reason, which the history records; the
        published text never carries the "[To complete: ...]" lines.

        The content is built from one read of the register, then stored in a transaction
        that first checks nothing it was built from has changed since: not the notice, and
        not which activities it covers or any of them.  Otherwise the version would not be
        what the register said at any one moment, so it is refused and nothing is stored.
        """
        reason = " ".join((override_reason or "").split())
        draft = build_document(self.register, notice_id)
        blockers = draft.todos()
        if blockers and not reason:
            listing = "; ".join(f"{heading}: {todo}" for heading, todo in blockers)
            raise PublishRefused(
                f"The notice “{draft.title}” is not ready to publish: "
                f"{count_of(len(blockers), 'gap')} to complete ({listing}). Complete them, or "
                "publish anyway by giving your reason.",
                blockers,
            )
        document = draft.without_todos()
        text = render_text(document)
        with self.register.transaction() as session:
            notice = _load(session, notice_id)
            if (
                notice.version != document.notice.version
                or _covered_activities(session, notice) != document.built_from
            ):
                raise ConflictError(
                    f"The notice “{notice.title}” or an activity it covers changed while it "
                    "was being published; publish again."
                )
            number = len(notice.published_versions) + 1
            version = NoticeVersion(
                number=number,
                # UTC, like every other timestamp the checks compare it with.
                published_at=utc_now(),
                published_by=published_by or current_user(),
                content=json.dumps(document.content_for_comparison(), ensure_ascii=False),
                text=text,
            )
            notice.published_versions.append(version)
            log = ChangeLog(session)
            log.add(ENTITY, notice.id, notice.title, "publish", "version", None, number)
            if blockers:
                # Accountability (Art 5(2)): who published over which gaps, and why.
                log.add(
                    ENTITY,
                    notice.id,
                    notice.title,
                    "publish",
                    "override",
                    [f"{heading}: {todo}" for heading, todo in blockers],
                    reason,
                )
            session.flush()
            # A team register's server stamps who published and when (its login and clock,
            # db/team_security.py): say what was stored, not what was sent.
            session.refresh(version, ["published_at", "published_by"])
            return _to_published(version)


# The activity's own words that a notice may quote to the public.
_PUBLIC_TEXT = sorted(fields_of_kind(Kind.TEXT, Kind.LONG_TEXT, Kind.LINK))


def _as_published(activity: ActivityRecord) -> ActivityRecord:
    """ "N/A" or "None", kept as the DPO wrote it in a spreadsheet, is their note, not words
    for the public: the notice takes such a field as not given, and says what is missing."""
    blanked: dict[str, Any] = {
        name: ""
        for name in _PUBLIC_TEXT
        if getattr(activity, name) and says_nothing(getattr(activity, name))
    }
    return dataclasses.replace(activity, **blanked) if blanked else activity


def build_document(
    register: NoticeRegister,
    notice: int | NoticeRecord,
    *,
    layer: str = "full",
    now: dt.datetime | None = None,
) -> NoticeDocument:
    """The notice as it reads now (the same as `register.notices.document(notice)`)."""
    return register.notices.document(notice, layer=layer, now=now)


def _covered_activities(session: Session, notice: Notice) -> dict[int, dt.datetime | None]:
    """When each activity the notice covers (as NoticeService.covered_activities chooses
    them: its own list plus its business functions, retired ones left out) last changed."""
    chosen = {link.activity_id for link in notice.activity_links}
    functions = {name_key(name) for name in _split_functions(notice.business_functions)}
    rows = session.execute(
        select(Activity.id, Activity.business_function, Activity.updated_at).where(
            Activity.status != Status.RETIRED
        )
    )
    return {
        activity_id: updated_at
        for activity_id, function, updated_at in rows
        if activity_id in chosen or name_key(function) in functions
    }


def to_record(notice: Notice) -> NoticeRecord:
    return NoticeRecord(
        id=notice.id,
        title=notice.title,
        audience=notice.audience,
        introduction=notice.introduction,
        contact_text=notice.contact_text,
        template=notice.template,
        grouping=notice.grouping,
        full_notice_url=notice.full_notice_url,
        business_functions=_split_functions(notice.business_functions),
        individuals=_split_functions(notice.individuals),
        plain_wording=_plain_wording_from(notice.plain_wording),
        choices=notice.choices,
        sar_url=notice.sar_url,
        retention_schedule_url=notice.retention_schedule_url,
        activity_ids=[link.activity_id for link in notice.activity_links],
        sections=[NoticeSectionEntry(s.heading, s.body) for s in notice.sections],
        version=notice.version,
        created_at=notice.created_at,
        updated_at=notice.updated_at,
        published=[_to_published(v) for v in notice.published_versions],
    )


def _to_published(version: NoticeVersion) -> PublishedVersion:
    try:
        content = json.loads(version.content) if version.content else {}
    except ValueError:  # a hand-edited file; compare against nothing rather than fail
        content = {}
    return PublishedVersion(
        number=version.number,
        published_at=version.published_at,
        published_by=version.published_by,
        content=content,
        text=version.text,
    )


def _load_options() -> list[Any]:
    return [
        selectinload(Notice.activity_links),
        selectinload(Notice.sections),
        selectinload(Notice.published_versions),
    ]


def _load(session: Session, notice_id: int) -> Notice:
    notice = session.scalar(select(Notice).options(*_load_options()).where(Notice.id == notice_id))
    if notice is None:
        raise NotFoundError(
            f"There is no notice number {notice_id} in the register; it may have been deleted. "
            "Reload the list of notices."
        )
    return notice


def _split_functions(stored: str) -> list[str]:
    return [line.strip() for line in stored.splitlines() if line.strip()]


# --- checking what the user gave ------------------------------------------------------------


def _normalise(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            f"A notice has no field called {', '.join(sorted(unknown))}. "
            f"The fields are: {', '.join(EDITABLE_FIELDS)}.",
            sorted(unknown)[0],
        )
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "title":
            clean[name] = _required_title(value)
        elif name == "audience":
            clean[name] = _audience(value)
        elif name in ("introduction", "contact_text", "template", "choices"):
            clean[name] = _text(name, value)
        elif name in ("sar_url", "retention_schedule_url"):
            clean[name] = _link(name, value)
        elif name == "individuals":
            clean[name] = _functions(value)
        elif name == "plain_wording":
            clean[name] = _plain_wording(value)
        elif name == "grouping":
            clean[name] = _grouping(value)
        elif name == "full_notice_url":
            clean[name] = _web_address(value)
        elif name == "business_functions":
            clean[name] = _functions(value)
        elif name == "activity_ids":
            clean[name] = _ids(value)
        elif name == "sections":
            clean[name] = _sections(value)
    return clean


def _text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"The notice's {name.replace('_', ' ')} must be text.", name)
    return value.strip()


def _required_title(value: Any) -> str:
    title = _text("title", value)
    if not title:
        raise ValidationError("A notice needs a title. Type one, then save again.", "title")
    return title


def _audience(value: Any) -> str:
    text = _text("audience", value)
    for code, label in AUDIENCES.items():
        if text.casefold() in (code, label.casefold()):
            return code
    raise ValidationError(
        f"“{text}” is not an audience ROPA desk knows. Choose one of: "
        f"{', '.join(AUDIENCES.values())}.",
        "audience",
    )


def _grouping(value: Any) -> str:
    text = _text("grouping", value)
    for code, label in GROUPINGS.items():
        if text.casefold() in (code, label.casefold()):
            return code
    raise ValidationError(
        f"“{text}” is not a way to divide a notice. Choose one of: "
        f"{', '.join(label for label in GROUPINGS.values())}.",
        "grouping",
    )


def _web_address(value: Any) -> str:
    address = _text("full_notice_url", value)
    if address and not re.match(r"(?i)https?://\S+$", address):
        raise ValidationError(
            f"“{address}” is not a web address. Give the address where the full notice is "
            "published, starting with https://.",
            "full_notice_url",
        )
    return address


_LINK_NAMES = {
    "sar_url": "where to make a subject access request",
    "retention_schedule_url": "where the retention schedule is published",
}


def _link(name: str, value: Any) -> str:
    address = _text(name, value)
    if address and not re.match(r"(?i)https?://\S+$", address):
        raise ValidationError(
            f"“{address}” is not a web address. Give {_LINK_NAMES[name]}, starting with "
            "https://, or leave it empty.",
            name,
        )
    return address


def _plain_wording(value: Any) -> dict[str, str]:
    """Register text -> the notice's own words for it; an entry with no words is dropped."""
    if not isinstance(value, dict):
        raise ValidationError(
            "The plain wording must pair each piece of register text with its words.",
            "plain_wording",
        )
    clean: dict[str, str] = {}
    for original, words in value.items():
        key = " ".join(str(original).split())
        text = " ".join(str(words or "").split())
        if key and text:
            clean[key] = text
    return clean


def _plain_wording_from(stored: str) -> dict[str, str]:
    try:
        loaded = json.loads(stored) if stored else {}
    except ValueError:  # a hand-edited file: no plain wording rather than no notice
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def _functions(value: Any) -> list[str]:
    names = value.splitlines() if isinstance(value, str) else list(value or [])
    seen: dict[str, str] = {}
    for name in names:
        cleaned = " ".join(str(name).split())
        if cleaned:
            seen.setdefault(name_key(cleaned), cleaned)
    return list(seen.values())


def _ids(value: Any) -> list[int]:
    ids: list[int] = []
    for item in value or []:
        if isinstance(item, bool) or not isinstance(item, int):
            raise ValidationError(
                "The covered activities must be given by their numbers (ids).", "activity_ids"
            )
        if item not in ids:
            ids.append(item)
    return ids


def _sections(value: Any) -> list[NoticeSectionEntry]:
    sections = []
    for position, item in enumerate(value or [], start=1):
        if isinstance(item, NoticeSectionEntry):
            heading, body = item.heading, item.body
        elif isinstance(item, dict):
            heading, body = item.get("heading", ""), item.get("body", "")
        elif isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
            heading, body = item
        else:
            raise ValidationError(
                f"Extra section {position} must have a heading and a body.", "sections"
            )
        heading = _text("sections", heading)
        if not heading:
            raise ValidationError(
                f"Extra section {position} has no heading. Give it one (for example “The "
                "multi-agency safeguarding hub”) or remove the section.",
                "sections",
            )
        sections.append(NoticeSectionEntry(heading, _text("sections", body)))
    return sections


def _apply(session: Session, notice: Notice, clean: dict[str, Any]) -> None:
    for name in SCALAR_FIELDS:
        if name in clean:
            setattr(notice, name, clean[name])
    if "business_functions" in clean:
        notice.business_functions = "\n".join(clean["business_functions"])
    if "individuals" in clean:
        notice.individuals = "\n".join(clean["individuals"])
    if "plain_wording" in clean:
        notice.plain_wording = (
            json.dumps(clean["plain_wording"], ensure_ascii=False, sort_keys=True)
            if clean["plain_wording"]
            else ""
        )
    if "activity_ids" in clean:
        ids = clean["activity_ids"]
        found = set(session.scalars(select(Activity.id).where(Activity.id.in_(ids))))
        missing = [str(i) for i in ids if i not in found]
        if missing:
            raise ValidationError(
                f"The notice names activities that are not in the register (numbers "
                f"{', '.join(missing)}); they may have been deleted. Reload and choose again.",
                "activity_ids",
            )
        # Keep the existing link rows: a new row with the same key would clash with the old.
        existing = {link.activity_id: link for link in notice.activity_links}
        links = []
        for position, activity_id in enumerate(ids):
            link = existing.get(activity_id) or NoticeActivity(activity_id=activity_id)
            link.position = position
            links.append(link)
        notice.activity_links = links
    if "sections" in clean:
        notice.sections = [
            NoticeSection(heading=entry.heading, body=entry.body, position=position)
            for position, entry in enumerate(clean["sections"])
        ]
