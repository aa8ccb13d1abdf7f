"""Notices built from registers that mirror real council notices: every purpose, basis, Act,
recipient, retention rule, right and contact lands in its section, and nothing that does not
apply is claimed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from ropa.notices import NoticeRecord, NoticeService, build_document, render_text
from ropa.notices.content import NoticeDocument, describe_changes
from ropa.records import (
    ActivityRecord,
    ConditionEntry,
    LawfulBasisEntry,
    RetentionEntry,
    Role,
    TransferEntry,
)
from ropa.register import Register

ORGANISATION = {
    "name": "Riverside City Council",
    "address": "Civic Centre, Riverside, RV1 2AB",
    "email": "info@riverside.example",
    "telephone": "01632 100200",
    "dpo_name": "Sam Okafor",
    "dpo_address": "Information Governance, Civic Centre, Riverside, RV1 2AB",
    "dpo_email": "dpo@riverside.example",
    "dpo_telephone": "01632 100299",
    "ico_registration": "Z7654321",
    "complaints_contact": "Write to the Data Protection Officer at dpo@riverside.example.",
}


def social_care() -> ActivityRecord:
    return ActivityRecord(
        reference="CSC-1",
        name="Children's social care",
        business_function="Children's social care",
        purposes=["Safeguarding children", "Supporting children in need", "Statutory returns"],
        individuals=["Children and young people", "Parents and carers"],
        data_categories=[
            "Name and contact details",
            "Case notes and assessments",
            "Health information",
            "Racial or ethnic origin",
            "Criminal offence data",
        ],
        sources=["Schools and education settings", "Police"],
        recipients=["Department for Education", "NHS bodies and GPs", "Police"],
        processors=["Case management system supplier"],
        lawful_bases=[
            LawfulBasisEntry(
                "e",
                "Safeguarding is a statutory function",
                ["Children Act 1989", "Children Act 2004"],
            ),
            LawfulBasisEntry("c", "Census returns to the DfE", ["Children Act 1989"]),
        ],
        article9=[ConditionEntry("g"), ConditionEntry("h")],
        schedule1=[ConditionEntry("6"), ConditionEntry("18"), ConditionEntry("2")],
        article10_basis="official_authority",
        statutory_requirement="Families do not have to give us information, but we act on risk.",
        retention=[RetentionEntry("Until the child's 25th birthday", "case closure", "Case files")],
    )


def consent_newsletter() -> ActivityRecord:
    return ActivityRecord(
        reference="EH-1",
        name="Parenting newsletter",
        business_function="Early help",
        purposes=["Sending the parenting newsletter", "safeguarding  children"],
        individuals=["Parents and carers"],
        data_categories=["Name and contact details"],
        sources=["The person themselves"],
        recipients=["Mailing service"],
        lawful_bases=[LawfulBasisEntry("a", "Parents opt in on the sign-up form")],
        statutory_requirement="You do not have to sign up.",
        retention=[RetentionEntry("Until you unsubscribe")],
    )


def virtual_school_with_us_transfer() -> ActivityRecord:
    return ActivityRecord(
        reference="ED-1",
        name="Personal education plans",
        business_function="Education",
        purposes=["Promoting the education of children in care"],
        individuals=["Looked after children"],
        data_categories=["Education records"],
        sources=["Schools and education settings"],
        recipients=["Schools and academies"],
        lawful_bases=[LawfulBasisEntry("e", "Virtual school head duty", ["Children Act 1989"])],
        transfers=[TransferEntry("United States", "idta", "IDTA signed in April 2025")],
        statutory_requirement="Schools must contribute to the plan.",
        retention=[RetentionEntry("Until the child's 25th birthday")],
    )


def build(register: Register, *activities: ActivityRecord, **notice: object) -> NoticeDocument:
    register.organisation.update(ORGANISATION)
    ids = [register.activities.create(a).id for a in activities]
    draft = NoticeRecord(title="Test notice", activity_ids=[i for i in ids if i is not None])
    for name, value in notice.items():
        setattr(draft, name, value)
    return build_document(register, draft, now=dt.datetime(2026, 11, 21, 9, 30))


def lines(document: NoticeDocument, key: str) -> str:
    section = document.section(key)
    assert section is not None, key
    return "\n".join(section.lines())


def headings(document: NoticeDocument) -> list[str]:
    return [s.heading for s in document.sections]


def test_sections_come_in_the_plain_english_order(register: Register) -> None:
    document = build(register, social_care())
    assert headings(document) == [
        "Who we are",
        "The information we use",
        "Where we get your information",
        "The reasons we use your data",
        "Why we are allowed to use your data",
        "Do you have to give us your information?",
        "Who we share your data with",
        "When computers make decisions about you",
        "When your data is sent to other countries",
        "How long we keep your data",
        "Your rights",
        "How to contact our Data Protection Officer",
        "How to complain",
        "What has changed",
        "Last updated",
    ]


def test_childrens_social_care_notice_says_everything_in_its_place(register: Register) -> None:
    document = build(register, social_care())
    who = lines(document, "who")
    assert "Riverside City Council" in who
    assert "Z7654321" in who
    assert "Civic Centre, Riverside, RV1 2AB" in who

    information = lines(document, "information")
    assert "Special category data" in information
    special_part = information.split("Special category data")[1].split("Criminal offence data")[0]
    assert "Health information" in special_part
    assert "Racial or ethnic origin" in special_part
    assert "Name and contact details" not in special_part
    assert "Criminal offence data" in information.split("Special category data")[1]

    assert "Schools and education settings" in lines(document, "sources")
    purposes = lines(document, "purposes")
    for purpose in ("Safeguarding children", "Supporting children in need", "Statutory returns"):
        assert purpose in purposes

    bases = lines(document, "bases")
    assert "Public task (UK GDPR Article 6(1)(e))" in bases
    assert "Legal obligation (UK GDPR Article 6(1)(c))" in bases
    assert "Consent" not in bases
    assert "Children Act 1989" in bases and "Children Act 2004" in bases
    assert "Article 9(2)(g)" in bases and "Article 9(2)(h)" in bases
    for paragraph in ("paragraph 2 ", "paragraph 6 ", "paragraph 18 "):
        assert paragraph in bases
    assert "Schedule 1, Part 2, paragraph 18" in bases
    assert "Schedule 1, Part 1, paragraph 2" in bases
    assert "Article 10" in bases
    assert "appropriate policy document" in bases

    assert "Families do not have to give us information" in lines(document, "must_give")
    sharing = lines(document, "sharing")
    for recipient in ("Department for Education", "NHS bodies and GPs", "Police"):
        assert recipient in sharing
    assert "Case management system supplier" in sharing
    assert "do not make decisions about you by computer alone" in lines(document, "automated")
    assert "We do not send your information to other countries" in lines(document, "transfers")
    retention = lines(document, "retention")
    assert "Case files: Until the child's 25th birthday (counted from case closure)." in retention

    rights = lines(document, "rights")
    assert "The right of access" in rights
    assert "The right to rectification" in rights
    assert "The right to restrict processing" in rights
    assert "The right to object" in rights  # public task
    assert "portability" not in rights
    assert "The right to erasure" not in rights  # neither public task nor legal obligation
    assert "withdraw" not in rights.casefold()
    assert "automated decision" not in rights.casefold()

    dpo = lines(document, "dpo")
    for detail in ("Sam Okafor", "dpo@riverside.example", "01632 100299", "Information Governance"):
        assert detail in dpo
    complain = lines(document, "complain")
    assert complain.index("tell us first") < complain.index("Information Commissioner's Office")
    assert "Write to the Data Protection Officer" in complain
    assert "Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF" in complain
    assert "0303 123 1113" in complain
    assert lines(document, "updated") == "This notice was last updated on 21 November 2026."
    assert [w for w in document.warnings if w.kind == "gap"] == []


def test_consent_brings_withdrawal_erasure_and_portability_but_no_objection(
    register: Register,
) -> None:
    document = build(register, consent_newsletter())
    rights = lines(document, "rights")
    assert "The right to withdraw consent" in rights
    assert "The right to data portability" in rights
    assert "The right to erasure" in rights
    assert "The right to object" not in rights
    assert "Consent (UK GDPR Article 6(1)(a))" in lines(document, "bases")
    assert "Special category data" not in lines(document, "bases")
    assert "Criminal offence data" not in lines(document, "bases")


def test_rights_of_a_mixed_notice_say_which_services_they_apply_to(register: Register) -> None:
    document = build(register, social_care(), consent_newsletter())
    rights = lines(document, "rights")
    assert "The right to withdraw consent" in rights
    assert "This applies to: Parenting newsletter." in rights
    assert "This applies to: Children's social care." in rights  # objection


def test_purposes_are_merged_and_deduplicated_across_activities(register: Register) -> None:
    document = build(register, social_care(), consent_newsletter())
    section = document.section("purposes")
    assert section is not None
    purposes = section.blocks[1].entries
    assert purposes.count("Safeguarding children") == 1
    assert not any(p.casefold() == "safeguarding  children" for p in purposes)
    assert "Sending the parenting newsletter" in purposes


def test_us_transfer_is_named_with_its_safeguard(register: Register) -> None:
    document = build(register, virtual_school_with_us_transfer())
    transfers = lines(document, "transfers")
    assert "United States" in transfers
    assert "International Data Transfer Agreement" in transfers
    assert "IDTA signed in April 2025" in transfers
    assert "We do not send" not in transfers
    assert "portability" not in lines(document, "rights")


def test_automated_decisions_are_described_and_their_rights_given(register: Register) -> None:
    activity = consent_newsletter()
    activity.automated_decisions = True
    activity.automated_decision_details = "A computer checks your benefits"
    document = build(register, activity)
    assert "A computer checks your benefits." in lines(document, "automated")
    assert "Rights about automated decision-making" in lines(document, "rights")


def test_gaps_become_warnings_and_visible_todo_lines(register: Register) -> None:
    activity = social_care()
    activity.retention = []
    activity.schedule1 = [ConditionEntry("2")]  # 9(2)(g) then lacks its Part 2 condition
    activity.lawful_bases = []
    activity.statutory_requirement = ""
    document = build(register, activity)
    register.organisation.update({"dpo_email": "", "dpo_address": "", "dpo_telephone": ""})
    document = build_document(register, document.notice)
    gaps = "\n".join(w.message for w in document.warnings if w.kind == "gap")
    assert "no retention period" in gaps
    assert "no lawful basis" in gaps
    assert "Schedule 1 Part 2" in gaps
    assert "must give their information" in gaps
    assert "Data Protection Officer" in gaps
    assert "[To complete:" in lines(document, "retention")
    assert "[To complete:" in lines(document, "dpo")


def test_processor_activities_are_left_out_with_a_note(register: Register) -> None:
    processing = consent_newsletter()
    processing.role = Role.PROCESSOR
    document = build(register, social_care(), processing)
    assert [a.reference for a in document.activities] == ["CSC-1"]
    assert any("processor" in w.message for w in document.warnings)


def test_extra_sections_follow_complaints_with_paragraphs_and_lists(register: Register) -> None:
    from ropa.notices import NoticeSectionEntry

    body = "The MASH brings agencies together.\n\n- Police\n- Health\n\nWe decide within a day."
    document = build(register, social_care(), sections=[NoticeSectionEntry("The MASH", body)])
    assert headings(document)[13] == "The MASH"
    mash = document.sections[13]
    assert [b.kind for b in mash.blocks] == ["paragraph", "list", "paragraph"]
    assert mash.blocks[1].entries == ["Police", "Health"]


def test_notice_by_business_function_covers_only_that_function(register: Register) -> None:
    register.activities.create(social_care())
    register.activities.create(consent_newsletter())
    draft = NoticeRecord(title="Early help", business_functions=["early help"])
    document = build_document(register, draft)
    assert [a.reference for a in document.activities] == ["EH-1"]


def test_what_changed_compares_with_the_last_published_version(register: Register) -> None:
    register.organisation.update(ORGANISATION)
    first = register.activities.create(social_care())
    service = NoticeService(register)
    notice = service.create(title="Children's notice", activity_ids=[first.id])
    service.publish(notice.id)
    assert first.id is not None
    register.activities.update(
        first.id, {"recipients": [*first.recipients, "Ofsted"]}, expected_version=first.version
    )
    document = build_document(register, notice.id)
    changes = lines(document, "changes")
    assert "Since the version published on" in changes
    assert "Added to “Who we share your data with”: Ofsted" in changes
    assert "first version" not in changes


def test_describe_changes_names_added_and_removed_sections() -> None:
    old = {"title": "A", "sections": [{"heading": "Gone", "lines": ["x"]}]}
    new = {"title": "B", "sections": [{"heading": "New", "lines": ["y"]}]}
    assert describe_changes(old, new) == [
        "The title is now “B”.",
        "We added the section “New”.",
        "We removed the section “Gone”.",
    ]


@pytest.mark.parametrize("audience", ["adults", "children", "staff"])
def test_text_rendering_carries_every_section(register: Register, audience: str) -> None:
    document = build(register, social_care(), audience=audience)
    text = render_text(document)
    for heading in headings(document):
        assert heading in text


def criminal_only() -> ActivityRecord:
    """Criminal offence data without special category data, authorised by law."""
    return ActivityRecord(
        reference="LIC-1",
        name="Taxi licensing",
        business_function="Licensing",
        purposes=["Deciding whether drivers are fit and proper"],
        individuals=["Licence applicants"],
        data_categories=["Criminal offence data"],
        sources=["Disclosure and Barring Service"],
        recipients=["Police"],
        lawful_bases=[LawfulBasisEntry("e", "Licensing duty", ["Town Police Clauses Act 1847"])],
        article10_basis="authorised_by_law",
        schedule1=[ConditionEntry("33"), ConditionEntry("36")],
        statutory_requirement="You must give it to apply for a licence.",
        retention=[RetentionEntry("Six years after the licence ends")],
    )


def test_criminal_offence_data_alone_lists_its_schedule1_conditions(register: Register) -> None:
    document = build(register, criminal_only())
    bases = lines(document, "bases")
    assert "Special category data" not in bases
    assert "Criminal offence data" in bases
    assert "Schedule 1 conditions listed below" in bases
    assert "Schedule 1, Part 3, paragraph 33 of the Data Protection Act 2018: Legal claims" in bases
    assert "Schedule 1, Part 3, paragraph 36" in bases
    # Paragraph 36 needs an appropriate policy document, and the notice says there is one.
    assert "appropriate policy document" in bases


def test_criminal_offence_data_without_a_policy_document_condition(register: Register) -> None:
    activity = criminal_only()
    activity.schedule1 = [ConditionEntry("33")]
    bases = lines(build(register, activity), "bases")
    assert "paragraph 33" in bases
    assert "appropriate policy document" not in bases


def test_schedule1_conditions_are_listed_once_after_both_subsections(register: Register) -> None:
    document = build(register, social_care(), criminal_only())
    section = document.section("bases")
    assert section is not None
    subheadings = [b.text for b in section.blocks if b.kind == "subheading"]
    assert subheadings[-3:] == [
        "Special category data",
        "Criminal offence data",
        "Schedule 1 conditions",
    ]
    bases = lines(document, "bases")
    assert bases.count("paragraph 18 of the Data Protection Act 2018") == 1
    assert bases.count("paragraph 33 of the Data Protection Act 2018") == 1
    assert bases.count("appropriate policy document") == 1


def test_criminal_offence_data_authorised_by_law_without_a_condition_is_a_gap(
    register: Register,
) -> None:
    activity = criminal_only()
    activity.schedule1 = []
    document = build(register, activity)
    gaps = "\n".join(w.message for w in document.warnings if w.kind == "gap")
    assert "LIC-1 Taxi licensing" in gaps
    assert "no Schedule 1 condition is recorded" in gaps


def test_article9_codes_are_read_however_they_were_typed() -> None:
    activity = social_care()
    activity.article9 = [ConditionEntry(" G ")]
    activity.schedule1 = [ConditionEntry("2")]
    document = composed(activity)
    gaps = "\n".join(w.message for w in document.warnings if w.kind == "gap")
    assert "Article 9(2)(g), which needs a Schedule 1 Part 2 condition" in gaps


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


def test_the_previous_version_is_dated_as_published_in_the_uk(uk_time: None) -> None:
    from ropa.notices.content import changes_section
    from ropa.notices.records import PublishedVersion

    # Stored times are naive UTC: 23:30 UTC on 1 July is 00:30 on 2 July in London.
    previous = PublishedVersion(1, dt.datetime(2026, 7, 1, 23, 30), "dpo", {}, "")
    document = composed(consent_newsletter())
    section = changes_section(document, previous)
    assert "published on 2 July 2026" in "\n".join(section.lines())


def composed(*activities: ActivityRecord) -> NoticeDocument:
    """A notice built from records alone, without a register."""
    from ropa.notices.content import compose
    from ropa.records import OrganisationRecord

    return compose(
        NoticeRecord(title="Test notice"),
        OrganisationRecord(**ORGANISATION),  # type: ignore[arg-type]
        list(activities),
        special_categories={"health information"},
        criminal_categories=set(),
    )


def test_notice_dates_are_the_one_british_date() -> None:
    import ropa.notices
    from ropa.dates import british_date
    from ropa.notices import content

    assert not hasattr(content, "british_date") or content.british_date is british_date
    assert ropa.notices.british_date is british_date
