"""The check rules: one small function per rule, each registered with what it rests on.

A rule function yields one message per gap it sees (usually none).  The decorator records
its id, severity, the article it cites, the field it points at and how to fix the gap, so
the engine, the report and the Checks view all describe a rule the same way.

Severity follows one principle: an error when UK GDPR Article 30 or DPA 2018 Schedule 1
requires the entry, or the law plainly requires it or forbids what is recorded (a lawful
basis, an Annex 1 condition for (ea), the interests a notice must name, a complaints route,
the Article 46(1A) data protection test, Article 22B's limits); a warning for ICO good
practice, or when two answers in the record do not agree.  A rule resting on a provision
commenced on a known day carries that day (applies_from) and is not run for earlier days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ropa import law
from ropa.checks.findings import CheckContext, NoticeState, Severity
from ropa.dates import british_date, local_date
from ropa.legitimate_interests import (
    interests_in_basis,
    interests_in_field,
    interests_stated,
    relies_on_legitimate_interests,
)
from ropa.library import name_key
from ropa.placeholders import is_placeholder
from ropa.public_authority import suggest_public_authority
from ropa.records import ActivityRecord, OrganisationRecord, Role
from ropa.review_rules import review_state
from ropa.wording import join_names

ERROR = Severity.ERROR
WARNING = Severity.WARNING

ActivityCheck = Callable[[ActivityRecord, CheckContext], Iterable[str]]
OrganisationCheck = Callable[[OrganisationRecord, CheckContext], Iterable[str]]
# A register-wide rule yields (subject reference, subject name, message).
RegisterCheck = Callable[
    [Mapping[int, ActivityRecord], CheckContext], Iterable[tuple[str, str, str]]
]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    article: str
    field: str
    fix: str
    scope: str  # "activity", "organisation" or "register"
    check: Callable[..., Iterable[Any]]
    # The day the provision it rests on came into force: before it, the rule is not run
    # (a register checked "as on" an earlier day is held to the law of that day).
    applies_from: dt.date | None = None

    def in_force_on(self, day: dt.date) -> bool:
        return self.applies_from is None or self.applies_from <= day


RULES: list[Rule] = []

# The check whose fix is a processor's contract link, kept on the processor in the library
# rather than on the activity: the windows that go to a finding's field send it there instead.
PROCESSOR_CONTRACT_RULE = "PROCESSOR-CONTRACT"

# Commencement of the Data (Use and Access) Act 2025 (SI 2026/82): most of Part 5 on
# 5 February 2026 (reg 2), complaints to controllers (s.103, Sch 10) on 19 June 2026 (reg 3).
DUAA_MAIN = dt.date(2026, 2, 5)
DUAA_COMPLAINTS = dt.date(2026, 6, 19)


def _rule(
    scope: str,
    rule_id: str,
    title: str,
    severity: Severity,
    article: str,
    field: str,
    fix: str,
    applies_from: dt.date | None = None,
) -> Callable[[Callable[..., Iterable[Any]]], Callable[..., Iterable[Any]]]:
    def register(check: Callable[..., Iterable[Any]]) -> Callable[..., Iterable[Any]]:
        RULES.append(
            Rule(rule_id, title, severity, article, field, fix, scope, check, applies_from)
        )
        return check

    return register


def activity_rule(
    rule_id: str,
    title: str,
    severity: Severity,
    article: str,
    field: str,
    fix: str,
    applies_from: dt.date | None = None,
) -> Callable[[ActivityCheck], ActivityCheck]:
    return _rule("activity", rule_id, title, severity, article, field, fix, applies_from)


def organisation_rule(
    rule_id: str,
    title: str,
    severity: Severity,
    article: str,
    field: str,
    fix: str,
    applies_from: dt.date | None = None,
) -> Callable[[OrganisationCheck], OrganisationCheck]:
    return _rule("organisation", rule_id, title, severity, article, field, fix, applies_from)


def register_rule(
    rule_id: str, title: str, severity: Severity, article: str, field: str, fix: str
) -> Callable[[RegisterCheck], RegisterCheck]:
    return _rule("register", rule_id, title, severity, article, field, fix)


def rules_by_id() -> dict[str, Rule]:
    return {rule.id: rule for rule in RULES}


# --- small helpers -----------------------------------------------------------------------


def _blank(text: str) -> bool:
    return not text.strip()


def _unanswered(text: str) -> bool:
    """Empty, or a template's placeholder ("{{ dpo_name }}", "Email address"): not an answer."""
    return _blank(text) or is_placeholder(text)


def _placeholders(texts: Iterable[str]) -> str:
    return join_names(f"\u201c{' '.join(text.split())}\u201d" for text in texts)


def _controls(record: ActivityRecord) -> bool:
    """Article 30(1) applies: the organisation decides (alone or jointly) why and how."""
    return record.role != Role.PROCESSOR


def _bases(record: ActivityRecord) -> set[str]:
    return {entry.basis.strip().lower() for entry in record.lawful_bases}


def _article9_codes(record: ActivityRecord) -> list[str]:
    return [entry.code.strip().lower() for entry in record.article9]


def _needs_apd(record: ActivityRecord) -> list[law.Schedule1Condition]:
    return law.apd_conditions(c.code for c in record.schedule1)


def _names(names: Iterable[str]) -> str:
    return join_names(f"\u201c{name}\u201d" for name in names)


# --- the organisation: Article 30(1)(a) ----------------------------------------------------


