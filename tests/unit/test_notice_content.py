"""Notices built from registers that mirror real council notices: every purpose, basis, Act,
recipient, retention rule, right and contact lands in its service's section, what is common is
said once, nothing that does not apply is claimed, and the sentences read as a person wrote
them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator, Sequence

import pytest

from ropa.checks import Finding
from ropa.notices import NoticeRecord, build_document, render_text
from ropa.notices.content import (
    MAX_NAMED,
    NoticeDocument,
    describe_changes,
    place_name,
    retention_text,
)
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
        # What the checks ask for beyond the notice's own facts, so that it has no gaps.
        security_measures=["Role-based access control"],
        apd_link="https://intranet.riverside.example/apd",
        retention_follows_apd=True,
        automated_decisions=False,
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
        transfers=[
            TransferEntry(
                "United States",
                "idta",
                "IDTA signed in April 2025",
                "yes",
                "2026-02-20",
                "https://example.org/tra",
            )
        ],
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


def service_text(document: NoticeDocument, heading: str) -> str:
    found = [s for s in document.service_sections() if s.heading == heading]
    assert len(found) == 1, (heading, [s.heading for s in document.service_sections()])
    return "\n".join(found[0].lines())


def headings(document: NoticeDocument) -> list[str]:
    return [s.heading for s in document.sections]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n", text) if s.strip()]


def test_common_parts_come_once_around_one_section_per_service(register: Register) -> None:
    document = build(register, social_care(), consent_newsletter())
    assert headings(document) == [
        "Who we are",
        "The law that lets us use your information",
        "Children's social care",
        "Early help",
        "Your rights",
        "How to contact our Data Protection Officer",
        "How to complain",
        "What has changed",
        "Last updated",
    ]
    assert [s.heading for s in document.service_sections()] == [
        "Children's social care",
        "Early help",
    ]
    subheadings = [b.text for b in document.service_sections()[0].blocks if b.kind == "subheading"]
    assert subheadings == [
        "What we collect",
        "Where we get it",
        "Why we use it",
        "Our lawful reasons",
        "Do you have to give it to us?",
        "Who we share it with",
        "How long we keep it",
    ]
    # The bases are explained once, at the top, not in each service.
    common = lines(document, "bases")
    assert "Public task (Article 6(1)(e)): We need to use your information" in common
    assert "Consent (Article 6(1)(a))" in common
    assert "We need to use your information to carry out" not in service_text(
        document, "Children's social care"
    )


def test_childrens_social_care_section_says_everything_in_its_place(register: Register) -> None:
    document = build(register, social_care())
    who = lines(document, "who")
    assert "Riverside City Council" in who and "Z7654321" in who
    assert "Civic Centre, Riverside, RV1 2AB" in who
    text = service_text(document, "Children's social care")
    assert "We hold information about children and young people and parents and carers." in text
    assert "Health information (special category data)" in text
    assert "Racial or ethnic origin (special category data)" in text
    assert "Name and contact details\n" in text  # not flagged
    assert "Criminal offence data\n" in text  # its name already says it, once
    assert "Schools and education settings" in text
    for purpose in ("Safeguarding children", "Supporting children in need", "Statutory returns"):
        assert purpose in text
    assert (
        "Public task: Safeguarding is a statutory function. Laws: Children Act 1989; "
        "Children Act 2004." in text
    )
    assert "Legal obligation: Census returns to the DfE. Laws: Children Act 1989." in text
    assert (
        "For special category data: reasons of substantial public interest (Article 9(2)(g)) "
        "and health or social care (Article 9(2)(h)), with Schedule 1 to the Data Protection "
        "Act 2018, paragraphs 2 (health or social care purposes), 6 (statutory etc and "
        "government purposes) and 18 (safeguarding of children and of individuals at risk)." in text
    )
    assert (
        "For criminal offence data: Article 10 of the UK GDPR, under the control of official "
        "authority." in text
    )
    assert "Families do not have to give us information, but we act on risk." in text
    for recipient in ("Department for Education", "NHS bodies and GPs", "Police"):
        assert recipient in text
    assert (
        "Contractors handle it for us, only on our instructions:\nCase management system supplier\n"
        in text
    )
    assert "Case files: Until the child's 25th birthday." in text
    # The register answers No to automated decisions: the notice says so once, with the
    # rights, rather than in each service (Art 13(2)(f)).
    assert "computer" not in text.casefold() and "outside the UK" not in text
    assert "We make no decision about you by computer alone" in lines(document, "rights")
    common = lines(document, "bases")
    assert "appropriate policy document" in common
    assert "Special category data, such as health or ethnic origin" in common

    rights = lines(document, "rights")
    assert "The right of access" in rights
    assert "The right to rectification" in rights
    assert "The right to restrict processing" in rights
    assert "The right to object" in rights  # public task
    assert "portability" not in rights
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
    assert document.todos() == []


def test_each_fact_sits_in_its_services_section_and_no_other(register: Register) -> None:
    document = build(
        register, social_care(), consent_newsletter(), virtual_school_with_us_transfer()
    )
    own = {
        "Children's social care": [
            "Case notes and assessments",
            "Police",
            "Supporting children in need",
            "Children Act 2004",
            "Families do not have to give us information",
            "Case files: Until the child's 25th birthday",
            "Article 9(2)(h)",
        ],
        "Early help": [
            "Sending the parenting newsletter",
            "The person themselves",
            "Mailing service",
            "Parents opt in on the sign-up form",
            "You do not have to sign up.",
            "Until you unsubscribe",
        ],
        "Education": [
            "Promoting the education of children in care",
            "Schools and academies",
            "Virtual school head duty",
            "To the United States.",
            "IDTA signed in April 2025",
            "Schools must contribute to the plan.",
        ],
    }
    for heading, facts in own.items():
        for fact in facts:
            assert fact in service_text(document, heading), (heading, fact)
            for other in own:
                if other != heading:
                    assert fact not in service_text(document, other), (fact, other)


def test_consent_brings_withdrawal_erasure_and_portability_but_no_objection(
    register: Register,
) -> None:
    document = build(register, consent_newsletter())
    rights = lines(document, "rights")
    assert "The right to withdraw consent" in rights
    assert "The right to data portability" in rights
    assert "Consent: we delete it when you ask, or when you withdraw your consent." in rights
    assert "The right to object" not in rights
    assert "For special category data" not in service_text(document, "Early help")
    assert "Special category data" not in lines(document, "bases")
    assert "Criminal offence data" not in lines(document, "bases")


def test_erasure_is_described_for_each_basis_relied_on(register: Register) -> None:
    contract = consent_newsletter()
    contract.reference, contract.name, contract.business_function = (
        "LS-1",
        "Library loans",
        "Libraries",
    )
    contract.lawful_bases = [LawfulBasisEntry("b", "Library membership terms")]
    interests = consent_newsletter()
    interests.reference, interests.name, interests.business_function = "CO-1", "CCTV", "Facilities"
    interests.lawful_bases = [LawfulBasisEntry("f", "Keeping buildings secure")]
    interests.legitimate_interests = "Keeping staff and visitors safe"
    document = build(register, social_care(), consent_newsletter(), contract, interests)
    rights = lines(document, "rights")
    erasure = rights.split("The right to erasure")[1].split("The right to restrict")[0]
    assert (
        "Consent (Early help): we delete it when you ask, or when you withdraw your consent."
        in erasure
    )
    assert (
        "Contract (Libraries): we delete it once we no longer need it for the contract." in erasure
    )
    assert (
        "Legal obligation (Children's social care): the right does not apply while the law "
        "requires us to keep it." in erasure
    )
    assert (
        "Public task (Children's social care): the right does not apply while we need it for "
        "our public tasks" in erasure
    )
    assert (
        "Legitimate interests (Facilities): we delete it if you object and we have no "
        "overriding reason to keep it." in erasure
    )
    # The retention tables come before the rights (it said "below").
    assert "we delete information when the period given for it above ends" in erasure


def test_rights_say_which_services_they_apply_to(register: Register) -> None:
    document = build(register, social_care(), consent_newsletter())
    rights = lines(document, "rights")
    assert "This applies to: Early help." in rights  # withdrawal, portability
    assert "This applies to: Children's social care." in rights  # objection


def test_rights_never_name_more_than_a_handful_of_services(demo_register: Register) -> None:
    draft = NoticeRecord(title="Everything", grouping="activity")
    draft.activity_ids = [
        s.id for s in demo_register.activity_list.summaries(include_retired=False)
    ]
    document = build_document(demo_register, draft)
    assert len(document.service_sections()) == 15
    service_names = [s.heading for s in document.service_sections()]
    for sentence in sentences(lines(document, "rights")):
        named = [name for name in service_names if name in sentence]
        assert len(named) <= MAX_NAMED, sentence
    rights = lines(document, "rights")
    assert "This applies to every service except" in rights or "services that rely on" in rights


def test_purposes_are_merged_and_deduplicated_within_a_service(register: Register) -> None:
    newsletter = consent_newsletter()
    newsletter.business_function = "Children's social care"
    document = build(register, social_care(), newsletter)
    section = document.service_sections()[0]
    index = [b.text for b in section.blocks].index("Why we use it")
    table = section.blocks[index + 1]
    assert table.entries == ["Purpose", "Lawful basis"]
    purposes = [row[0] for row in table.rows]
    assert purposes.count("Safeguarding children") == 1
    assert not any(p.casefold() == "safeguarding  children" for p in purposes)
    assert "Sending the parenting newsletter" in purposes
    # A purpose two activities share rests on the bases of both.
    bases = dict((row[0], row[1]) for row in table.rows)
    assert bases["Safeguarding children"] == "Consent, legal obligation and public task"
    assert bases["Sending the parenting newsletter"] == "Consent"
    assert bases["Statutory returns"] == "Legal obligation and public task"


def test_a_transfer_names_the_country_as_a_sentence_does(register: Register) -> None:
    document = build(register, virtual_school_with_us_transfer())
    text = service_text(document, "Education")
    assert (
        "To the United States. We have signed the International Data Transfer Agreement "
        "issued by the Information Commissioner" in text
    )
    assert "IDTA signed in April 2025." in text
    assert "to United States" not in text
    assert "portability" not in lines(document, "rights")
    assert place_name("United States") == "the United States"
    assert place_name("Netherlands") == "the Netherlands"
    assert place_name("Republic of Korea") == "the Republic of Korea"
    assert place_name("the Philippines") == "the Philippines"
    assert place_name("France") == "France"
    assert place_name("India") == "India"


def test_retention_does_not_say_when_it_starts_twice() -> None:
    # The example register's foster carer and adoption rules, as a reader saw them.
    assert (
        retention_text("10 years after approval ends", "The date the foster carer's approval ends")
        == "10 years after approval ends"
    )
    assert (
        retention_text(
            "100 years from the date of the adoption order", "The date of the adoption order"
        )
        == "100 years from the date of the adoption order"
    )
    # A period that names its own end needs no starting point.
    assert retention_text("Until the child's 75th birthday", "The child's date of birth") == (
        "Until the child's 75th birthday"
    )
    assert retention_text("Six years", "The end of the tenancy") == (
        "Six years, counted from the end of the tenancy"
    )


def test_the_example_notice_reads_as_a_person_wrote_it(demo_register: Register) -> None:
    from ropa.notices.cli import adhoc_notice

    document = build_document(demo_register, adhoc_notice(demo_register))
    text = render_text(document)
    flat = " ".join(text.split())
    assert "Approved foster carer records: 10 years after approval ends." in flat
    assert "Adoption case records: 100 years from the date of the adoption order." in flat
    assert "counted from the date the foster carer's approval ends" not in flat
    assert "(counted from the date of the adoption order)" not in flat
    assert "To the United States." in flat and "to United States" not in flat
    assert flat.count("We will reply within one month") == 1
    # Criminal offence data is explained once, not once per subsection.
    assert flat.count("Article 10 of the UK GDPR lets us use it") == 1
    # No internal reference reaches the public text (the register says "(CS-001)").
    references = {a.reference for a in document.activities}
    for reference in references:
        assert reference not in flat, reference
    assert (
        "Contacts that lead to a referral: As for children in need and child protection records"
        in flat
    )


def test_every_error_the_checks_report_is_marked_where_it_applies(demo_register: Register) -> None:
    from ropa.checks import Severity, run_checks
    from ropa.notices.cli import adhoc_notice

    document = build_document(demo_register, adhoc_notice(demo_register))
    errors = [f for f in run_checks(demo_register) if f.severity == Severity.ERROR]
    assert {f.reference for f in errors} == {"CS-008", "CS-012"}
    early_help = document.service_sections()[1]
    assert early_help.heading == "Early help"
    todos = early_help.todos()
    assert len(todos) == 1
    assert (
        "Early help family support: Article 9(2)(g) needs a DPA 2018 Schedule 1 Part 2" in todos[0]
    )
    # Marked right after the reasons it is about.
    kinds = [b.kind for b in early_help.blocks]
    reasons = [b.text for b in early_help.blocks].index("Our lawful reasons")
    assert kinds[reasons + 1 : reasons + 3] == ["list", "todo"]
    social_care_todos = document.service_sections()[0].todos()
    assert (
        len(social_care_todos) == 1
        and "Private fostering: No retention period" in social_care_todos[0]
    )
    assert (
        len(document.todos())
        == len(errors)
        == len([w for w in document.warnings if w.kind == "gap"])
    )


def test_automated_decisions_are_described_and_their_rights_given(register: Register) -> None:
    activity = consent_newsletter()
    activity.automated_decisions = True
    activity.automated_decision_details = "A computer checks your benefits"
    document = build(register, activity)
    text = service_text(document, "Early help")
    assert "A computer checks your benefits." in text
    assert "You can ask for a person to review the decision." in text
    assert "Rights about automated decision-making" in lines(document, "rights")


def test_automated_decisions_nobody_answered_are_a_gap_never_a_no(register: Register) -> None:
    """Unknown is not No: the notice neither describes nor denies automated decisions, and
    says in the draft what the DPO must complete (Article 13(2)(f))."""
    activity = social_care()
    activity.automated_decisions = None
    document = build(register, activity)
    text = service_text(document, "Children's social care")
    gaps = [w.message for w in document.warnings if w.kind == "gap"]
    assert any("Not recorded whether decisions are made by computer" in gap for gap in gaps)
    assert "[To complete: whether any decision about people is made by computer" in text
    assert "Rights about automated decision-making" not in lines(document, "rights")
    assert "no automated" not in text.casefold() and "not made by computer" not in text


def test_a_dpos_n_a_is_kept_in_the_register_but_never_published(register: Register) -> None:
    """ "N/A" kept as the DPO wrote it (an import) is their note: the public notice says
    nothing from it, and the draft asks for what is missing instead."""
    activity = social_care()
    activity.statutory_requirement = "N/A"
    document = build(register, activity)
    text = service_text(document, "Children's social care")
    assert "N/A" not in text
    assert any("must give their information" in w.message for w in document.warnings)
    (stored,) = register.activities.load()
    assert stored.statutory_requirement == "N/A"


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
    assert "No retention period is recorded" in gaps
    assert "No lawful basis" in gaps or "no lawful basis" in gaps
    assert "Schedule 1 Part 2" in gaps
    assert "must give their information" in gaps
    assert "Data Protection Officer" in gaps or "data protection officer" in gaps
    text = service_text(document, "Children's social care")
    assert text.count("[To complete:") >= 4
    assert "[To complete:" in lines(document, "dpo")
    assert len(document.todos()) == len([w for w in document.warnings if w.kind == "gap"])


def test_processor_activities_are_left_out_with_a_note(register: Register) -> None:
    processing = consent_newsletter()
    processing.role = Role.PROCESSOR
    document = build(register, social_care(), processing)
    assert [a.reference for a in document.activities] == ["CSC-1"]
    assert any("processor" in w.message for w in document.warnings)


def test_extra_sections_follow_the_services_with_paragraphs_and_lists(register: Register) -> None:
    from ropa.notices import NoticeSectionEntry

    body = "The MASH brings agencies together.\n\n- Police\n- Health\n\nWe decide within a day."
    document = build(register, social_care(), sections=[NoticeSectionEntry("The MASH", body)])
    assert headings(document)[2:5] == ["Children's social care", "The MASH", "Your rights"]
    mash = document.sections[3]
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
    service = register.notices
    notice = service.create(title="Children's notice", activity_ids=[first.id])
    assert notice.id is not None and first.id is not None
    service.publish(notice.id)
    register.activities.update(
        first.id, {"recipients": [*first.recipients, "Ofsted"]}, expected_version=first.version
    )
    document = build_document(register, notice.id)
    changes = lines(document, "changes")
    assert "Since the version published on" in changes
    assert "Added to “Children's social care”: Ofsted" in changes
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


def test_criminal_offence_data_alone_names_its_schedule1_conditions(register: Register) -> None:
    document = build(register, criminal_only())
    text = service_text(document, "Licensing")
    assert "For special category data" not in text
    assert (
        "For criminal offence data: Article 10 of the UK GDPR, as the law authorises, with "
        "Schedule 1 to the Data Protection Act 2018, paragraphs 33 (legal claims) and 36 " in text
    )
    # Paragraph 36 needs an appropriate policy document, and the notice says there is one.
    assert "appropriate policy document" in lines(document, "bases")
    assert "Criminal offence data is information about criminal allegations" in lines(
        document, "bases"
    )
    assert "Special category data" not in lines(document, "bases")


def test_criminal_offence_data_without_a_policy_document_condition(register: Register) -> None:
    activity = criminal_only()
    activity.schedule1 = [ConditionEntry("33")]
    document = build(register, activity)
    assert "paragraph 33" in service_text(document, "Licensing")
    assert "appropriate policy document" not in lines(document, "bases")


def test_criminal_offence_data_authorised_by_law_without_a_condition_is_a_gap(
    register: Register,
) -> None:
    activity = criminal_only()
    activity.schedule1 = []
    document = build(register, activity)
    gaps = "\n".join(w.message for w in document.warnings if w.kind == "gap")
    assert "LIC-1 Taxi licensing" in gaps
    assert "Schedule 1" in gaps
    assert "[To complete:" in service_text(document, "Licensing")


def test_article9_codes_are_read_however_they_were_typed() -> None:
    from ropa.checks import CheckContext, check_activities

    activity = social_care()
    activity.id = 1
    activity.article9 = [ConditionEntry(" G ")]
    activity.schedule1 = [ConditionEntry("2")]
    document = composed(activity, findings=check_activities([activity], CheckContext()))
    gaps = "\n".join(w.message for w in document.warnings if w.kind == "gap")
    assert "Article 9(2)(g) needs a DPA 2018 Schedule 1 Part 2 condition" in gaps
    assert "reasons of substantial public interest (Article 9(2)(g))" in service_text(
        document, "Children's social care"
    )


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


def composed(*activities: ActivityRecord, findings: Sequence[Finding] = ()) -> NoticeDocument:
    """A notice built from records alone, without a register."""
    from ropa.notices.content import compose
    from ropa.records import OrganisationRecord

    return compose(
        NoticeRecord(title="Test notice"),
        OrganisationRecord(**ORGANISATION),  # type: ignore[arg-type]
        list(activities),
        special_categories={"health information"},
        criminal_categories=set(),
        findings=findings,
    )


def test_notice_dates_are_the_one_british_date() -> None:
    import ropa.notices
    from ropa.dates import british_date
    from ropa.notices import content

    assert not hasattr(content, "british_date") or content.british_date is british_date
    assert ropa.notices.british_date is british_date


def short_layer(register: Register, activity: ActivityRecord) -> NoticeDocument:
    register.organisation.update(ORGANISATION)
    created = register.activities.create(activity)
    assert created.id is not None
    draft = NoticeRecord(title="Short notice", activity_ids=[created.id])
    return build_document(register, draft, layer="short", now=dt.datetime(2026, 11, 21, 9, 30))


def test_the_short_layer_never_says_not_shared_where_processors_are_recorded(
    register: Register,
) -> None:
    """A processor receives the information (Art 4(9)): with one recorded, the short layer
    must not tell people "We do not share it", any more than the full notice does, and with
    nothing recorded at all both layers ask the DPO to check the claim."""
    activity = consent_newsletter()
    activity.recipients = []
    activity.processors = ["Mailing service"]
    short = short_layer(register, activity)
    sharing = lines(short, "sharing")
    assert "do not share" not in sharing.casefold()
    assert "Mailing service" in sharing

    activity.processors = []
    activity.reference = "EH-2"
    alone = short_layer(register, activity)
    assert "do not share" not in lines(alone, "sharing").casefold()
    assert "[To complete: No categories of recipients are recorded." in lines(alone, "sharing")


def test_we_do_not_share_it_is_said_only_on_the_answer_that_no_one_receives_it(
    register: Register,
) -> None:
    """Art 30(1)(d), Art 13(1)(e) ("if any"): an empty list of recipients cannot be told
    from one not recorded yet.  Unanswered, neither layer claims the data is not shared and
    both ask for the answer; answered "shared with no one", both say so and ask nothing."""
    unanswered = consent_newsletter()
    unanswered.recipients = []
    full = build(register, unanswered)
    text = service_text(full, "Early help")
    assert "do not share" not in text.casefold()
    assert "[To complete: No categories of recipients are recorded." in text
    assert "Shared with no one?" in text  # the fix names the question to answer
    short = short_layer(register, dataclasses.replace(unanswered, reference="EH-2"))
    assert "do not share" not in lines(short, "sharing").casefold()
    assert "[To complete:" in lines(short, "sharing")

    answered = dataclasses.replace(unanswered, reference="EH-3", shared_with_no_one=True)
    full = build(register, answered)
    text = service_text(full, "Early help")
    assert "We do not share it with other organisations." in text
    assert "recipients" not in text.casefold()  # no gap about them
    short = short_layer(register, dataclasses.replace(answered, reference="EH-4"))
    assert "We do not share it with other organisations." in lines(short, "sharing")
    assert "[To complete" not in lines(short, "sharing")
    assert not any("shared" in w.message for w in short.warnings)


def test_with_no_check_run_an_empty_list_is_asked_about_not_claimed() -> None:
    """A notice composed without the checks' findings (so no A30-RECIPIENTS line to mark)
    still never says "We do not share it" on an empty list: it asks for the answer."""
    activity = dataclasses.replace(consent_newsletter(), recipients=[])
    text = service_text(composed(activity), "Early help")
    assert "do not share" not in text.casefold()
    assert "[To complete: who receives the information, or record in the register" in text
    answered = dataclasses.replace(activity, shared_with_no_one=True)
    assert "We do not share it" in service_text(composed(answered), "Early help")


def test_recipients_named_beside_shared_with_no_one_are_named_and_the_clash_reported(
    register: Register,
) -> None:
    activity = dataclasses.replace(consent_newsletter(), shared_with_no_one=True)
    full = build(register, activity)
    text = service_text(full, "Early help")
    assert "Mailing service" in text and "do not share" not in text.casefold()
    from ropa.checks import run_checks

    findings = [f for f in run_checks(register) if f.rule_id == "A30-SHARED-WITH-NO-ONE"]
    assert [f.field for f in findings] == ["shared_with_no_one"]
    assert "Mailing service" in findings[0].message


@pytest.mark.parametrize(
    ("mechanism", "said", "never"),
    [
        ("idta", "signed agreement", ""),
        ("uk_addendum", "signed agreement", ""),
        ("adequacy", "government has checked", "agreement"),
        ("bcr", "rules", "agreement"),
        ("article49", "special cases", "agreement"),
    ],
)
def test_a_childrens_notice_names_the_safeguard_the_register_records(
    register: Register, mechanism: str, said: str, never: str
) -> None:
    """A child is told, in plain words, the safeguard recorded for the transfer (Art
    13(1)(f)): a signed agreement only where the mechanism is one (the IDTA or the
    Addendum), never for adequacy regulations, binding rules or a derogation."""
    activity = virtual_school_with_us_transfer()
    activity.transfers = [TransferEntry("United States", mechanism, data_protection_test="yes")]
    document = build(register, activity, audience="children")
    text = "\n".join(line for section in document.sections for line in section.lines())
    (bullet,) = [line for line in text.splitlines() if "To the United States." in line]
    assert said in bullet.casefold()
    if never:
        assert never not in bullet.casefold()
