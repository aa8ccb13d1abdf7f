"""The example register's notices read as a member of the public reads them: each service's
facts in that service's section and in no other, the sentences the issue found a reader
tripping on now read plainly, the layers short enough, and a notice with gaps not published
without a reason."""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import pytest

from ropa.checks import Severity, run_checks
from ropa.notices import NoticeRecord, PublishRefused, render_notice, render_text
from ropa.notices.cli import adhoc_notice
from ropa.notices.content import NoticeDocument, Section, in_sentence, kept_for
from ropa.notices.readability import reading_grade, word_count
from ropa.records import ActivityRecord
from ropa.register import Register

ROOT = Path(__file__).resolve().parents[2]

# The example register's full notice for adults before the notice was divided into services
# (commit 2723f9d^, rendered as text): 4,277 words (4,293 as Markdown).  The notice must say
# the same facts in no more words.
OLD_FULL_NOTICE_WORDS = 4277
FIRST_LAYER_MOST_WORDS = 350


def example_document(
    register: Register, audience: str = "adults", layer: str = "full", grouping: str = ""
) -> NoticeDocument:
    draft = adhoc_notice(register)
    draft.audience, draft.grouping = audience, grouping
    return register.notices.document(draft, layer=layer)


def flat(document: NoticeDocument) -> str:
    return " ".join(render_text(document).split())


def parts(section: Section) -> dict[str, list[str]]:
    """A service section's text by subheading ("What we collect": its lines, ...)."""
    found: dict[str, list[str]] = {}
    current = ""
    for block in section.blocks:
        if block.kind == "subheading":
            current = block.text
            found[current] = []
        elif block.kind == "table" and block.entries[0] in ("Purpose", "What we use it for"):
            # The purpose and basis table: the purposes are its first column.
            found.setdefault(current, []).extend(row[0] for row in block.rows)
        elif block.kind != "todo":
            found.setdefault(current, []).extend(block.lines())
    return found


def _untagged(line: str) -> str:
    return re.sub(
        r" \((special category data|criminal offence data|extra private|about crimes)\)$", "", line
    )


# Each kind of fact of an activity, and the subheadings (adults', children's) it goes under.
FACTS = {
    "data_categories": ("What we collect", "What we know about you"),
    "sources": ("Where we get it", "Where it comes from"),
    "purposes": ("Why we use it",),
    "recipients": ("Who we share it with",),
}


def facts_of(activity: ActivityRecord, field: str) -> set[str]:
    return {" ".join(value.split()) for value in getattr(activity, field)}


@pytest.mark.parametrize(
    ("audience", "grouping"),
    [("adults", ""), ("adults", "activity"), ("children", ""), ("children", "activity")],
)
def test_each_fact_of_the_example_register_sits_in_its_services_section_and_no_other(
    demo_register: Register, audience: str, grouping: str
) -> None:
    document = example_document(demo_register, audience, grouping=grouping)
    services = document.service_sections()
    by_function = document.notice.sections_by(len(document.activities)) == "function"
    assert len(services) == (4 if by_function else len(document.activities))
    # Which activities each section is about: by business function or one activity each.
    by_section: dict[str, list[ActivityRecord]] = {}
    for activity in document.activities:
        key = activity.business_function if by_function else activity.name
        by_section.setdefault(key, []).append(activity)
    assert sorted(by_section) == sorted(s.heading for s in services)
    for section in services:
        text = parts(section)
        for field, subheadings in FACTS.items():
            [heading] = [h for h in text if h in subheadings]
            listed = {_untagged(line) for line in text[heading]}
            own = set().union(*(facts_of(a, field) for a in by_section[section.heading]))
            # Every fact of the service's activities is there, and nothing of another's.
            assert own <= listed, (section.heading, field, own - listed)
            others = set().union(*(facts_of(a, field) for a in document.activities)) - own
            assert not (others & listed), (section.heading, field, others & listed)
        # Each retention rule in its own service's table.
        rules = {
            rule.applies_to or activity.name
            for activity in by_section[section.heading]
            for rule in activity.retention
        }
        table = " ".join(text.get("How long we keep it", []))
        for rule in rules:
            assert rule.split(" (CS-")[0] in table, (section.heading, rule)


def test_the_issues_sensitive_data_is_named_only_where_it_is_held(
    demo_register: Register,
) -> None:
    by_function = example_document(demo_register, grouping="function")
    holders = {
        s.heading
        for s in by_function.service_sections()
        for line in s.lines()
        if line.startswith(("Sexual orientation", "Genetic data"))
    }
    assert holders == {"Children's social care"}
    by_activity = example_document(demo_register, grouping="activity")
    found = {
        (line.split(" (")[0], s.heading)
        for s in by_activity.service_sections()
        for line in s.lines()
        if line.startswith(("Sexual orientation", "Genetic data"))
    }
    assert found == {
        ("Sexual orientation", "Fostering recruitment and assessment"),
        ("Genetic data", "Adoption"),
    }