@organisation_rule(
    "ORG-NAME",
    "Organisation name missing",
    ERROR,
    "Article 30(1)(a)",
    "name",
    "Enter the organisation's legal name under Organisation details.",
)
def organisation_name_missing(organisation: OrganisationRecord, _c: CheckContext) -> Iterator[str]:
    if _blank(organisation.name):
        yield "The record does not name the controller (your organisation)."
    elif is_placeholder(organisation.name):
        yield (
            "The record does not name the controller (your organisation): "
            f"{_placeholders([organisation.name])} is a template's placeholder, not a name."
        )


@organisation_rule(
    "ORG-CONTACT",
    "Organisation contact details missing",
    ERROR,
    "Article 30(1)(a)",
    "address",
    "Enter the organisation's postal address, email or telephone number.",
)
def organisation_contact_missing(
    organisation: OrganisationRecord, _c: CheckContext
) -> Iterator[str]:
    contacts = (organisation.address, organisation.email, organisation.telephone)
    if all(_unanswered(v) for v in contacts):
        placeholders = [v for v in contacts if not _blank(v)]
        said = ""
        if len(placeholders) == 1:
            said = f": {_placeholders(placeholders)} is a template's placeholder"
        elif placeholders:
            said = f": {_placeholders(placeholders)} are a template's placeholders"
        yield f"The record gives no contact details for the controller{said}."


@organisation_rule(
    "ORG-DPO",
    "Data protection officer missing",
    ERROR,
    "Articles 30(1)(a) and 37(1)(a)",
    "dpo_name",
    "Enter your data protection officer's name and an email address or telephone number.",
)
def organisation_dpo_missing(organisation: OrganisationRecord, _c: CheckContext) -> Iterator[str]:
    if organisation.is_public_authority is not True:
        return
    if _unanswered(organisation.dpo_name):
        said = (
            f" ({_placeholders([organisation.dpo_name])} is a template's placeholder, not a name)"
            if not _blank(organisation.dpo_name)
            else ""
        )
        yield f"A public authority must have a data protection officer, and none is named{said}."
    elif all(_unanswered(v) for v in (organisation.dpo_email, organisation.dpo_telephone)):
        yield f"No email or telephone number is recorded for {organisation.dpo_name}."


@organisation_rule(
    "ORG-PUBLIC-AUTHORITY",
    "Not said whether a public authority",
    WARNING,
    "Article 6(1), final paragraph; Article 37(1)(a)",
    "is_public_authority",
    "Say under Organisation details whether your organisation is a public authority.",
)
def organisation_public_authority_unknown(
    organisation: OrganisationRecord, _c: CheckContext
) -> Iterator[str]:
    if organisation.is_public_authority is not None:
        return
    suggestion = suggest_public_authority(organisation.name)
    guess = "" if suggestion is None else f" {suggestion.wording}"
    yield (
        "Nobody has said whether your organisation is a public authority, so the lawful "
        f"bases and the DPO are not checked against it.{guess}"
    )


@organisation_rule(
    "ORG-COMPLAINTS",
    "No way to complain to the organisation",
    ERROR,
    "DPA 2018 s.164A(1) and (2)",
    "complaints_contact",
    "Under Organisation details, say how people complain to you (who, where, how), and "
    "give the address of your complaint form.",
    applies_from=DUAA_COMPLAINTS,
)
def organisation_complaints_route_missing(
    organisation: OrganisationRecord, _c: CheckContext
) -> Iterator[str]:
    if _blank(organisation.complaints_contact) and _blank(organisation.complaints_form_url):
        yield (
            "No route for complaints to the organisation is recorded: since 19 June 2026 a "
            "controller must facilitate complaints (DPA 2018 s.164A(2)), and the notice must "
            "tell people how to make one."
        )


@organisation_rule(
    "ORG-COMPLAINT-FORM",
    "No complaint form",
    WARNING,
    "DPA 2018 s.164A(2)",
    "complaints_form_url",
    "Give the address of a complaint form that can be completed online, and say how people "
    "can complain by other means (post, telephone).",
    applies_from=DUAA_COMPLAINTS,
)
def organisation_complaint_form_missing(
    organisation: OrganisationRecord, _c: CheckContext
) -> Iterator[str]:
    if not _blank(organisation.complaints_contact) and _blank(organisation.complaints_form_url):
        yield (
            "No complaint form is recorded; DPA 2018 s.164A(2) gives “a complaint form "
            "which can be completed electronically and by other means” as the example of "
            "facilitating complaints."
        )


@organisation_rule(
    "ORG-COMPLAINT-ACK",
    "How complaints are acknowledged not recorded",
    WARNING,
    "DPA 2018 s.164A(3) and (4)",
    "complaints_acknowledgement",
    "Say how and when each complaint is acknowledged (within 30 days) and how the outcome "
    "is given.",
    applies_from=DUAA_COMPLAINTS,
)
def organisation_complaint_acknowledgement_missing(
    organisation: OrganisationRecord, _c: CheckContext
) -> Iterator[str]:
    route = not (
        _blank(organisation.complaints_contact) and _blank(organisation.complaints_form_url)
    )
    if route and _blank(organisation.complaints_acknowledgement):
        yield (
            "The record does not say how complaints are acknowledged; DPA 2018 s.164A(3) "
            "requires an acknowledgement within 30 days of receipt."
        )


# --- what Article 30 asks of every activity -------------------------------------------------


@activity_rule(
    "A30-PURPOSES",
    "No purposes",
    ERROR,
    "Article 30(1)(b)",
    "purposes",
    "Add at least one purpose saying why the personal data is used.",
)
def purposes_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    if _controls(record) and not record.purposes:
        yield "No purpose of the processing is recorded."


