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
from tests.ui.notice_reader import FORMATS, reader_texts

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
    with Register.open(tmp_path_factory.mktemp("charity") / "charity.ropa") as register:
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
        "sending our newsletter (consent); claiming Gift Aid (legal obligation)",
        "Research: understanding our supporters (legitimate interests).",
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
    with Register.open(tmp_path / "careless.ropa") as register:
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