def test_the_sentences_a_reader_tripped_on_read_plainly(demo_register: Register) -> None:
    text = flat(example_document(demo_register))
    # Retention says when it starts once.
    assert "Approved foster carer records: 10 years after approval ends." in text
    assert "Adoption case records: 100 years from the date of the adoption order." in text
    assert "(counted from" not in text
    assert (
        "Contacts that lead to a referral: As for children in need and child protection "
        "records, counted from referral to children's social care." in text
    )
    # A country as a sentence names it.
    assert "To the United States." in text and "to United States" not in text
    # The reply time once, and criminal offence data explained once at the top.
    assert text.count("We will reply within one month") == 1
    assert text.count("Criminal offence data is information about criminal allegations") == 1
    assert text.count("Article 10 of the UK GDPR lets us use it") == 1
    # Erasure for every basis relied on, not only consent and legitimate interests.
    erasure = text.split("The right to erasure")[1].split("The right to restrict")[0]
    assert (
        "Consent (Early help): we delete it when you ask, or when you withdraw your consent."
        in erasure
    )
    assert (
        "Legal obligation (Children's social care and Education): the right does not apply "
        "while the law requires us to keep it." in erasure
    )
    assert (
        "Public task: the right does not apply while we need it for our public tasks, but "
        "you can object (below)." in erasure
    )
    # The organisation's own complaints words already say "first": not said twice.
    complain = text.split("How to complain")[-1].split("What has changed")[0]
    assert complain.count("first") == 1
    assert "Please raise any concern about how we use your information with the Data " in complain


def test_no_internal_reference_or_marker_reaches_the_published_text(
    demo_register: Register,
) -> None:
    references = {a.reference for a in demo_register.activities.load()}
    for audience in ("adults", "children", "staff"):
        for layer in ("full", "short", "just-in-time"):
            document = example_document(demo_register, audience, layer).without_todos()
            text = flat(document)
            found = [r for r in references if re.search(rf"\b{re.escape(r)}\b", text)]
            assert found == [], (audience, layer)
            assert "[To complete" not in text, (audience, layer)


def test_the_layers_are_short_enough(demo_register: Register) -> None:
    for audience in ("adults", "children", "staff"):
        words = len(render_text(example_document(demo_register, audience, "short")).split())
        assert words <= FIRST_LAYER_MOST_WORDS, (audience, words)
    for audience in ("adults", "children", "staff"):
        full = len(render_text(example_document(demo_register, audience)).split())
        assert full <= OLD_FULL_NOTICE_WORDS, (audience, full)


def test_a_childrens_notice_has_a_section_per_activity_only_when_it_covers_a_few(
    demo_register: Register,
) -> None:
    ids = [a.id or 0 for a in demo_register.activities.load()]
    few = NoticeRecord(title="Few", audience="children", activity_ids=ids[:3])
    many = NoticeRecord(title="Many", audience="children", activity_ids=ids)
    names = {a.id: a.name for a in demo_register.activities.load()}
    headings = [s.heading for s in demo_register.notices.document(few).service_sections()]
    # The third (fostering recruitment) is about foster carers, no children: a children's
    # notice leaves it out unless the DPO chooses its people.
    assert headings == [names[i] for i in ids[:2]]
    assert len(demo_register.notices.document(many).service_sections()) == 4
    adults = NoticeRecord(title="Few", activity_ids=ids[:3])
    assert adults.sections_by(3) == "function" and few.sections_by(3) == "activity"


def test_form_text_reads_as_a_sentence(demo_register: Register) -> None:
    document = example_document(demo_register, layer="just-in-time")
    text = flat(document)
    assert "keep it for until" not in text and "keep it until the child's 25th birthday" in text
    assert "share it with the Department for Education, NHS bodies and GPs and police" in text
    assert "the regional adoption agency, courts and Cafcass and other local authorities" in text
    assert kept_for("6 years after the case closes") == "for 6 years after the case closes"
    assert kept_for("Until the child's 25th birthday") == "until the child's 25th birthday"
    assert kept_for("As for adoption records") == "for the same time as adoption records"
    assert [
        in_sentence(name)
        for name in ("Ofsted", "Police", "Youth Justice Board", "Legal advisers", "NHS bodies")
    ] == ["Ofsted", "police", "the Youth Justice Board", "legal advisers", "NHS bodies"]


