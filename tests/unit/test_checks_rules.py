"""Every rule fires on a wrong example and stays quiet on a right one (pure, no database)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from ropa.checks import (
    CheckContext,
    Finding,
    NoticeState,
    Severity,
    check_activities,
    check_activity,
    rules,
)
from ropa.records import (
    ActivityRecord,
    ConditionEntry,
    LawfulBasisEntry,
    OrganisationRecord,
    Role,
    Status,
    TransferEntry,
)
from tests.helpers.activities import sample_activity

TODAY = dt.date(2026, 11, 21)
IDTA_TESTED = TransferEntry(
    "United States", "idta", "", "yes", "2026-03-02", "https://example.org/tra-us"
)
PUBLISHED = dt.datetime(2026, 6, 1, 9, 0)
APD = "https://example.org/apd"


def good(**overrides: object) -> ActivityRecord:
    """A controller activity that every rule accepts."""
    values: dict[str, object] = {
        "id": 1,
        "data_categories": ["Name and contact details"],
        "next_review": TODAY + dt.timedelta(days=200),
        "updated_at": dt.datetime(2026, 5, 1, 12, 0),
        # The yes/no questions answered (an unanswered one is itself a finding), for people
        # who are not children.
        "individuals": ["Residents", "Parents and carers"],
        "automated_decisions": False,
        "involves_children": False,
        "large_scale": False,
        "sources": ["The family", "Referrers"],
    }
    values.update(overrides)
    return sample_activity(**values)


def special(**overrides: object) -> ActivityRecord:
    """Good, with health data under Article 9(2)(h) and Schedule 1 paragraph 2."""
    values: dict[str, object] = {
        "data_categories": ["Name and contact details", "Health"],
        "article9": [ConditionEntry("h", "Social care")],
        "schedule1": [ConditionEntry("2")],
    }
    values.update(overrides)
    return good(**values)


def organisation(**overrides: object) -> OrganisationRecord:
    values: dict[str, object] = {
        "name": "Northfield Borough Council",
        "address": "Town Hall, Northfield",
        "dpo_name": "Priya Shah",
        "dpo_email": "dpo@example.org",
        "is_public_authority": True,
        "complaints_contact": "Write to the Data Protection Officer, Town Hall, Northfield.",
        "complaints_form_url": "https://northfield.example/complain",
        "complaints_acknowledgement": "We acknowledge each complaint by email within 5 days.",
    }
    values.update(overrides)
    return OrganisationRecord(**values)  # type: ignore[arg-type]


def context(**overrides: object) -> CheckContext:
    values: dict[str, object] = {
        "organisation": organisation(),
        "today": TODAY,
        "special_categories": frozenset({"health", "racial or ethnic origin"}),
        "criminal_categories": frozenset({"criminal offence data"}),
        "processor_contracts": {"case system supplier": "https://example.org/c1", "ad hoc ltd": ""},
        "recipient_agreements": {
            "police": "https://example.org/dsa-police",
            "nhs bodies": "https://example.org/dsa-nhs",
        },
    }
    values.update(overrides)
    return CheckContext(**values)  # type: ignore[arg-type]


def notice(*activity_ids: int) -> tuple[NoticeState, ...]:
    return (NoticeState(7, "Children and families privacy notice", PUBLISHED, activity_ids),)


@dataclass(frozen=True)
class Case:
    rule: str
    wrong: Callable[[], tuple[list[ActivityRecord], CheckContext]]
    right: Callable[[], tuple[list[ActivityRecord], CheckContext]]


def with_org(**overrides: object) -> Callable[[], tuple[list[ActivityRecord], CheckContext]]:
    return lambda: ([good()], context(organisation=organisation(**overrides)))


def of(
    record: Callable[[], ActivityRecord], **context_overrides: object
) -> Callable[[], tuple[list[ActivityRecord], CheckContext]]:
    return lambda: ([record()], context(**context_overrides))


def basis(code: str) -> list[LawfulBasisEntry]:
    return [LawfulBasisEntry(code, "Why")]


CHARITY = organisation(is_public_authority=False)


def legitimate(**overrides: object) -> ActivityRecord:
    values: dict[str, object] = {
        "lawful_bases": basis("f"),
        "legitimate_interests": "Keeping supporters informed",
        "lia_link": "https://x/lia",
    }
    values.update(overrides)
    return good(**values)


PROCESSOR = {"role": Role.PROCESSOR, "lawful_bases": [], "retention": []}


def consenting(**overrides: object) -> ActivityRecord:
    values: dict[str, object] = {
        "lawful_bases": basis("a"),
        "consent_record_link": "https://x/consent",
        "consent_reviewed_on": TODAY - dt.timedelta(days=100),
    }
    values.update(overrides)
    return good(**values)


CASES = [
    Case("ORG-NAME", with_org(name=" "), with_org()),
    Case(
        "ORG-CONTACT",
        with_org(address="", email="", telephone=""),
        with_org(address="", email="x@y"),
    ),
    Case("ORG-DPO", with_org(dpo_name=""), with_org(dpo_name="", is_public_authority=False)),
    Case("ORG-PUBLIC-AUTHORITY", with_org(is_public_authority=None), with_org()),
    Case(
        "ORG-COMPLAINTS",
        with_org(complaints_contact="", complaints_form_url="", complaints_acknowledgement=""),
        with_org(complaints_contact="", complaints_acknowledgement="Within 30 days by email"),
    ),
    Case(
        "ORG-COMPLAINT-FORM",
        with_org(complaints_form_url=""),
        with_org(),
    ),
    Case(
        "ORG-COMPLAINT-ACK",
        with_org(complaints_acknowledgement=" "),
        with_org(),
    ),
    Case("A30-PURPOSES", of(lambda: good(purposes=[])), of(good)),
    Case("A30-INDIVIDUALS", of(lambda: good(individuals=[])), of(good)),
    Case("A30-DATA", of(lambda: good(data_categories=[])), of(good)),
    Case(
        "A30-RECIPIENTS",
        of(lambda: good(recipients=[], shared_with_no_one=False)),
        of(lambda: good(recipients=[], processors=["Case system supplier"])),
    ),
    Case(
        "A30-SHARED-WITH-NO-ONE",
        of(lambda: good(shared_with_no_one=True)),
        of(lambda: good(recipients=[], shared_with_no_one=True)),
    ),
    Case("A30-RETENTION", of(lambda: good(retention=[])), of(good)),
    Case(
        "A30-SECURITY",
        of(lambda: good(security_measures=[])),
        of(lambda: good(security_measures=[], security_description="Locked cabinets")),
    ),
    Case(
        "A30-JOINT",
        of(lambda: good(role=Role.JOINT_CONTROLLER)),
        of(lambda: good(role=Role.JOINT_CONTROLLER, joint_controllers="NHS Trust, 1 Road")),
    ),
    Case(
        "A30-CONTROLLERS",
        of(lambda: good(**PROCESSOR)),
        of(lambda: good(**PROCESSOR, controllers="St Mary's School")),
    ),
    Case(
        "A30-PROCESSING",
        of(lambda: good(**PROCESSOR, controllers="School", purposes=[], description="")),
        of(lambda: good(**PROCESSOR, controllers="School", purposes=[], description="Payroll")),
    ),
    Case("BASIS-MISSING", of(lambda: good(lawful_bases=[])), of(good)),
    Case(
        "BASIS-PUBLIC-AUTHORITY",
        of(lambda: good(lawful_bases=[LawfulBasisEntry("f", "Lettings", ["Housing Act"])])),
        # The council records why this (f) processing is outside its public tasks.
        of(
            lambda: legitimate(
                lawful_bases=[
                    LawfulBasisEntry(
                        "f",
                        "Renting out the town hall's rooms",
                        outside_tasks_reason="Commercial lettings, as any landlord would",
                    )
                ]
            )
        ),
    ),
    Case(
        "BASIS-REASON",
        of(lambda: good(lawful_bases=[LawfulBasisEntry("e", "", ["Children Act 1989"])])),
        of(good),
    ),
    Case(
        "BASIS-LAW",
        of(lambda: good(lawful_bases=[LawfulBasisEntry("c", "Statutory returns")])),
        of(lambda: good(lawful_bases=[LawfulBasisEntry("c", "Returns", ["Education Act 1996"])])),
    ),
    Case(
        "RLI-ANNEX1",
        of(lambda: good(lawful_bases=basis("ea")), organisation=CHARITY),
        of(
            lambda: good(lawful_bases=[LawfulBasisEntry("ea", "Safeguarding", [], "6")]),
            organisation=CHARITY,
        ),
    ),
    Case(
        "CONSENT-RECORD",
        of(lambda: consenting(consent_record_link="")),
        of(consenting),
    ),
    Case(
        "CONSENT-CHILD",
        of(lambda: consenting(involves_children=True)),
        of(
            lambda: consenting(
                involves_children=True,
                child_consent_arrangements="Parents sign the form for children under 13.",
            )
        ),
    ),
    Case(
        "CONSENT-REVIEW",
        of(lambda: consenting(consent_reviewed_on=TODAY - dt.timedelta(days=800))),
        of(consenting),
    ),
    Case(
        "LI-INTERESTS",
        # Neither the interests' field nor a reason with the basis says what they are (a
        # reason given with the (f) basis is the interest pursued: see test_review_l).
        of(
            lambda: good(lawful_bases=[LawfulBasisEntry("f")], lia_link="https://x/lia"),
            organisation=CHARITY,
        ),
        of(lambda: legitimate(), organisation=CHARITY),
    ),
    Case(
        "LI-INTERESTS-REASON",
        of(lambda: legitimate(legitimate_interests=""), organisation=CHARITY),
        of(lambda: legitimate(), organisation=CHARITY),
    ),
    Case(
        "LI-ASSESSMENT",
        of(lambda: legitimate(lia_link=""), organisation=CHARITY),
        of(lambda: legitimate(), organisation=CHARITY),
    ),
    Case("A9-MISSING", of(lambda: special(article9=[], schedule1=[])), of(special)),
    Case("A9-UNUSED", of(lambda: special(data_categories=["Name"])), of(special)),
    Case(
        "SCH1-PART1",
        of(
            lambda: special(
                schedule1=[ConditionEntry("18")], apd_link=APD, retention_follows_apd=True
            )
        ),
        of(special),
    ),
    Case(
        "SCH1-PART2",
        of(lambda: special(article9=[ConditionEntry("g")], schedule1=[ConditionEntry("2")])),
        of(
            lambda: special(
                article9=[ConditionEntry("g")],
                schedule1=[ConditionEntry("18")],
                apd_link=APD,
                retention_follows_apd=True,
            )
        ),
    ),
    Case(
        "APD-LINK",
        of(
            lambda: special(
                article9=[ConditionEntry("g")],
                schedule1=[ConditionEntry("6")],
                retention_follows_apd=True,
            )
        ),
        of(
            lambda: special(
                article9=[ConditionEntry("g")],
                schedule1=[ConditionEntry("6")],
                apd_link=APD,
                retention_follows_apd=True,
            )
        ),
    ),
    Case(
        "APD-RETENTION",
        of(
            lambda: special(
                article9=[ConditionEntry("g")], schedule1=[ConditionEntry("6")], apd_link=APD
            )
        ),
        of(
            lambda: special(
                article9=[ConditionEntry("g")],
                schedule1=[ConditionEntry("6")],
                apd_link=APD,
                retention_follows_apd=False,
                apd_deviation_reason="Court order to keep longer",
            )
        ),
    ),
    Case(
        "APD-DEVIATION",
        of(lambda: special(retention_follows_apd=False)),
        of(lambda: special(retention_follows_apd=True)),
    ),
    Case(
        "A10-BASIS",
        of(lambda: good(data_categories=["Criminal offence data"])),
        of(
            lambda: good(
                data_categories=["Criminal offence data"], article10_basis="official_authority"
            )
        ),
    ),
    Case(
        "A10-SCH1",
        of(lambda: good(article10_basis="authorised_by_law")),
        of(
            lambda: good(
                article10_basis="authorised_by_law",
                schedule1=[ConditionEntry("18")],
                apd_link=APD,
                retention_follows_apd=True,
            )
        ),
    ),
    Case(
        "TRANSFER-MECHANISM",
        of(lambda: good(transfers=[TransferEntry("United States")])),
        of(lambda: good(transfers=[IDTA_TESTED])),
    ),
    Case(
        "TRANSFER-DPT",
        of(lambda: good(transfers=[TransferEntry("United States", "idta")])),
        of(lambda: good(transfers=[IDTA_TESTED])),
    ),
    Case(
        "TRANSFER-DPT-RECORD",
        of(lambda: good(transfers=[TransferEntry("United States", "uk_addendum", "", "yes")])),
        of(lambda: good(transfers=[IDTA_TESTED])),
    ),
    Case(
        "TRANSFER-SAFEGUARDS",
        of(lambda: good(transfers=[TransferEntry("India", "article49")])),
        of(lambda: good(transfers=[TransferEntry("India", "article49", "Explicit consent form")])),
    ),
    Case(
        "TRANSFER-ADEQUACY",
        of(lambda: good(transfers=[TransferEntry("Narnia", "adequacy")])),
        of(lambda: good(transfers=[TransferEntry("France", "adequacy")])),
    ),
    Case("SOURCES", of(lambda: good(sources=[])), of(good)),
    Case(
        "SHARING-AGREEMENT",
        of(lambda: good(recipients=["Police", "Housing association"])),
        of(good),
    ),
    Case(
        "PROCESSOR-CONTRACT",
        of(lambda: good(processors=["Ad hoc Ltd"])),
        of(lambda: good(processors=["Case system supplier"])),
    ),
    Case(
        "DPIA-NEEDED",
        of(lambda: good(involves_children=True, large_scale=True)),
        of(
            lambda: good(
                involves_children=True, large_scale=True, dpia_required=True, dpia_link="x"
            )
        ),
    ),
    Case(
        "ADM-RLI",
        of(
            lambda: good(
                lawful_bases=[LawfulBasisEntry("ea", "Fraud", [], "5")],
                automated_decisions=True,
                automated_decision_details="Scores each claim.",
            ),
            organisation=CHARITY,
        ),
        of(
            lambda: good(
                lawful_bases=[LawfulBasisEntry("ea", "Fraud", [], "5")],
                automated_decision_details="Scores each claim; a caseworker decides.",
            ),
            organisation=CHARITY,
        ),
    ),
    Case(
        "ADM-SPECIAL",
        of(
            lambda: special(
                automated_decisions=True,
                automated_decision_details="Eligibility scored by the system.",
                dpia_required=True,
                dpia_link="x",
            )
        ),
        of(
            lambda: special(
                automated_decisions=True,
                automated_decision_details="Eligibility scored on explicit consent.",
                article9=[ConditionEntry("a", "Explicit consent")],
                schedule1=[],
                consent_record_link="https://x/consent",
                consent_reviewed_on=TODAY,
                dpia_required=True,
                dpia_link="x",
            )
        ),
    ),
    Case(
        "DPIA-RECORD",
        of(lambda: good(dpia_required=True)),
        of(lambda: good(dpia_required=True, dpia_progress="Drafted, with the DPO")),
    ),
    Case(
        "ADM-DETAILS",
        of(lambda: good(automated_decisions=True)),
        of(lambda: good(automated_decisions=True, automated_decision_details="Logic: ...")),
    ),
    Case(
        "CHILDREN-UNANSWERED",
        of(lambda: good(involves_children=None)),
        of(lambda: good(involves_children=False)),
    ),
    Case(
        "ADM-UNANSWERED",
        of(lambda: good(automated_decisions=None)),
        of(lambda: good(automated_decisions=False)),
    ),
    Case(
        "SCALE-UNANSWERED",
        of(lambda: good(large_scale=None)),
        of(lambda: good(large_scale=False)),
    ),
    Case("REVIEW-OVERDUE", of(lambda: good(next_review=TODAY - dt.timedelta(days=1))), of(good)),
    Case("REVIEW-UNSET", of(lambda: good(next_review=None)), of(good)),
    Case(
        "NOTICE-STALE",
        of(lambda: good(updated_at=PUBLISHED + dt.timedelta(hours=1)), notices=notice(1)),
        of(lambda: good(updated_at=PUBLISHED - dt.timedelta(hours=1)), notices=notice(1)),
    ),
]


def fired(case: Callable[[], tuple[list[ActivityRecord], CheckContext]]) -> list[Finding]:
    records, checking = case()
    return check_activities(records, checking)


@pytest.mark.parametrize("case", CASES, ids=[case.rule for case in CASES])
def test_rule_fires_on_the_wrong_example(case: Case) -> None:
    findings = [f for f in fired(case.wrong) if f.rule_id == case.rule]
    assert len(findings) == 1
    finding = findings[0]
    rule = {r.id: r for r in rules()}[case.rule]
    assert (finding.severity, finding.article, finding.field, finding.fix) == (
        rule.severity,
        rule.article,
        rule.field,
        rule.fix,
    )
    assert finding.message.endswith(".")


@pytest.mark.parametrize("case", CASES, ids=[case.rule for case in CASES])
def test_rule_stays_quiet_on_the_right_example(case: Case) -> None:
    assert [f.rule_id for f in fired(case.right)] == []


def test_every_rule_has_a_case() -> None:
    assert sorted(case.rule for case in CASES) == sorted(rule.id for rule in rules())


def test_every_rule_cites_law_and_says_how_to_fix() -> None:
    for rule in rules():
        assert rule.article and rule.fix and rule.title, rule.id
        assert rule.severity in (Severity.ERROR, Severity.WARNING)


def test_the_article30_items_are_errors_and_good_practice_warnings() -> None:
    severities = {rule.id: rule.severity for rule in rules()}
    for required in ("A30-PURPOSES", "A30-RETENTION", "BASIS-MISSING", "SCH1-PART2", "APD-LINK"):
        assert severities[required] == Severity.ERROR
    for practice in ("DPIA-NEEDED", "REVIEW-OVERDUE", "LI-ASSESSMENT", "NOTICE-STALE"):
        assert severities[practice] == Severity.WARNING


def test_findings_name_the_activity_and_come_errors_first() -> None:
    records = [
        good(id=1, reference="A-1", next_review=None),
        good(id=2, reference="A-2", retention=[]),
    ]
    findings = check_activities(records, context())
    assert [(f.severity, f.reference, f.rule_id) for f in findings] == [
        (Severity.ERROR, "A-2", "A30-RETENTION"),
        (Severity.WARNING, "A-1", "REVIEW-UNSET"),
    ]
    assert findings[0].activity_id == 2
    assert findings[0].activity_name == records[1].name


def test_retired_activities_are_not_checked() -> None:
    retired = good(retention=[], status=Status.RETIRED)
    assert check_activities([retired], context()) == []


def test_notice_rule_reads_changes_of_activities_outside_the_records() -> None:
    checking = context(
        notices=notice(1, 99), activity_changes={99: PUBLISHED + dt.timedelta(days=3)}
    )
    findings = check_activities([good()], checking)
    assert [f.rule_id for f in findings] == ["NOTICE-STALE"]
    assert "Children and families privacy notice" in findings[0].message
    assert findings[0].activity_id is None


def test_a_notice_never_published_is_not_out_of_date() -> None:
    unpublished = (NoticeState(7, "Draft notice", None, (1,)),)
    assert (
        check_activities([good(updated_at=dt.datetime(2027, 1, 1))], context(notices=unpublished))
        == []
    )


def test_nothing_is_checked_against_a_public_authority_nobody_has_confirmed() -> None:
    """A company's register imported without the question answered: legitimate interests
    and a missing DPO are not held against it; the DPO is asked instead, with a guess."""
    company = organisation(name="Brightside Care Ltd", dpo_name="", is_public_authority=None)
    findings = check_activities([legitimate()], context(organisation=company))
    assert [f.rule_id for f in findings] == ["ORG-PUBLIC-AUTHORITY"]
    assert "public authority cannot" not in findings[0].message
    assert findings[0].message.endswith(
        "From its name (\u201cLtd\u201d), your organisation is not likely to be a public authority."
    )
    confirmed = organisation(is_public_authority=True)
    findings = check_activities([legitimate()], context(organisation=confirmed))
    assert [f.rule_id for f in findings] == ["BASIS-PUBLIC-AUTHORITY"]


def test_the_finding_is_frozen() -> None:
    finding = fired(CASES[0].wrong)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.message = "changed"  # type: ignore[misc]


def test_one_activity_alone_for_the_editor_even_unsaved() -> None:
    unsaved = good(id=None, retention=[])
    checking = context(organisation=OrganisationRecord(), notices=notice(1))
    findings = check_activity(unsaved, checking)
    assert [(f.rule_id, f.activity_id) for f in findings] == [("A30-RETENTION", None)]


def test_the_rules_and_the_completeness_read_condition_codes_alike() -> None:
    """Codes typed with stray spaces or capitals mean the same to every check."""
    from ropa.checks import missing_fields

    record = special(
        article9=[ConditionEntry(" G ", "Safeguarding")],
        schedule1=[ConditionEntry(" 18 ")],
        apd_link="",
        retention_follows_apd=None,
    )
    rule_ids = {f.rule_id for f in check_activities([record], context())}
    assert "SCH1-PART2" not in rule_ids  # " 18 " is a Part 2 condition
    assert {"APD-LINK", "APD-RETENTION"} <= rule_ids
    missing = missing_fields(record, context())
    assert "apd_link" in missing
    assert "retention_follows_apd" in missing
    without = dataclasses.replace(record, schedule1=[])
    assert "schedule1" in missing_fields(without, context())
    assert "SCH1-PART2" in {f.rule_id for f in check_activities([without], context())}


@pytest.fixture
def uk_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    import time

    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is POSIX only")
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_stale_notice_date_is_the_day_it_was_published_in_the_uk(uk_time: None) -> None:
    late_evening_utc = dt.datetime(2026, 7, 1, 23, 30)  # 00:30 on 2 July, British Summer Time
    published = (NoticeState(7, "Children's notice", late_evening_utc, (1,)),)
    changed = good(updated_at=dt.datetime(2026, 7, 3, 9, 0))
    findings = check_activities([changed], context(notices=published))
    assert [f.rule_id for f in findings] == ["NOTICE-STALE"]
    assert "was last published on 2 July 2026;" in findings[0].message


def test_dates_in_findings_and_reports_are_always_english() -> None:
    import locale

    from ropa.checks.report import british_date as report_date
    from ropa.checks.rules import british_date as rules_date
    from ropa.dates import british_date

    # One British date for every check output, not a copy that follows the locale.
    assert rules_date is british_date
    assert report_date is british_date
    previous = locale.setlocale(locale.LC_TIME)
    for candidate in ("cy_GB.UTF-8", "fr_FR.UTF-8", "de_DE.UTF-8"):
        try:
            locale.setlocale(locale.LC_TIME, candidate)
        except locale.Error:
            continue
        try:
            overdue = good(next_review=dt.date(2026, 11, 1))
            messages = [f.message for f in check_activities([overdue], context())]
            assert "The review was due on 1 November 2026." in messages
        finally:
            locale.setlocale(locale.LC_TIME, previous)
        return


def test_a_public_authority_not_yet_said_or_a_charity_may_use_ea_and_f() -> None:
    """Article 6(1)'s closing words bar (ea) and (f) only to public authorities."""
    ea = good(lawful_bases=[LawfulBasisEntry("ea", "Safeguarding", [], "6")])
    assert [f.rule_id for f in check_activities([ea], context(organisation=CHARITY))] == []
    council = [f.rule_id for f in check_activities([ea], context())]
    assert council == ["BASIS-PUBLIC-AUTHORITY"]


