"""What a notice says because of the law after the Data (Use and Access) Act 2025, read as a
reader sees it (text, Markdown and HTML): complaints to the organisation first and how
(DPA 2018 s.164A), then to the regulator in office that day, citing the provision the right
rests on (s.165 since 19 June 2026); the legitimate interests in every audience (Article
13(1)(d)); and a regulator renamed by a data change alone."""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterator

import pytest

from ropa import law
from ropa.notices import NoticeRecord, build_document, render_html, render_markdown, render_text
from ropa.paths import resource
from ropa.records import ActivityRecord, LawfulBasisEntry, RetentionEntry
from ropa.register import Register

TODAY = dt.datetime(2026, 12, 7, 10, 0)
FORM = "https://helping-hands.example/complain"
ACKNOWLEDGED = "We acknowledge every complaint by email within five working days."


def charity(register: Register, **changes: object) -> None:
    values: dict[str, object] = {
        "name": "Helping Hands Trust",
        "address": "1 High Street, Northfield, NF1 1AA",
        "email": "hello@helping-hands.example",
        "dpo_name": "Data Protection Lead",
        "dpo_email": "privacy@helping-hands.example",
        "is_public_authority": False,
        "complaints_contact": "Email privacy@helping-hands.example or write to our office.",
        "complaints_form_url": FORM,
        "complaints_acknowledgement": ACKNOWLEDGED,
    }
    values.update(changes)
    register.organisation.update(values)


def supporters(**changes: object) -> ActivityRecord:
    values: dict[str, object] = {
        "reference": "HH-1",
        "name": "Supporter newsletter and fundraising",
        "business_function": "Fundraising",
        "purposes": ["Keeping supporters informed of our work"],
        "individuals": ["Supporters", "Young volunteers"],
        "data_categories": ["Name and contact details"],
        "sources": ["Supporters themselves"],
        "recipients": ["Mailing house"],
        "security_measures": ["Role-based access control"],
        "lawful_bases": [LawfulBasisEntry("f", "Telling supporters about our work")],
        "legitimate_interests": "Keeping our supporters up to date with the work they fund",
        "lia_link": "https://helping-hands.example/lia",
        "retention": [RetentionEntry("2 years", "last donation")],
        "next_review": dt.date(2027, 6, 1),
    }
    values.update(changes)
    return ActivityRecord(**values)  # type: ignore[arg-type]


def notice_of(register: Register, audience: str, *records: ActivityRecord) -> NoticeRecord:
    ids = []
    for record in records:
        created = register.activities.create(record)
        assert created.id is not None
        ids.append(created.id)
    return NoticeRecord(title="Our privacy notice", audience=audience, activity_ids=ids)


def readings(register: Register, notice: NoticeRecord, layer: str = "full") -> Iterator[str]:
    """The notice as text, Markdown and HTML (tags dropped, entities read)."""
    document = build_document(register, notice, layer=layer, now=TODAY)
    yield render_text(document)
    yield render_markdown(document)
    markup = render_html(document)
    yield html.unescape(" ".join(part.split(">", 1)[-1] for part in markup.split("<")))


def flat(text: str) -> str:
    return " ".join(text.replace("\\", "").split())


@pytest.mark.parametrize("audience", ["adults", "children", "staff"])
def test_the_full_notice_sends_complaints_to_us_first_then_to_the_regulator(
    register: Register, audience: str
) -> None:
    charity(register)
    notice = notice_of(register, audience, supporters())
    for reading in readings(register, notice):
        text = flat(reading)
        first = text.index("tell us first")
        assert FORM in text
        assert ACKNOWLEDGED in text
        regulator = text.index("Information Commissioner's Office", first)
        assert first < text.index(FORM) < regulator
        assert "Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF" in text
        assert "0303 123 1113" in text
        if audience != "children":
            assert "set out in section 165 of the Data Protection Act 2018." in text
        assert "Article 77" not in text


@pytest.mark.parametrize("audience", ["adults", "children", "staff"])
def test_the_first_layer_says_complain_to_us_first_and_how(
    register: Register, audience: str
) -> None:
    charity(register)
    notice = notice_of(register, audience, supporters())
    for reading in readings(register, notice, layer="short"):
        text = flat(reading)
        first = text.index("tell us first")
        assert first < text.index(FORM) < text.index("0303 123 1113")


def test_without_a_complaints_route_the_draft_says_what_to_complete(register: Register) -> None:
    charity(register, complaints_contact="", complaints_form_url="", complaints_acknowledgement="")
    notice = notice_of(register, "adults", supporters())
    for layer in ("full", "short"):
        text = flat(next(readings(register, notice, layer=layer)))
        assert "[To complete: No route for complaints to the organisation is recorded" in text


@pytest.mark.parametrize("audience", ["adults", "children", "staff"])
def test_the_legitimate_interests_are_printed_for_every_audience(
    register: Register, audience: str
) -> None:
    charity(register)
    notice = notice_of(register, audience, supporters())
    for reading in readings(register, notice):
        assert "Keeping our supporters up to date with the work they fund." in flat(reading)


def test_legitimate_interests_left_blank_are_marked_in_the_draft(register: Register) -> None:
    charity(register)
    # No interests, and no reason with the basis (which would state them).
    blank = supporters(legitimate_interests="", lawful_bases=[LawfulBasisEntry("f")])
    notice = notice_of(register, "adults", blank)
    text = flat(next(readings(register, notice)))
    assert "[To complete: Legitimate interests are relied on, but the interests are not" in text


@pytest.fixture
def information_commission_from(monkeypatch: pytest.MonkeyPatch) -> Iterator[dt.date]:
    """DUAA ss.118-119 commenced on a day: only resources/law/regulator.json changes."""
    day = dt.date(2026, 12, 1)
    stored = json.loads(resource("law", "regulator.json").read_text(encoding="utf-8"))
    stored["entries"][1]["effective_from"] = day.isoformat()
    real_load = law._load
    monkeypatch.setattr(
        law, "_load", lambda name: stored if name == "regulator.json" else real_load(name)
    )
    law.forget_cached_law()
    yield day
    law.forget_cached_law()


def test_the_information_commission_replaces_the_ico_in_every_layer_on_its_day(
    register: Register, information_commission_from: dt.date
) -> None:
    charity(register)
    notice = notice_of(register, "adults", supporters())
    for layer in ("full", "short"):
        for reading in readings(register, notice, layer=layer):
            text = flat(reading)
            assert "Information Commission" in text
            assert "Information Commissioner" not in text
            assert "ICO" not in text


@pytest.mark.parametrize("answer", ["", "yes"])
def test_a_transfer_claims_the_data_protection_test_only_once_recorded_as_met(
    register: Register, answer: str
) -> None:
    from ropa.records import TransferEntry

    charity(register)
    transfer = TransferEntry("United States", "idta", "", answer, "2026-03-02", "https://x/tra")
    notice = notice_of(register, "adults", supporters(transfers=[transfer]))
    for reading in readings(register, notice):
        text = flat(reading)
        assert "We have signed the International Data Transfer Agreement issued by the " in text
        assert ("meets the UK's data protection test" in text) is (answer == "yes")
        marked = "[To complete: The transfer to United States relies on" in text
        assert marked is (answer != "yes")