def test_the_childrens_notice_gives_each_reason_once_in_plain_words(
    demo_register: Register,
) -> None:
    document = example_document(demo_register, "children")
    bases = "\n".join(document.sections[1].lines())
    assert "Article 6(1)" not in bases  # the adult wording of each basis is not repeated
    first = document.service_sections()[0]
    lines = first.lines()
    # The purposes, then the reasons that cover them all, in plain words.
    assert "Safeguarding children and young people" in lines
    assert (
        "We are allowed to do all of these because the law says we must and it is a job the "
        "law gives us." in lines
    )
    assert not any(line.startswith("Public task") for line in lines)
    assert (
        "For extra private facts: the law says it matters to everyone and we need it to care "
        "for you." in lines
    )
    published = document.without_todos()
    assert not any("Article 9" in line for s in published.service_sections() for line in s.lines())
    # Two lists in a row each say what they are.
    assert lines[lines.index("This is about:") + 1 :].index("What we keep:") > 0


def test_the_example_notice_is_refused_for_both_gaps_the_checks_report(
    demo_register: Register,
) -> None:
    errors = [f for f in run_checks(demo_register) if f.severity == Severity.ERROR]
    [stored] = [n for n in demo_register.notices.list() if n.audience == "adults"]
    assert stored.id is not None
    with pytest.raises(PublishRefused) as refused:
        demo_register.notices.publish(stored.id)
    listed = " ".join(todo for _heading, todo in refused.value.blockers)
    covered = {a.id for a in demo_register.notices.covered_activities(stored)}
    for finding in errors:
        if finding.activity_id in covered:
            assert finding.message in listed, finding.reference
    assert len(refused.value.blockers) == len([f for f in errors if f.activity_id in covered])
    # The example notice was published over its gaps; the draft's gaps are not "changes".
    changes = demo_register.notices.document(stored.id).section("changes")
    assert changes is not None
    [line] = changes.lines()
    assert line.startswith("Nothing has changed since the version published on "), line


def test_a_finding_about_an_activity_the_notice_does_not_cover_does_not_stop_it(
    demo_register: Register,
) -> None:
    errors = {f.activity_id for f in run_checks(demo_register) if f.severity == Severity.ERROR}
    clean = [
        a.id
        for a in demo_register.activities.load()
        if a.id not in errors
        and not demo_register.notices.document(
            NoticeRecord(title="One", activity_ids=[a.id or 0])
        ).todos()
    ]
    assert clean and errors
    notice = demo_register.notices.create(title="Clean", activity_ids=clean[:1])
    assert notice.id is not None
    assert demo_register.notices.publish(notice.id).number == 1


def test_a_marker_typed_by_hand_stops_publishing_and_is_never_published(
    demo_register: Register,
) -> None:
    errors = {f.activity_id for f in run_checks(demo_register) if f.severity == Severity.ERROR}
    clean = [a.id for a in demo_register.activities.load() if a.id not in errors]
    notice = demo_register.notices.create(
        title="Typed",
        activity_ids=clean[:1],
        introduction="This notice explains our work. [To complete: the MASH partners]",
        sections=[{"heading": "The MASH", "body": "Partners: [TBC]\n\n- Police\n- [to complete]"}],
    )
    assert notice.id is not None
    with pytest.raises(PublishRefused) as refused:
        demo_register.notices.publish(notice.id)
    assert [heading for heading, _ in refused.value.blockers] == [
        "Introduction",
        "The MASH",
        "The MASH",
    ]
    version = demo_register.notices.publish(notice.id, override_reason="Partners agreed later")
    assert "[To complete" not in version.text and "[TBC]" not in version.text
    assert "[to complete" not in version.text.casefold()
    assert "This notice explains our work." in version.text and "Police" in version.text


def test_the_wording_is_composed_from_records_alone() -> None:
    """content.py builds the notice from records: it never reaches the register, the
    service or the database, not even by a function-level import."""
    tree = ast.parse((ROOT / "ropa" / "notices" / "content.py").read_text(encoding="utf-8"))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    forbidden = {
        m
        for m in imported
        if m
        and (
            m.startswith(("db", "sqlalchemy", "ropa.register", "ropa.notices.service"))
            or m in ("ropa.checks", "ropa.activities")
        )
    }
    assert forbidden == set()


def test_the_first_layer_page_has_no_contents_and_shows_where_the_full_notice_is(
    demo_register: Register,
) -> None:
    draft = adhoc_notice(demo_register)
    draft.full_notice_url = "https://www.northfield.gov.uk.example/privacy"
    short = render_notice(demo_register, draft, "html", layer="short")
    full = render_notice(demo_register, draft, "html")
    assert isinstance(short, str) and isinstance(full, str)
    assert 'id="contents-heading"' not in short and 'id="contents-heading"' in full
    # On paper a link is only its words: the address is printed too.
    address = "https://www.northfield.gov.uk.example/privacy"
    assert f'Read the full privacy notice: <a href="{address}">{address}</a>' in short


