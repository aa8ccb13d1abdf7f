"""What a reader of each file reads (Markdown, HTML, Word and PDF), for each audience and
layer, from a charity's register built through the register's services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
        "individuals": ["Supporters"],
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
        "Understanding our supporters Legitimate interests",
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
        "Sending our newsletter You, or your parent or carer, said yes",
        "Claiming Gift Aid The law says we must do it",
        "Understanding our supporters It helps us do our work, and we have checked it is fair",
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
