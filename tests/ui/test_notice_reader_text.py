"""What a reader of each file reads (Markdown, HTML, Word and PDF), for each audience and
layer, from a charity's register built through the register's services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ropa.notices import LAYERS, NoticeDocument, NoticeRecord, build_document
from ropa.records import ActivityRecord, LawfulBasisEntry, RetentionEntry
from ropa.register import Register
from tests.helpers.notice_reader import FORMATS, reader_texts
from ui.app import APP_STORAGE

pytestmark = pytest.mark.gui

CHARITY = {
    "name": "Riverbank Hospice Trust",
    "address": "1 Mill Lane, Riverbank, RB1 1AA",
    "email": "hello@riverbank-hospice.org.uk",
    "website": "https://www.riverbank-hospice.org.uk",
    "dpo_name": "Ada Mensah",
    "dpo_email": "dpo@riverbank-hospice.org.uk",
    "is_public_authority": False,
    "complaints_contact": "Email dpo@riverbank-hospice.org.uk to complain to us first.",
}


def charity_activities() -> list[ActivityRecord]:
    common: dict[str, object] = {
        # Children among them: a children's notice covers what is about them.
        "individuals": ["Supporters", "Children who fundraise"],
        "data_categories": ["Name and contact details"],
        "sources": ["The person themselves"],
        "security_measures": ["Role-based access control"],
        "statutory_requirement": "You do not have to give it to us.",
        "automated_decisions": False,
        "retention": [RetentionEntry("6 years after your last gift")],
    }
    return [
        ActivityRecord(
            reference="FR-1",
            name="Supporter newsletter",
            business_function="Fundraising",
            purposes=["Sending our newsletter"],
            lawful_bases=[LawfulBasisEntry("a", "Supporters tick a box to sign up")],
            recipients=["Mailing house"],
            **common,  # type: ignore[arg-type]
        ),
        ActivityRecord(
            reference="FR-2",
            name="Gift Aid claims",
            business_function="Fundraising",
            purposes=["Claiming Gift Aid"],
            lawful_bases=[
                LawfulBasisEntry("c", "HMRC requires Gift Aid records", ["Income Tax Act 2007"])
            ],
            recipients=["HM Revenue and Customs"],
            **common,  # type: ignore[arg-type]
        ),
        ActivityRecord(
            reference="RS-1",
            name="Supporter research",
            business_function="Research",
            purposes=["Understanding our supporters"],
            lawful_bases=[LawfulBasisEntry("f", "We study who gives, to plan appeals")],
            legitimate_interests="Planning appeals that supporters want to hear about",
            recipients=["Research agency"],
            **common,  # type: ignore[arg-type]
        ),
    ]


@pytest.fixture(scope="module")
def charity(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    with Register.open(
        tmp_path_factory.mktemp("charity") / "charity.ropa", options=APP_STORAGE
    ) as register:
        register.organisation.update(CHARITY)
        for activity in charity_activities():
            register.activities.create(activity)
        yield register


def charity_notice(register: Register, audience: str, layer: str) -> NoticeDocument:
    ids = [s.id for s in register.activity_list.summaries()]
    draft = NoticeRecord(title="Supporter privacy notice", audience=audience, activity_ids=ids)
    return build_document(register, draft, layer=layer)


# What each audience reads beside each purpose: its lawful basis (Art 13(1)(c)).
BASIS_BESIDE_PURPOSE = {
    ("adults", "full"): [
        "Sending our newsletter Consent",
        "Claiming Gift Aid Legal obligation",
        # One purpose: its basis follows it.
        "Understanding our supporters Our lawful basis for this: legitimate interests.",
    ],
    ("adults", "short"): [
        "sending our newsletter (lawful basis: consent); claiming Gift Aid (lawful basis: "
        "legal obligation)",
        "Research: understanding our supporters (lawful basis: legitimate interests).",
    ],
    ("adults", "just-in-time"): [
        "for sending our newsletter. Our lawful basis for this is consent.",
        "for claiming Gift Aid. Our lawful basis for this is legal obligation.",
        "for understanding our supporters. Our lawful basis for this is legitimate interests.",
    ],
    ("children", "full"): [
        # A children's notice of a few activities has a section for each: one purpose each.
        "Sending our newsletter We are allowed to do this because you said yes.",
        "Claiming Gift Aid We are allowed to do this because the law says we must.",
        "Understanding our supporters We are allowed to do this because it helps our work and "
        "is fair to you.",
    ],
    ("children", "short"): [
        "sending our newsletter (because you said yes); claiming Gift Aid (because the law "
        "says we must)",
        "Research: understanding our supporters (because it helps our work and is fair to you).",
    ],
    ("children", "just-in-time"): [
        "for sending our newsletter. We are allowed to because you, or your parent or carer, "
        "said yes.",
        "for claiming Gift Aid. We are allowed to because the law says we must do it.",
    ],
}
BASIS_BESIDE_PURPOSE.update(
    {("staff", layer): BASIS_BESIDE_PURPOSE[("adults", layer)] for layer in ("full", "short")}
)
BASIS_BESIDE_PURPOSE[("staff", "just-in-time")] = [
    "for sending our newsletter, as your employer. Our lawful basis for this is consent.",
    "for claiming Gift Aid, as your employer. Our lawful basis for this is legal obligation.",
]


@pytest.mark.parametrize("audience", ["adults", "children", "staff"])
@pytest.mark.parametrize("layer", list(LAYERS))
def test_each_purpose_is_read_beside_its_lawful_basis_in_every_format(
    qapp: object, charity: Register, tmp_path: Path, audience: str, layer: str
) -> None:
    texts = reader_texts(charity_notice(charity, audience, layer), tmp_path)
    for fmt in FORMATS:
        for expected in BASIS_BESIDE_PURPOSE[(audience, layer)]:
            assert expected in texts[fmt], (fmt, expected, texts[fmt])


# --- internal text and drafts ----------------------------------------------------------------

NOTE_TO_SELF = "Until pupil leaves + 3 years? check IRMS"
INTRANET = "https://sharepoint/contracts/mailing-house.docx"
FILE_SHARE = r"\\fileserver\hr\retention.xlsx"


@pytest.fixture
def careless(tmp_path: Path) -> Iterator[Register]:
    """A register whose text carries notes meant for colleagues."""
    with Register.open(tmp_path / "careless.ropa", options=APP_STORAGE) as register:
        register.organisation.update(CHARITY)
        newsletter, gift_aid, _research = charity_activities()
        newsletter.retention = [RetentionEntry(NOTE_TO_SELF)]
        newsletter.recipients = [f"Mailing house (contract: {INTRANET})"]
        gift_aid.purposes = [f"Claiming Gift Aid (see {FILE_SHARE})", "Reclaiming tax TBC"]
        register.activities.create(newsletter)
        register.activities.create(gift_aid)
        yield register


# Where each piece of internal text shows, by layer ("full" shows all three).
INTERNAL_IN_LAYER = {
    "full": [NOTE_TO_SELF, INTRANET, FILE_SHARE, "TBC"],
    "short": [FILE_SHARE],
    "just-in-time": [NOTE_TO_SELF, FILE_SHARE, "TBC"],
}


@pytest.mark.parametrize("audience", ["adults", "children", "staff"])
@pytest.mark.parametrize("layer", list(LAYERS))
def test_notes_for_colleagues_are_marked_in_every_format_and_the_export_says_draft(
    qapp: object, careless: Register, tmp_path: Path, audience: str, layer: str
) -> None:
    document = charity_notice(careless, audience, layer)
    texts = reader_texts(document, tmp_path)
    for fmt in FORMATS:
        text = texts[fmt]
        assert "DRAFT: Supporter privacy notice" in text, fmt
        assert "Draft, not published: do not give this text to the public" in text, fmt
        for internal in INTERNAL_IN_LAYER[layer]:
            assert internal.casefold() in text.casefold(), (fmt, internal)
        marks = text.count("[To complete: rewrite “")
        assert marks >= len(INTERNAL_IN_LAYER[layer]) - (1 if layer == "just-in-time" else 0), (
            fmt,
            text,
        )
    if layer == "full":
        assert "it has a question mark and the note “check”" in texts["md"]
        assert "the note “TBC”" in texts["md"]
        assert "a link to “sharepoint”, which only our own network can open" in texts["md"]
        assert "a file share or file path, which the public cannot open" in texts["md"]


def test_publishing_is_refused_while_register_text_reads_as_a_note(careless: Register) -> None:
    from ropa.notices import PublishRefused

    ids = [s.id for s in careless.activity_list.summaries()]
    notice = careless.notices.create(title="Supporters", activity_ids=ids)
    assert notice.id is not None
    with pytest.raises(PublishRefused) as refused:
        careless.notices.publish(notice.id)
    listed = " ".join(todo for _heading, todo in refused.value.blockers)
    for internal in (NOTE_TO_SELF, INTRANET, FILE_SHARE, "Reclaiming tax TBC"):
        assert internal in listed, internal


def test_a_published_notice_exports_without_the_draft_marking_until_it_changes(
    qapp: object, charity: Register, tmp_path: Path
) -> None:
    ids = [s.id for s in charity.activity_list.summaries()]
    # Only activities the checks find nothing to complete in, so it publishes cleanly.
    clean = [
        i
        for i in ids
        if not charity.notices.document(NoticeRecord(title="One", activity_ids=[i])).todos()
    ]
    assert clean
    notice = charity.notices.create(title="Supporter notice", activity_ids=clean)
    assert notice.id is not None
    before = reader_texts(charity.notices.document(notice.id), tmp_path)
    assert all("DRAFT: Supporter notice" in text for text in before.values())
    charity.notices.publish(notice.id)
    for layer in LAYERS:
        after = reader_texts(charity.notices.document(notice.id, layer=layer), tmp_path)
        for fmt, text in after.items():
            assert "DRAFT" not in text and "Draft, not published" not in text, (layer, fmt)
    # Changed after publishing: a draft again.
    charity.notices.update(notice.id, {"introduction": "Our new introduction."})
    changed = reader_texts(charity.notices.document(notice.id), tmp_path)
    assert all("DRAFT: Supporter notice" in text for text in changed.values())


def test_the_publish_gate_lists_each_note_for_colleagues(qtbot: Any, careless: Register) -> None:
    from ui.publish_gate import PublishGateDialog

    ids = [s.id for s in careless.activity_list.summaries()]
    notice = careless.notices.create(title="Supporters", activity_ids=ids)
    assert notice.id is not None
    dialog = PublishGateDialog("Supporters", careless.notices.blockers(notice.id))
    qtbot.addWidget(dialog)
    shown = [dialog.gap_list.item(row).text() for row in range(dialog.gap_list.count())]
    assert any(NOTE_TO_SELF in line and "question mark" in line for line in shown), shown
    assert any(INTRANET in line for line in shown) and any(FILE_SHARE in line for line in shown)
    assert not dialog.publish_button.isEnabled()


# --- what else real notices say, from the register ---------------------------------------------

SAR_URL = "https://www.riverbank-hospice.org.uk/your-information/request"
SCHEDULE_URL = "https://www.riverbank-hospice.org.uk/retention-schedule"
CHOICES = (
    "- Stop our newsletter: use the unsubscribe link in any issue.\n"
    "- The NHS national data opt-out: https://www.nhs.uk/your-nhs-data-matters"
)


@pytest.fixture
def informed(tmp_path: Path) -> Iterator[Register]:
    """The charity's register with a reason for each recipient and, for Gift Aid only, a
    recorded answer that no decision is made by computer alone (the others unanswered)."""
    with Register.open(tmp_path / "informed.ropa", options=APP_STORAGE) as register:
        register.organisation.update(CHARITY)
        newsletter, gift_aid, research = charity_activities()
        gift_aid.recipient_reasons = {"HM Revenue and Customs": "To claim Gift Aid on your gifts"}
        gift_aid.automated_decision_details = "No: a person checks every claim."
        newsletter.automated_decisions = research.automated_decisions = None
        newsletter.recipient_reasons = {"mailing  house": "To post the newsletter to you"}
        for activity in (newsletter, gift_aid, research):
            register.activities.create(activity)
        yield register


def informed_notice(register: Register, audience: str, layer: str, **values: Any) -> NoticeDocument:
    ids = [s.id for s in register.activity_list.summaries()]
    fields: dict[str, Any] = {
        "title": "Supporter privacy notice",
        "audience": audience,
        "activity_ids": ids,
        "grouping": "activity",
        "choices": CHOICES,
        "sar_url": SAR_URL,
        "retention_schedule_url": SCHEDULE_URL,
    }
    draft = NoticeRecord(**{**fields, **values})
    return build_document(register, draft, layer=layer)


NO_COMPUTER = {
    "adults": "We make no decision about you by computer alone: a person is involved in every",
    "children": "A computer never makes a decision about you on its own. A person always helps.",
}
NO_COMPUTER["staff"] = NO_COMPUTER["adults"]


@pytest.mark.parametrize("audience", ["adults", "children", "staff"])
def test_the_full_notice_says_why_each_recipient_gets_it_the_choices_and_the_links(
    qapp: object, informed: Register, tmp_path: Path, audience: str
) -> None:
    document = informed_notice(informed, audience, "full")
    texts = reader_texts(document, tmp_path)
    for fmt, text in texts.items():
        assert "HM Revenue and Customs: to claim Gift Aid on your gifts" in text, fmt
        assert "Mailing house: to post the newsletter to you" in text, fmt
        assert "Stop our newsletter: use the unsubscribe link in any issue." in text, fmt
        assert "https://www.nhs.uk/your-nhs-data-matters" in text, fmt
        assert SAR_URL in text and SCHEDULE_URL in text, fmt
        # Said once: only Gift Aid records that a person makes every decision.
        assert text.count(NO_COMPUTER[audience]) == 1, fmt
    # The sentence sits in the Gift Aid section, and not in the others, whose register
    # leaves the question unanswered: neither told nor denied, a gap for the DPO.
    sections = {s.heading: " ".join(s.lines()) for s in document.service_sections()}
    assert NO_COMPUTER[audience] in sections["Gift Aid claims"]
    assert NO_COMPUTER[audience] not in sections["Supporter research"]
    unknown = [w.message for w in document.warnings if "made by computer" in w.message]
    assert any("Supporter research" in m for m in unknown), unknown
    # A recipient without a reason is named alone.
    assert "Research agency" in texts["md"] and "Research agency:" not in texts["md"]


@pytest.mark.parametrize("audience", ["adults", "children", "staff"])
def test_the_first_layer_links_to_the_subject_access_request(
    qapp: object, informed: Register, tmp_path: Path, audience: str
) -> None:
    texts = reader_texts(informed_notice(informed, audience, "short"), tmp_path)
    for fmt, text in texts.items():
        assert SAR_URL in text, fmt


def test_a_link_to_the_intranet_for_requests_is_internal_text(informed: Register) -> None:
    document = informed_notice(informed, "adults", "full", sar_url="https://intranet/forms/sar")
    assert any("“intranet”" in todo for _heading, todo in document.todos())


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    from ropa.demo import write_demo

    with write_demo(tmp_path_factory.mktemp("example") / "example.ropa") as register:
        yield register


def test_the_example_childrens_notice_reads_as_written_for_children_in_every_format(
    qapp: object, example: Register, tmp_path: Path
) -> None:
    [stored] = [n for n in example.notices.list() if n.audience == "children"]
    texts = reader_texts(example.notices.document(stored.id or 0), tmp_path)
    for fmt, text in texts.items():
        for heading in ("Seeing your information", "Fixing wrong information"):
            assert heading in text, (fmt, heading)
        assert "Deleting information" in text and "Asking us to stop" in text, fmt
        assert "You can ask us to stop (see “Asking us to stop”)" in text, fmt
        assert "The right to rectification" not in text and "unhappy" not in text, fmt
        assert "notice for adults" not in text, fmt
        # The DPO's plain words, not the register's, and only the children it is for.
        assert "Your family does not have to tell us things." in text, fmt
        assert "Families are not required by law" not in text, fmt
        assert "Foster carers" not in text and "Victims of crime" not in text, fmt
