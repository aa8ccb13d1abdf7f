"""Running the rules: over plain records (pure, no database) or over an open register."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import func, select

from db.models import Activity, Notice, NoticeActivity, NoticeVersion, Status
from ropa import law
from ropa.checks.findings import CheckContext, Finding, NoticeState, Severity
from ropa.checks.rules import RULES, Rule, dpia_indicated, rules_by_id
from ropa.errors import RopaError
from ropa.library import name_key
from ropa.records import ActivityRecord, Role

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ropa.activities import ActivityService
    from ropa.library import LibraryService
    from ropa.organisation import OrganisationService
    from ropa.store import Store

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1}


class CheckSource(Protocol):
    """What the checks read besides the activities: an open register (ropa/register.py), or
    the store and services a service holds (CheckParts). Structural, so that the register,
    which builds the services that run the checks, need not be imported here."""

    def reading(self) -> AbstractContextManager[Session]: ...

    @property
    def library(self) -> LibraryService: ...

    @property
    def organisation(self) -> OrganisationService: ...


class CheckedRegister(CheckSource, Protocol):
    """A register whose activities in use are all checked."""

    @property
    def activities(self) -> ActivityService: ...


@dataclass(frozen=True)
class CheckParts:
    """A CheckSource made of a store and the services the checks read through."""

    store: Store
    library: LibraryService
    organisation: OrganisationService

    def reading(self) -> AbstractContextManager[Session]:
        return self.store.reading()


class ChecksCancelled(RopaError):  # noqa: N818 (named like ImportCancelled and ExportCancelled)
    """The checks were stopped before they finished (the window closing, another register)."""


def _never() -> bool:
    return False


def _stop_if(cancelled: Callable[[], bool]) -> None:
    if cancelled():
        raise ChecksCancelled("The checks were stopped before they finished.")


def check_activities(
    records: Sequence[ActivityRecord],
    context: CheckContext,
    *,
    cancelled: Callable[[], bool] = _never,
) -> list[Finding]:
    """Every finding for these records, the organisation and the notices, errors first.

    Pure: reads only its arguments. Retired activities are skipped (they are kept for the
    record, not in use). Raises ChecksCancelled between rules once `cancelled()` is True.
    """
    live = [record for record in records if record.status != Status.RETIRED]
    findings: list[Finding] = []
    organisation = context.organisation
    for rule in RULES:
        _stop_if(cancelled)
        if not rule.in_force_on(context.today):
            continue  # the law it rests on did not yet apply on the day checked
        if rule.scope == "organisation":
            findings.extend(
                _finding(rule, None, "", "Organisation", message)
                for message in rule.check(organisation, context)
            )
        elif rule.scope == "activity":
            check = rule.check
            for record in live:
                for message in check(record, context):
                    findings.append(
                        _finding(rule, record.id, record.reference, record.name, message)
                    )
        else:
            by_id = {record.id: record for record in live if record.id is not None}
            findings.extend(
                _finding(rule, None, reference, name, message)
                for reference, name, message in rule.check(by_id, context)
            )
    findings.sort(key=lambda f: (_SEVERITY_ORDER[f.severity], f.reference, f.rule_id))
    return findings


@dataclass(frozen=True)
class CheckReport:
    """One run of the checks over a register: what the views and the report files show."""

    findings: list[Finding]
    checked_on: dt.date
    organisation_name: str
    # Activity id -> (reference, name, completeness 0..1), in reference order.
    activities: dict[int, tuple[str, str, float]]
    completeness: float

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.WARNING)


def check_register(
    register: CheckedRegister,
    *,
    today: dt.date | None = None,
    cancelled: Callable[[], bool] = _never,
) -> CheckReport:
    """Check every activity in use (not retired), with completeness per activity.

    A long check on a large register stops (ChecksCancelled) soon after `cancelled()` turns
    True: after the reading, and between rules."""
    records = register.activities.load()  # the activities in use: retired ones are left out
    _stop_if(cancelled)
    context = load_context(register, today=today)
    _stop_if(cancelled)
    shares = {record.id: completeness(record, context) for record in records}
    return CheckReport(
        findings=check_activities(records, context, cancelled=cancelled),
        checked_on=context.today,
        organisation_name=context.organisation.name,
        activities={
            record.id: (record.reference, record.name, shares[record.id])
            for record in records
            if record.id is not None
        },
        # The same average register_completeness() gives, without working each share out twice.
        completeness=sum(shares.values()) / len(shares) if shares else 0.0,
    )


def check_activity(record: ActivityRecord, context: CheckContext) -> list[Finding]:
    """The findings about one activity only (saved or not), for the editor's gap count."""
    return [
        _finding(rule, record.id, record.reference, record.name, message)
        for rule in RULES
        if rule.scope == "activity" and rule.in_force_on(context.today)
        for message in rule.check(record, context)
    ]