@activity_rule(
    "A30-INDIVIDUALS",
    "No categories of individuals",
    ERROR,
    "Article 30(1)(c)",
    "individuals",
    "Add the categories of people whose data is used (for example children, parents).",
)
def individuals_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    if _controls(record) and not record.individuals:
        yield "No categories of individuals are recorded."


@activity_rule(
    "A30-DATA",
    "No categories of personal data",
    ERROR,
    "Article 30(1)(c)",
    "data_categories",
    "Add the kinds of personal data used (for example contact details, health).",
)
def data_categories_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    if _controls(record) and not record.data_categories:
        yield "No categories of personal data are recorded."


@activity_rule(
    "A30-RECIPIENTS",
    "No recipients",
    ERROR,
    "Article 30(1)(d)",
    "recipients",
    "Add who the data is disclosed to, including other teams or bodies; or, if it is "
    "given to no one, answer \u201cShared with no one?\u201d with Yes.",
)
def recipients_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    # Processors are recipients too (Article 4(9)), so naming one answers the question; so
    # does the DPO's answer that the data goes to no one.  An empty list alone does not: it
    # cannot be told from "not recorded yet".
    if (
        _controls(record)
        and not record.recipients
        and not record.processors
        and record.shared_with_no_one is not True
    ):
        yield "No categories of recipients are recorded."