def test_the_layers_say_what_the_ico_asks_of_each(demo_register: Register) -> None:
    short = example_document(demo_register, layer="short")
    assert [s.heading for s in short.sections] == [
        "Who we are",
        "What we use your information for",
        "Who we share it with",
        "Your rights",
        "How to contact us",
    ]
    contact = "\n".join(short.sections[-1].lines())
    assert "dpo@northfield.gov.uk.example" in contact and "0303 123 1113" in contact
    # No address is set for the full notice: the website's home page is not offered in its
    # place; readers are told to ask, and the draft shows the gap.
    assert "northfield.gov.uk.example" not in contact.replace("dpo@northfield.gov.uk.example", "")
    assert "Ask our Data Protection Officer for the full privacy notice." in contact
    assert "[To complete: the web address where the full notice is published.]" in contact
    # Just in time: for each activity, two or three sentences to put on its form.
    forms = example_document(demo_register, layer="just-in-time").without_todos()
    assert [s.heading for s in forms.sections] == [a.name for a in forms.activities]
    for section in forms.sections:
        [paragraph] = section.lines()
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", paragraph)
        assert 3 <= len(sentences) <= 4, (section.heading, sentences)


def test_the_staff_notice_speaks_of_employment(demo_register: Register) -> None:
    who = "\n".join(example_document(demo_register, "staff").sections[0].lines())
    assert "the information we hold about you as someone who works for us" in who
    assert "We use it to recruit you, pay you, manage and support your work" in who


def test_the_example_childrens_notice_is_short_and_each_long_paragraph_reads_at_grade_9(
    demo_register: Register,
) -> None:
    """The example register's children's notice, measured as published: its words, and the
    Flesch-Kincaid grade of every paragraph of 25 words or more (ours and textstat's)."""
    with warnings.catch_warnings():
        # textstat 0.7.4 imports pkg_resources, which warns that it is deprecated.
        warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
        import textstat  # the test extra installs it

    [stored] = [n for n in demo_register.notices.list() if n.audience == "children"]
    document = demo_register.notices.document(stored.id or 0)
    published = render_text(document.without_todos())
    words = word_count(published)
    long = [(h, t) for h, t in document.all_text() if word_count(t) >= 25]
    grades = [(reading_grade(t), textstat.flesch_kincaid_grade(t), h, t) for h, t in long]
    print(f"\nChildren's notice: {words} words; {len(long)} paragraphs of 25 words or more")
    for ours, theirs, heading, text in grades:
        print(f"  grade {ours:4.1f} (textstat {theirs:4.1f}) {heading}: {text[:70]}")
    assert words <= 2000
    assert len(long) >= 10  # the measure has something to measure
    above = [(ours, theirs, text) for ours, theirs, _h, text in grades if max(ours, theirs) > 9]
    assert not above, above
    # Our grade agrees with textstat's to within a grade and a half on each paragraph (its
    # syllables, pyphen's hyphenation points, miss some, so ours runs up to 1.3 higher).
    assert all(abs(ours - theirs) <= 1.5 for ours, theirs, _h, _t in grades), grades
    # Only children and young people are "about" in it, not foster carers or adopters.
    text = " ".join(published.split())
    for adult_only in ("Foster carers", "Prospective adopters", "Victims of crime"):
        assert f"- {adult_only}" not in published and adult_only not in text, adult_only
    assert "Children and young people" in text
    # Rights in plain headings; objecting is asking us to stop; no adults' notice named.
    for heading in ("Fixing wrong information", "Deleting information", "Asking us to stop"):
        assert heading in text
    assert "The right to rectification" not in text and "The right to erasure" not in text
    assert "unhappy" not in text.split("Deleting information")[1].split("If you are not")[0]
    assert "notice for adults" not in text
    assert not document.hard_text  # every hard paragraph has plain words


def test_register_text_above_a_childs_grade_is_warned_of_paragraph_by_paragraph(
    demo_register: Register,
) -> None:
    draft = adhoc_notice(demo_register)
    draft.audience = "children"
    document = demo_register.notices.document(draft)
    reading = [w.message for w in document.warnings if w.kind == "reading"]
    assert any(
        "Families are not required by law to give us information" in m and "grade 13.5" in m
        for m in reading
    ), reading
    assert len(reading) == len(document.hard_text) >= 10
    # Given plain words, the paragraph is said in them and the warning goes.
    hard = next(t for t in document.hard_text if t.startswith("Families are not required"))
    draft.plain_wording = {hard: "Your family does not have to tell us things."}
    again = demo_register.notices.document(draft)
    assert hard not in again.hard_text
    assert "Your family does not have to tell us things." in flat(again)
    assert "Families are not required by law" not in flat(again)