def run_checks(
    register: CheckedRegister,
    *,
    today: dt.date | None = None,
    cancelled: Callable[[], bool] = _never,
) -> list[Finding]:
    """Every finding for the activities in use (not retired) in the register (stopping as
    check_register does once `cancelled()` turns True)."""
    records = register.activities.load()
    _stop_if(cancelled)
    context = load_context(register, today=today)
    return check_activities(records, context, cancelled=cancelled)


def load_context(register: CheckSource, *, today: dt.date | None = None) -> CheckContext:
    """The organisation, the library flags and the notices, read once."""
    with register.reading() as session:
        notices = _notice_states(session)
        changes = dict(
            session.execute(
                select(Activity.id, Activity.updated_at).where(Activity.status != Status.RETIRED)
            ).all()
        )
    return CheckContext.from_items(
        register.library.items(with_usage=False),
        register.organisation.get(),
        today=today,
        notices=notices,
        activity_changes=changes,
    )


def gap_counts(findings: Iterable[Finding]) -> dict[int, int]:
    """Activity id -> number of findings about it (the "Gaps" column)."""
    return dict(Counter(f.activity_id for f in findings if f.activity_id is not None))


def severity_counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    counts = Counter(f.severity for f in findings)
    return {severity: counts.get(severity, 0) for severity in Severity}


def is_about_organisation(finding: Finding) -> bool:
    """True for a finding about the organisation's own details (fixed on the Organisation
    page), not about an activity or a notice."""
    rule = rules_by_id().get(finding.rule_id)
    return finding.activity_id is None and rule is not None and rule.scope == "organisation"


def rules() -> list[Rule]:
    """Every rule, in the order they run."""
    return list(RULES)


# --- completeness -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Expected:
    field: str
    applies: Callable[[ActivityRecord, CheckContext], bool]
    filled: Callable[[ActivityRecord], bool]


def _always(_record: ActivityRecord, _context: CheckContext) -> bool:
    return True


def _as_controller(record: ActivityRecord, _context: CheckContext) -> bool:
    return record.role != Role.PROCESSOR


def _has_text(name: str) -> Callable[[ActivityRecord], bool]:
    return lambda record: bool(str(getattr(record, name)).strip())


def _has_items(name: str) -> Callable[[ActivityRecord], bool]:
    return lambda record: bool(getattr(record, name))


def _uses_basis(code: str) -> Callable[[ActivityRecord, CheckContext], bool]:
    return lambda record, _c: any(entry.basis == code for entry in record.lawful_bases)


def _needs_schedule1(record: ActivityRecord, _context: CheckContext) -> bool:
    return law.needs_schedule1((c.code for c in record.article9), record.article10_basis)


def _needs_apd(record: ActivityRecord, _context: CheckContext) -> bool:
    return bool(law.apd_conditions(c.code for c in record.schedule1))