@activity_rule(
    "A30-SHARED-WITH-NO-ONE",
    "Shared with no one, yet recipients recorded",
    WARNING,
    "Article 30(1)(d)",
    "shared_with_no_one",
    "Answer \u201cShared with no one?\u201d with No, or remove the recipients and "
    "processors if the data really goes to no one.",
)
def shared_with_no_one_contradicted(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    # Two answers that do not agree (a warning, as the module says): the notice follows the
    # recipients, which are named, and never says the data is not shared.  A processor is a
    # recipient too (Article 4(9)).
    named = [*record.recipients, *record.processors]
    if record.shared_with_no_one is True and named:
        yield (
            "The activity is recorded as shared with no one, yet it names who receives the "
            f"data: {join_names(named)}."
        )


@activity_rule(
    "A30-RETENTION",
    "No retention period",
    ERROR,
    "Article 30(1)(f)",
    "retention",
    "Add how long the data is kept and from when, as your retention schedule says.",
)
def retention_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    if _controls(record) and not any(not _blank(entry.period) for entry in record.retention):
        yield "No retention period is recorded."


@activity_rule(
    "A30-SECURITY",
    "No security measures",
    ERROR,
    "Articles 30(1)(g) and 30(2)(d)",
    "security_measures",
    "Add the technical and organisational security measures that protect the data.",
)
def security_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    if not record.security_measures and _blank(record.security_description):
        yield "No security measures are described."


@activity_rule(
    "A30-JOINT",
    "Joint controllers not named",
    ERROR,
    "Article 30(1)(a)",
    "joint_controllers",
    "Enter the name and contact details of each joint controller.",
)
def joint_controllers_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    if record.role == Role.JOINT_CONTROLLER and _blank(record.joint_controllers):
        yield "The activity is a joint controllership, but the joint controllers are not named."


@activity_rule(
    "A30-CONTROLLERS",
    "Controllers not named",
    ERROR,
    "Article 30(2)(a)",
    "controllers",
    "Enter the name and contact details of each controller you process for.",
)
def controllers_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    if record.role == Role.PROCESSOR and _blank(record.controllers):
        yield "You act as a processor here, but the controllers you act for are not named."


@activity_rule(
    "A30-PROCESSING",
    "Categories of processing missing",
    ERROR,
    "Article 30(2)(b)",
    "purposes",
    "Describe what you do with the data for each controller (purposes or description).",
)
def processing_categories_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    if record.role == Role.PROCESSOR and not record.purposes and _blank(record.description):
        yield "The categories of processing carried out for the controllers are not recorded."


# --- lawful basis: Article 6 ----------------------------------------------------------------


@activity_rule(
    "BASIS-MISSING",
    "No lawful basis",
    ERROR,
    "Article 6(1)",
    "lawful_bases",
    "Choose the Article 6 lawful basis, say why it applies and name the law behind it.",
)
def lawful_basis_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    if _controls(record) and not record.lawful_bases:
        yield "No lawful basis is recorded: processing without one is unlawful."


@activity_rule(
    "BASIS-PUBLIC-AUTHORITY",
    "Basis not open to a public authority",
    WARNING,
    "Article 6(1), closing words (as amended by DUAA 2025 s.70(2)(c))",
    "lawful_bases",
    "For your tasks as a public authority use public task (e) or legal obligation (c); if "
    "this processing is truly outside your tasks, say why in the basis's “Outside our "
    "public tasks because” column.",
)
def public_authority_basis(record: ActivityRecord, context: CheckContext) -> Iterator[str]:
    # Only once the DPO has said so: a company told it "cannot use" legitimate interests
    # would be misled, and would stop trusting the checks.
    if context.organisation.is_public_authority is not True:
        return
    bases = law.lawful_bases()
    reported: set[str] = set()
    for entry in record.lawful_bases:
        code = entry.basis.strip().lower()
        basis = bases.get(code)
        # A reason recorded is the DPO's answer: the law bars these bases only "in the
        # performance of their tasks", not for what a council does as any landlord would.
        if basis is None or not basis.barred_for_public_authority_tasks:
            continue
        if not _blank(entry.outside_tasks_reason) or code in reported:
            continue
        reported.add(code)
        yield (
            f"{basis.article} ({basis.plain_name}) is relied on, but a public authority "
            "cannot use it for the performance of its tasks (Article 6(1), closing words), "
            "and no reason is recorded why this processing is outside them."
        )


@activity_rule(
    "BASIS-REASON",
    "Lawful basis without a reason",
    WARNING,
    "Articles 5(2) and 6(1); Article 13(1)(c)",
    "lawful_bases",
    "Say in the basis's “Why it applies” column why the processing is necessary for it.",
)
def basis_without_reason(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    bases = law.lawful_bases()
    for entry in record.lawful_bases:
        if _blank(entry.explanation):
            basis = bases.get(entry.basis.strip().lower())
            named = f"{basis.article} ({basis.plain_name})" if basis else entry.basis
            yield (
                f"{named} is relied on with no reason why the processing is necessary for "
                "it (accountability, Article 5(2))."
            )


@activity_rule(
    "BASIS-LAW",
    "Legal obligation or public task without the law named",
    WARNING,
    "Article 6(3)",
    "lawful_bases",
    "Name the Act or regulation that sets the duty or the task (for example “Children "
    "Act 1989, s.17”) in the basis's Legislation column.",
)
def basis_without_law(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    bases = law.lawful_bases()
    activity_laws = [name for name in record.legislation if not _blank(name)]
    for entry in record.lawful_bases:
        basis = bases.get(entry.basis.strip().lower())
        named = [name for name in entry.legislation if not _blank(name)]
        if basis is not None and basis.needs_law and not named and not activity_laws:
            yield (
                f"{basis.article} ({basis.plain_name}) must rest on UK law (Article 6(3)), "
                "and no law is named."
            )


@activity_rule(
    "RLI-ANNEX1",
    "Recognised legitimate interest without an Annex 1 condition",
    ERROR,
    "Article 6(1)(ea) and 6(5); UK GDPR Annex 1",
    "lawful_bases",
    "Choose the Annex 1 condition the processing meets (disclosure for another body's public "
    "task, security and defence, emergencies, crime, or safeguarding a vulnerable person); "
    "if none fits, another basis is needed.",
    applies_from=DUAA_MAIN,
)
def recognised_interest_without_condition(
    record: ActivityRecord, _c: CheckContext
) -> Iterator[str]:
    for entry in record.lawful_bases:
        if entry.basis.strip().lower() != "ea":
            continue
        if law.annex1_condition(entry.annex1_condition) is None:
            yield (
                "A recognised legitimate interest (Article 6(1)(ea)) is relied on without a "
                "condition in Annex 1: the processing is necessary for one only if it meets "
                "a condition there (Article 6(5))."
            )


@activity_rule(
    "CONSENT-RECORD",
    "No record of consent",
    WARNING,
    "Article 7(1)",
    "consent_record_link",
    "Link to where each person's consent (and any withdrawal) is recorded.",
)
def consent_record_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    uses_consent = "a" in _bases(record) or "a" in _article9_codes(record)
    if uses_consent and _blank(record.consent_record_link):
        yield "Consent is relied on, but no link to the record of consent is given."


@activity_rule(
    "CONSENT-CHILD",
    "Children's consent not arranged",
    WARNING,
    "Article 8(1) and (2)",
    "child_consent_arrangements",
    "Say how a child's age is checked and, for an online service offered directly to a child "
    "under 13, how a parent gives or authorises consent.",
)
def child_consent_unarranged(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    uses_consent = "a" in _bases(record) or "a" in _article9_codes(record)
    if (
        uses_consent
        and record.involves_children is True
        and _blank(record.child_consent_arrangements)
    ):
        yield (
            "Consent is relied on and children are involved, but nothing says how a child's "
            "consent is handled (Article 8: under 13, a parent gives or authorises it for "
            "online services)."
        )


# Consent is reviewed at least this often (ICO consent guidance: keep consents under review
# and refresh them when anything changes); two years is ROPA desk's own reminder.
CONSENT_REVIEW_DAYS = 730


@activity_rule(
    "CONSENT-REVIEW",
    "Consent not reviewed",
    WARNING,
    "Articles 7(1) and 5(2)",
    "consent_reviewed_on",
    "Review the consent (its wording, the records and whether it still reflects what is "
    "done) and record the date.",
)
def consent_not_reviewed(record: ActivityRecord, context: CheckContext) -> Iterator[str]:
    uses_consent = "a" in _bases(record) or "a" in _article9_codes(record)
    if not uses_consent:
        return
    reviewed = record.consent_reviewed_on
    if reviewed is None:
        yield "Consent is relied on, but no date of its last review is recorded."
    elif (context.today - reviewed).days > CONSENT_REVIEW_DAYS:
        yield (f"Consent was last reviewed on {british_date(reviewed)}, more than two years ago.")


@activity_rule(
    "LI-INTERESTS",
    "Legitimate interests not stated",
    ERROR,
    "Article 13(1)(d) and 14(2)(b)",
    "legitimate_interests",
    "Say what the legitimate interests are (in their own field, or as the reason given "
    "with the legitimate interests basis); the privacy notice must tell people.",
)
def legitimate_interests_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    # The reason given with the (f) basis is the interest pursued: stated, and the notice
    # prints it with the basis (ropa.legitimate_interests).
    if relies_on_legitimate_interests(record) and not interests_stated(record):
        yield (
            "Legitimate interests are relied on, but the interests are not stated: the notice "
            "must name them (Article 13(1)(d))."
        )


@activity_rule(
    "LI-INTERESTS-REASON",
    "Legitimate interests stated only as the basis's reason",
    WARNING,
    "Article 13(1)(d) and 14(2)(b)",
    "legitimate_interests",
    "Check that the reason names the interest pursued (not a note about the basis), and "
    "enter the interests in the Legitimate interests field.",
)
def legitimate_interests_only_as_reason(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    # Counted as the interests (LI-INTERESTS stays quiet and the notice prints it), but a
    # reason is not always an interest ("with controls"): the DPO confirms it.
    if relies_on_legitimate_interests(record) and not interests_in_field(record):
        reasons = interests_in_basis(record)
        if reasons:
            yield (
                "The legitimate interests are stated only as the reason given with the "
                f"basis ({_names(reasons)}), and the notice tells people that as the "
                "interests (Article 13(1)(d))."
            )


@activity_rule(
    "LI-ASSESSMENT",
    "No legitimate interests assessment",
    WARNING,
    "Article 6(1)(f)",
    "lia_link",
    "Carry out a legitimate interests assessment and link to it.",
)
def legitimate_interests_assessment_missing(
    record: ActivityRecord, _c: CheckContext
) -> Iterator[str]:
    if "f" in _bases(record) and _blank(record.lia_link):
        yield "Legitimate interests are relied on, but no assessment (LIA) is linked."


# --- special category and criminal offence data: Articles 9 and 10, DPA 2018 ---------------


@activity_rule(
    "A9-MISSING",
    "Special category data without an Article 9 condition",
    ERROR,
    "Article 9(1) and (2)",
    "article9",
    "Choose the Article 9(2) condition that allows this use of special category data.",
)
def article9_missing(record: ActivityRecord, context: CheckContext) -> Iterator[str]:
    special = context.special_in(record.data_categories)
    if special and _controls(record) and not record.article9:
        yield f"Special category data ({_names(special)}) is used without an Article 9 condition."


@activity_rule(
    "A9-UNUSED",
    "Article 9 condition without special category data",
    WARNING,
    "Article 9(2)",
    "data_categories",
    "Add the special category data the condition is for, or remove the condition.",
)
def article9_without_special_data(record: ActivityRecord, context: CheckContext) -> Iterator[str]:
    if record.article9 and not context.special_in(record.data_categories):
        yield "An Article 9 condition is recorded, but no category of data is special category."


def _schedule1_part_missing(record: ActivityRecord, part: int) -> Iterator[str]:
    missing = law.missing_schedule1_parts(
        (c.code for c in record.article9), (c.code for c in record.schedule1)
    )
    for condition, needed in missing:
        if needed == part:
            yield (
                f"{condition.article} needs a DPA 2018 Schedule 1 Part {part} condition, "
                "and none is recorded."
            )


@activity_rule(
    "SCH1-PART1",
    "Schedule 1 Part 1 condition missing",
    ERROR,
    "DPA 2018 s.10(2), Schedule 1 Part 1",
    "schedule1",
    "Add the Schedule 1 Part 1 condition (paragraphs 1 to 4) that the Article 9 condition "
    "relies on.",
)
def schedule1_part1_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    yield from _schedule1_part_missing(record, 1)


@activity_rule(
    "SCH1-PART2",
    "Schedule 1 Part 2 condition missing",
    ERROR,
    "DPA 2018 s.10(3), Schedule 1 Part 2",
    "schedule1",
    "Add the substantial public interest condition from Schedule 1 Part 2 (paragraphs 6 to "
    "28), such as paragraph 6 (statutory purposes) or 18 (safeguarding).",
)
def schedule1_part2_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    yield from _schedule1_part_missing(record, 2)


@activity_rule(
    "APD-LINK",
    "No appropriate policy document",
    ERROR,
    "DPA 2018 Schedule 1 paragraphs 5 and 39",
    "apd_link",
    "Link to your appropriate policy document (APD).",
)
def appropriate_policy_document_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    needing = _needs_apd(record)
    if needing and _blank(record.apd_link):
        paragraphs = ", ".join(str(condition.paragraph) for condition in needing)
        yield (
            f"Schedule 1 paragraph {paragraphs} needs an appropriate policy document, "
            "and none is linked."
        )


@activity_rule(
    "APD-RETENTION",
    "Retention against the policy document not stated",
    ERROR,
    "DPA 2018 Schedule 1 paragraph 41(c)",
    "retention_follows_apd",
    "Say whether the data is kept and erased as the appropriate policy document says.",
)
def apd_retention_unanswered(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    if _needs_apd(record) and record.retention_follows_apd is None:
        yield "The record must say whether retention follows the appropriate policy document."


@activity_rule(
    "APD-DEVIATION",
    "Reason for departing from the policy document missing",
    ERROR,
    "DPA 2018 Schedule 1 paragraph 41(c)",
    "apd_deviation_reason",
    "Give the reasons why retention and erasure do not follow the policy document.",
)
def apd_deviation_unexplained(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    if record.retention_follows_apd is False and _blank(record.apd_deviation_reason):
        yield "Retention does not follow the appropriate policy document, and no reason is given."


@activity_rule(
    "A10-BASIS",
    "Criminal offence data without an Article 10 basis",
    ERROR,
    "Article 10; DPA 2018 s.10(5)",
    "article10_basis",
    "Say how Article 10 is met: under official authority, or authorised by law through a "
    "Schedule 1 condition.",
)
def article10_missing(record: ActivityRecord, context: CheckContext) -> Iterator[str]:
    criminal = context.criminal_in(record.data_categories)
    if criminal and _controls(record) and _blank(record.article10_basis):
        yield f"Criminal offence data ({_names(criminal)}) is used without an Article 10 basis."


@activity_rule(
    "A10-SCH1",
    "Article 10 basis without a Schedule 1 condition",
    ERROR,
    "DPA 2018 s.10(5), Schedule 1",
    "schedule1",
    "Add the Schedule 1 condition (Part 1, 2 or 3) that authorises the criminal offence data.",
)
def article10_schedule1_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    basis = law.article10_bases().get(record.article10_basis.strip())
    known = [law.schedule1_condition(c.code) for c in record.schedule1]
    if basis is not None and basis.needs_schedule1 and not any(known):
        yield f"The Article 10 basis \u201c{basis.name}\u201d needs a Schedule 1 condition."


# --- sharing and transfers ----------------------------------------------------------------


@activity_rule(
    "TRANSFER-MECHANISM",
    "Transfer without a mechanism",
    ERROR,
    "Article 30(1)(e); Article 44A(2)",
    "transfers",
    "Choose the transfer mechanism: transfer regulations (Article 45A), IDTA, UK Addendum, "
    "binding corporate rules or an Article 49 derogation.",
)
def transfer_mechanism_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    for transfer in record.transfers:
        if _blank(transfer.mechanism):
            yield f"The transfer to {transfer.destination} has no transfer mechanism."


@activity_rule(
    "TRANSFER-SAFEGUARDS",
    "Derogation without documented safeguards",
    ERROR,
    "Articles 30(1)(e) and 49(6)",
    "transfers",
    "Document the assessment and the suitable safeguards for the Article 49 transfer.",
)
def transfer_safeguards_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    mechanisms = law.transfer_mechanisms()
    for transfer in record.transfers:
        mechanism = mechanisms.get(transfer.mechanism.strip())
        if mechanism and mechanism.needs_safeguard_documentation and _blank(transfer.safeguards):
            yield (
                f"The transfer to {transfer.destination} relies on {mechanism.name}, "
                "but the safeguards are not documented."
            )


@activity_rule(
    "TRANSFER-ADEQUACY",
    "Transfer regulations relied on for a country without them",
    WARNING,
    "Articles 44A(2)(a) and 45A",
    "transfers",
    "Check the destination against the transfer (adequacy) regulations on GOV.UK, or choose "
    "another mechanism such as the IDTA.",
)
def transfer_adequacy_doubtful(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    adequate = law.adequacy_countries()
    for transfer in record.transfers:
        if transfer.mechanism.strip() == "adequacy" and (
            transfer.destination.strip().casefold() not in adequate
        ):
            yield (
                f"{transfer.destination} is not on the list of countries with UK transfer "
                "regulations (Article 45A, formerly adequacy regulations) that ROPA desk knows."
            )


@activity_rule(
    "TRANSFER-DPT",
    "Data protection test not met or not recorded",
    ERROR,
    "Article 46(1A)(a)(ii)",
    "transfers",
    "Carry out the transfer risk assessment and record in the transfer's row that the data "
    "protection test is met, with its date and a link to it.",
    applies_from=DUAA_MAIN,
)
def transfer_data_protection_test_missing(
    record: ActivityRecord, _c: CheckContext
) -> Iterator[str]:
    mechanisms = law.transfer_mechanisms()
    for transfer in record.transfers:
        mechanism = mechanisms.get(transfer.mechanism.strip())
        if mechanism is None or not mechanism.needs_data_protection_test:
            continue
        answer = transfer.data_protection_test.strip()
        if answer == "no":
            yield (
                f"The transfer to {transfer.destination} relies on {mechanism.name}, but the "
                "data protection test is recorded as not met: the safeguards do not count "
                "(Article 46(1A)(a)(ii))."
            )
        elif answer != "yes":
            yield (
                f"The transfer to {transfer.destination} relies on {mechanism.name}, but no "
                "one has recorded considering that the data protection test is met "
                "(Article 46(1A)(a)(ii))."
            )


@activity_rule(
    "TRANSFER-DPT-RECORD",
    "Data protection test not documented",
    WARNING,
    "Articles 5(2) and 46(1A)",
    "transfers",
    "Add the date of the transfer risk assessment and a link to it in the transfer's row.",
    applies_from=DUAA_MAIN,
)
def transfer_data_protection_test_undocumented(
    record: ActivityRecord, _c: CheckContext
) -> Iterator[str]:
    for transfer in record.transfers:
        if transfer.data_protection_test.strip() != "yes":
            continue
        missing = [
            what
            for what, value in (
                ("date", transfer.data_protection_test_date),
                ("link", transfer.data_protection_test_link),
            )
            if _blank(value)
        ]
        if missing:
            yield (
                f"The data protection test for the transfer to {transfer.destination} is "
                f"recorded as met, but its {' and '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not recorded."
            )


@activity_rule(
    PROCESSOR_CONTRACT_RULE,
    "Processor without a contract",
    WARNING,
    "Article 28(3)",
    "processors",
    "Record the link to the processor's contract in the library (Processors).",
)
def processor_contract_missing(record: ActivityRecord, context: CheckContext) -> Iterator[str]:
    missing = [
        name for name in record.processors if not context.processor_contracts.get(name_key(name))
    ]
    if missing:
        yield f"No contract is linked for the processor {_names(missing)}."


@activity_rule(
    "SOURCES",
    "Sources not recorded",
    WARNING,
    "Article 14(1)(d) and 14(2)(f)",
    "sources",
    "Add where the data comes from: the person themselves, or the other organisations and "
    "people who provide it.",
)
def sources_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    if _controls(record) and not record.sources:
        yield (
            "No source of the data is recorded: where data does not come from the person, "
            "the notice must say where it comes from (Article 14(2)(f))."
        )


@activity_rule(
    "SHARING-AGREEMENT",
    "Recipient without a data sharing agreement",
    WARNING,
    "DPA 2018 s.121 (ICO data sharing code); Article 5(2)",
    "recipients",
    "In the library (Recipients), link the data sharing agreement with each organisation "
    "that receives the data as a controller, or note there why none is needed (an internal "
    "team, a body the law requires you to tell).",
)
def sharing_agreement_missing(record: ActivityRecord, context: CheckContext) -> Iterator[str]:
    if not _controls(record):
        return
    missing = [
        name
        for name in record.recipients
        if not context.recipient_agreements.get(name_key(name), "").strip()
    ]
    if missing:
        yield (
            f"No data sharing agreement is linked for {_names(missing)}; where a recipient is "
            "a controller in its own right, the ICO's data sharing code expects one."
        )


# --- DPIA and automated decisions -----------------------------------------------------------


def dpia_screening(record: ActivityRecord, context: CheckContext) -> list[str]:
    """The EDPB-style criteria this activity meets; two or more call for a DPIA."""
    criteria = {
        "special category data": bool(context.special_in(record.data_categories)),
        "children's data": record.involves_children is True,
        "automated decisions": record.automated_decisions is True,
        "large scale": record.large_scale is True,
    }
    # An unanswered question is not met here; the *-UNANSWERED rules ask it.
    return [name for name, met in criteria.items() if met]


# Words in the name of a kind of data that mean genetic or biometric data (Article 4(13),
# 4(14)): the library says only "special category", not which.
_GENETIC_WORDS = ("genetic", "dna", "genome")
_BIOMETRIC_WORDS = ("biometric", "fingerprint", "facial recognition", "face recognition")


def ico_high_risk(record: ActivityRecord) -> list[str]:
    """The kinds of processing on the ICO's Article 35(4) list this activity does: the ones
    the DPO ticked, and those the record shows (genetic or biometric data by name; automated
    decisions about children or at large scale).  Any one calls for a DPIA."""
    criteria = law.dpia_criteria()
    met = {line.strip() for line in record.dpia_criteria.splitlines() if line.strip()}
    names = [name_key(category) for category in record.data_categories]
    if any(word in name for name in names for word in _GENETIC_WORDS):
        met.add("genetic")
    if any(word in name for name in names for word in _BIOMETRIC_WORDS):
        met.add("biometric")
    if record.automated_decisions is True and record.involves_children is True:
        met.add("targeting_children")
    if record.automated_decisions is True and record.large_scale is True:
        met.add("large_scale_profiling")
    return [criterion.name for code, criterion in criteria.items() if code in met]


def dpia_indicated(record: ActivityRecord, context: CheckContext) -> bool:
    """One criterion of the ICO's list, or two of the EDPB's, call for a DPIA."""
    return bool(ico_high_risk(record)) or len(dpia_screening(record, context)) >= 2


@activity_rule(
    "DPIA-NEEDED",
    "DPIA screening says a DPIA is needed",
    WARNING,
    "Article 35(1), (3) and (4); the ICO's list of high-risk processing",
    "dpia_required",
    "Carry out a DPIA and mark it as required, or record the screening decision and why no "
    "DPIA is needed.",
)
def dpia_needed(record: ActivityRecord, context: CheckContext) -> Iterator[str]:
    if record.dpia_required is True:
        return
    on_list = ico_high_risk(record)
    combined = dpia_screening(record, context)
    if on_list:
        yield (
            f"DPIA screening: {join_names([_lower_first(n) for n in on_list])} "
            "(on the ICO's list under Article 35(4), where one is enough); a DPIA is not "
            "marked as required."
        )
    elif len(combined) >= 2:
        yield f"DPIA screening: {join_names(combined)}; a DPIA is not marked as required."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


@activity_rule(
    "DPIA-RECORD",
    "DPIA required but not recorded",
    WARNING,
    "Article 35(1)",
    "dpia_link",
    "Link to the DPIA, or note where it has got to.",
)
def dpia_not_recorded(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    if record.dpia_required is True and _blank(record.dpia_link) and _blank(record.dpia_progress):
        yield "A DPIA is required, but neither a link nor its progress is recorded."


@activity_rule(
    "ADM-DETAILS",
    "Automated decisions not described",
    WARNING,
    "Articles 13(2)(f), 14(2)(g), 22A and 22C",
    "automated_decision_details",
    "Describe the logic involved and the effects on people, and the Article 22C safeguards: "
    "how they are told, can make representations, get a person to review it and contest it.",
)
def automated_decisions_undescribed(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    if record.automated_decisions is True and _blank(record.automated_decision_details):
        yield (
            "Automated decisions are made, but the logic, the effects and the safeguards "
            "(Article 22C) are not described."
        )


@activity_rule(
    "ADM-RLI",
    "Automated decision relying on a recognised legitimate interest",
    ERROR,
    "Article 22B(4)",
    "automated_decisions",
    "A significant decision based solely on automated processing may not rely on Article "
    "6(1)(ea): add meaningful human involvement, or rely on another basis.",
    applies_from=DUAA_MAIN,
)
def automated_decision_on_recognised_interest(
    record: ActivityRecord, _c: CheckContext
) -> Iterator[str]:
    if record.automated_decisions is True and "ea" in _bases(record):
        yield (
            "Decisions are made by computer alone on processing that relies on a recognised "
            "legitimate interest (Article 6(1)(ea)); Article 22B(4) does not allow a "
            "significant decision to be taken that way."
        )


@activity_rule(
    "ADM-SPECIAL",
    "Automated decision on special category data without a 22B condition",
    ERROR,
    "Article 22B(1) to (3)",
    "automated_decisions",
    "Base the decision on explicit consent (Article 9(2)(a)), or make sure it is needed for a "
    "contract or required or authorised by law with a substantial public interest condition "
    "(Article 9(2)(g)); otherwise add meaningful human involvement.",
    applies_from=DUAA_MAIN,
)
def automated_decision_on_special_data(
    record: ActivityRecord, context: CheckContext
) -> Iterator[str]:
    special = context.special_in(record.data_categories)
    if not (record.automated_decisions is True and special):
        return
    codes = set(_article9_codes(record))
    # 22B(2): explicit consent; 22B(3): contract or law, with 9(2)(g).
    if "a" in codes or "g" in codes:
        return
    yield (
        f"Decisions are made by computer alone using special category data ({_names(special)}) "
        "without explicit consent (Article 9(2)(a)) or a substantial public interest condition "
        "(Article 9(2)(g)), which Article 22B(2) and (3) require for a significant decision."
    )


# --- questions the record has not answered ------------------------------------------------
#
# A yes/no question nobody answered is None, never "No" (an import of a register that never
# asked, or an activity whose box nobody set).  Treating it as No would switch off the checks
# that follow from a Yes, so each unanswered question is asked instead.

_CHILD_WORDS = (
    "child",
    "pupil",
    "student",
    "young people",
    "young person",
    "minor",
    "under 18",
    "under-18",
    "infant",
    "baby",
    "babies",
    "juvenile",
    "adolescent",
    "teen",
    "youth",
)


def _children_hint(record: ActivityRecord) -> str:
    named = [
        name for name in record.individuals if any(word in name.casefold() for word in _CHILD_WORDS)
    ]
    return f" Its people include {_names(named)}." if named else ""


@activity_rule(
    "CHILDREN-UNANSWERED",
    "Not recorded whether children's data is used",
    WARNING,
    "Article 35(1); Article 8; Recital 38",
    "involves_children",
    "Answer Yes or No to \u201cInvolves children\u201d.",
)
def children_unanswered(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    if record.involves_children is None:
        yield (
            "Does this activity use children's data? The record does not say, so the DPIA "
            "screening cannot count it." + _children_hint(record)
        )


@activity_rule(
    "ADM-UNANSWERED",
    "Not recorded whether decisions are automated",
    WARNING,
    "Articles 13(2)(f), 14(2)(g) and 22A to 22D",
    "automated_decisions",
    "Answer Yes or No to \u201cAutomated decisions\u201d, and describe them if Yes.",
)
def automated_decisions_unanswered(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    if record.automated_decisions is None and _controls(record):
        yield (
            "Are decisions about people made by computer, without a person involved, or are "
            "people profiled? The record does not say, and a privacy notice must tell people "
            "when they are."
        )


@activity_rule(
    "SCALE-UNANSWERED",
    "Not recorded whether the processing is on a large scale",
    WARNING,
    "Article 35(1) and (3)",
    "large_scale",
    "Answer Yes or No to \u201cLarge scale\u201d.",
)
def large_scale_unanswered(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    if record.large_scale is None:
        yield (
            "Is this processing on a large scale? The record does not say, so the DPIA "
            "screening cannot count it."
        )


# --- keeping the record current -------------------------------------------------------------


@activity_rule(
    "REVIEW-OVERDUE",
    "Review overdue",
    WARNING,
    "Article 5(2); Article 24(1)",
    "next_review",
    "Review the entry with its owner, then mark it reviewed to set the next review date.",
)
def review_overdue(record: ActivityRecord, context: CheckContext) -> Iterator[str]:
    state = review_state(
        record.status, record.next_review, record.changed_since_approval, today=context.today
    )
    if state.overdue and record.next_review is not None:
        yield f"The review was due on {british_date(record.next_review)}."


@activity_rule(
    "REVIEW-UNSET",
    "No review date",
    WARNING,
    "Article 5(2); Article 24(1)",
    "next_review",
    "Set the date of the next review (normally within 12 months).",
)
def review_date_missing(record: ActivityRecord, _c: CheckContext) -> Iterator[str]:
    if record.next_review is None:
        yield "No date is set for the next review."


@register_rule(
    "NOTICE-STALE",
    "Privacy notice out of date",
    WARNING,
    "Articles 13 and 14; Article 12(1)",
    "notice",
    "Check the notice against the changed activities and publish a new version.",
)
def notice_out_of_date(
    records: Mapping[int, ActivityRecord], context: CheckContext
) -> Iterator[tuple[str, str, str]]:
    for notice in context.notices:
        stale = _changed_since(notice, records, context)
        if stale and notice.last_published_at is not None:
            # Stored times are UTC: the day is the one it was where the user is.
            when = british_date(local_date(notice.last_published_at))
            yield (
                "",
                notice.title,
                f"The notice \u201c{notice.title}\u201d was last published on {when}; since then "
                f"{join_names(stale)} changed.",
            )


def _changed_since(
    notice: NoticeState, records: Mapping[int, ActivityRecord], context: CheckContext
) -> list[str]:
    if notice.last_published_at is None:
        return []
    stale = []
    for activity_id in notice.activity_ids:
        record = records.get(activity_id)
        changed = record.updated_at if record else context.activity_changes.get(activity_id)
        if changed is not None and changed > notice.last_published_at:
            stale.append(record.reference if record else f"activity {activity_id}")
    return stale