def test_rules_resting_on_duaa_are_not_run_for_a_day_before_it_applied() -> None:
    """The complaints duty (s.164A) applies from 19 June 2026; Article 46(1A) and 6(5)
    from 5 February 2026."""
    no_route = organisation(complaints_contact="", complaints_form_url="")
    before = context(organisation=no_route, today=dt.date(2026, 6, 18))
    on_the_day = context(organisation=no_route, today=dt.date(2026, 6, 19))
    record = good(next_review=dt.date(2027, 1, 1))
    assert "ORG-COMPLAINTS" not in {f.rule_id for f in check_activities([record], before)}
    assert "ORG-COMPLAINTS" in {f.rule_id for f in check_activities([record], on_the_day)}
    untested = good(
        transfers=[TransferEntry("United States", "idta")], next_review=dt.date(2027, 1, 1)
    )
    early = context(today=dt.date(2026, 2, 4))
    assert "TRANSFER-DPT" not in {f.rule_id for f in check_activities([untested], early)}
    assert "TRANSFER-DPT" in {f.rule_id for f in check_activities([untested], context())}


def test_the_ico_list_needs_one_criterion_and_genetic_data_is_found_by_name() -> None:
    genetic = good(data_categories=["Name and contact details", "Genetic test results"])
    findings = [f for f in check_activities([genetic], context()) if f.rule_id == "DPIA-NEEDED"]
    assert len(findings) == 1
    assert "genetic data" in findings[0].message
    assert "Article 35(4)" in findings[0].message
    ticked = good(dpia_criteria="tracking")
    messages = [f.message for f in check_activities([ticked], context())]
    assert any("DPIA screening: tracking (on the ICO's list" in m for m in messages)


def test_every_rule_states_its_provision_in_its_message_or_citation() -> None:
    for rule in rules():
        assert any(word in rule.article for word in ("Article", "DPA 2018", "s.")), rule.id


def test_no_recipients_is_answered_only_by_saying_the_data_goes_to_no_one() -> None:
    """Art 30(1)(d): an empty list of recipients is a gap until the DPO answers that the data
    is shared with no one; "No" or no answer leaves it a gap."""

    def rules_fired(answer: bool | None) -> set[str]:
        record = good(recipients=[], shared_with_no_one=answer)
        return {f.rule_id for f in fired(of(lambda: record))}

    assert "A30-RECIPIENTS" in rules_fired(None) & rules_fired(False)
    answered = rules_fired(True)
    assert "A30-RECIPIENTS" not in answered and "A30-SHARED-WITH-NO-ONE" not in answered