# Required and recommended fields, each with when it applies and when it counts as filled.
_EXPECTED: tuple[_Expected, ...] = (
    _Expected("description", _always, _has_text("description")),
    _Expected("owner", _always, _has_text("owner")),
    _Expected("business_function", _always, _has_text("business_function")),
    _Expected("purposes", _always, _has_items("purposes")),
    _Expected("individuals", _always, _has_items("individuals")),
    _Expected("data_categories", _always, _has_items("data_categories")),
    _Expected("sources", _as_controller, _has_items("sources")),
    _Expected("recipients", _as_controller, lambda r: bool(r.recipients or r.processors)),
    _Expected(
        "security_measures",
        _always,
        lambda r: bool(r.security_measures) or bool(r.security_description.strip()),
    ),
    _Expected("systems", _always, lambda r: bool(r.systems) or bool(r.location_of_data.strip())),
    _Expected("retention", _as_controller, lambda r: any(e.period.strip() for e in r.retention)),
    _Expected("lawful_bases", _as_controller, _has_items("lawful_bases")),
    _Expected(
        "legislation",
        lambda r, _c: any(entry.basis in {"c", "e"} for entry in r.lawful_bases),
        lambda r: bool(r.legislation) or any(entry.legislation for entry in r.lawful_bases),
    ),
    _Expected("statutory_requirement", _as_controller, _has_text("statutory_requirement")),
    _Expected("next_review", _always, lambda r: r.next_review is not None),
    _Expected(
        "joint_controllers",
        lambda r, _c: r.role == Role.JOINT_CONTROLLER,
        _has_text("joint_controllers"),
    ),
    _Expected("controllers", lambda r, _c: r.role == Role.PROCESSOR, _has_text("controllers")),
    _Expected(
        "article9", lambda r, c: bool(c.special_in(r.data_categories)), _has_items("article9")
    ),
    _Expected("schedule1", _needs_schedule1, _has_items("schedule1")),
    _Expected(
        "article10_basis",
        lambda r, c: bool(c.criminal_in(r.data_categories)),
        _has_text("article10_basis"),
    ),
    _Expected("apd_link", _needs_apd, _has_text("apd_link")),
    _Expected("retention_follows_apd", _needs_apd, lambda r: r.retention_follows_apd is not None),
    _Expected("consent_record_link", _uses_basis("a"), _has_text("consent_record_link")),
    _Expected("consent_reviewed_on", _uses_basis("a"), lambda r: r.consent_reviewed_on is not None),
    _Expected(
        "child_consent_arrangements",
        lambda r, c: _uses_basis("a")(r, c) and r.involves_children is True,
        _has_text("child_consent_arrangements"),
    ),
    _Expected("legitimate_interests", _uses_basis("f"), _has_text("legitimate_interests")),
    _Expected("lia_link", _uses_basis("f"), _has_text("lia_link")),
    _Expected(
        "automated_decision_details",
        lambda r, _c: r.automated_decisions is True,
        _has_text("automated_decision_details"),
    ),
    _Expected(
        "dpia_required",
        dpia_indicated,
        lambda r: r.dpia_required is True,
    ),
    _Expected(
        "dpia_link",
        lambda r, _c: r.dpia_required is True,
        lambda r: bool(r.dpia_link.strip() or r.dpia_progress.strip()),
    ),
    _Expected(
        "transfers",
        lambda r, _c: bool(r.transfers),
        lambda r: all(t.mechanism.strip() for t in r.transfers),
    ),
)


def completeness(record: ActivityRecord, context: CheckContext) -> float:
    """The share (0..1) of the fields that apply to this activity which are filled in."""
    applicable = [expected for expected in _EXPECTED if expected.applies(record, context)]
    if not applicable:
        return 1.0
    return sum(1 for expected in applicable if expected.filled(record)) / len(applicable)


def missing_fields(record: ActivityRecord, context: CheckContext) -> list[str]:
    """The fields that apply to this activity and are still empty."""
    return [e.field for e in _EXPECTED if e.applies(record, context) and not e.filled(record)]


def register_completeness(records: Sequence[ActivityRecord], context: CheckContext) -> float:
    """The average completeness of the activities in use; 0 for an empty register."""
    live = [record for record in records if record.status != Status.RETIRED]
    if not live:
        return 0.0
    return sum(completeness(record, context) for record in live) / len(live)


# --- reading notices ----------------------------------------------------------------------


def _notice_states(session: Session) -> list[NoticeState]:
    published = dict(
        session.execute(
            select(NoticeVersion.notice_id, func.max(NoticeVersion.published_at)).group_by(
                NoticeVersion.notice_id
            )
        ).all()
    )
    linked: dict[int, set[int]] = {}
    for notice_id, activity_id in session.execute(
        select(NoticeActivity.notice_id, NoticeActivity.activity_id)
    ):
        linked.setdefault(notice_id, set()).add(activity_id)
    by_function: dict[str, set[int]] = {}
    for activity_id, function in session.execute(select(Activity.id, Activity.business_function)):
        by_function.setdefault(name_key(function), set()).add(activity_id)
    states = []
    for notice_id, title, functions in session.execute(
        select(Notice.id, Notice.title, Notice.business_functions).order_by(Notice.title)
    ):
        covered = set(linked.get(notice_id, set()))
        for line in functions.splitlines():
            if line.strip():
                covered |= by_function.get(name_key(line), set())
        states.append(
            NoticeState(notice_id, title, published.get(notice_id), tuple(sorted(covered)))
        )
    return states


def _finding(
    rule: Rule, activity_id: int | None, reference: str, name: str, message: str
) -> Finding:
    return Finding(
        rule_id=rule.id,
        severity=rule.severity,
        article=rule.article,
        activity_id=activity_id,
        reference=reference,
        activity_name=name,
        field=rule.field,
        message=message,
        fix=rule.fix,
    )
