"""The reviewer's second report, findings 3, 5 (the checks and the notice) and 6.

Each test imports a real published register (tests/data/real-registers, the ICO's own
processor workbook) into a new SQLite register through the command line, then runs the
real check and writes the real notice, and reads what they say.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ropa import cli
from ropa.checks.findings import CheckContext
from ropa.checks.rules import organisation_dpo_missing
from ropa.notices.content import compose
from ropa.notices.records import NoticeRecord
from ropa.placeholders import is_placeholder
from ropa.records import ActivityRecord, LawfulBasisEntry, OrganisationRecord

DATA = Path(__file__).resolve().parents[1] / "data"
REAL = DATA / "real-registers"
CHECKTICK_ROPA = REAL / "checktick-ropa-ico.xlsx"
CHECKTICK_IAR = REAL / "checktick-iar-ico.xlsx"
ICO_PROCESSOR = DATA / "ico-ropa-template-processor.xlsx"


def _imported(source: Path, tmp_path: Path) -> Path:
    register = tmp_path / f"{source.stem}.ropa"
    assert cli.main(["import", str(source), "--db", str(register), "--new"]) == 0
    return register


def _check(register: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    cli.main(["check", "--db", str(register)])
    return capsys.readouterr().out.splitlines()


def _notice(register: Path, tmp_path: Path, *extra: str) -> str:
    target = tmp_path / "notice.md"
    assert cli.main(["notice", str(target), "--db", str(register), *extra]) == 0
    return target.read_text(encoding="utf-8")


def _findings(lines: list[str], rule: str) -> list[str]:
    return [line for line in lines if f" {rule} " in line]


# --- finding 3: interests stated as the reason for the (f) basis ---------------------------


def test_interests_given_as_the_legitimate_interests_basis_reason_are_stated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Template!L13: "Legitimate Interest: Protecting the platform from cyber attacks."
    register = _imported(CHECKTICK_ROPA, tmp_path)
    assert _findings(_check(register, capsys), "LI-INTERESTS") == []
    text = _notice(register, tmp_path)
    assert "- Legitimate interests: Protecting the platform from cyber attacks." in text
    assert "interests are not stated" not in text


def test_a_childrens_notice_tells_interests_given_only_as_the_basis_reason() -> None:
    # A children's notice does not print the bases' reasons (plain words instead), so it
    # must tell the interests itself (Article 13(1)(d)).
    activity = ActivityRecord(
        id=1,
        reference="SEC-1",
        name="Security monitoring",
        individuals=["Children"],
        purposes=["Keeping the platform safe"],
        lawful_bases=[LawfulBasisEntry("f", "Protecting the platform from cyber attacks.")],
    )
    document = compose(
        NoticeRecord(title="Your information", audience="children"),
        OrganisationRecord(name="Northfield Academy"),
        [activity],
        special_categories=set(),
        criminal_categories=set(),
    )
    text = "\n".join(line for _heading, line in document.all_text())
    assert "Why it helps: Protecting the platform from cyber attacks." in text
    assert not any("interests" in line for _heading, line in document.todos())


def test_legitimate_interests_with_no_reason_and_no_interests_are_still_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # checktick-iar: two activities name legitimate interests and nothing more.
    register = _imported(CHECKTICK_IAR, tmp_path)
    missing = _findings(_check(register, capsys), "LI-INTERESTS")
    assert [line.split()[2] for line in missing] == ["ACT-0002", "ACT-0005"]
    assert _notice(register, tmp_path).count("the interests are not stated") == 2


# --- finding 5: a template's placeholders are not the organisation's details ---------------


def test_a_placeholder_name_is_no_name_in_the_check_or_the_notice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register = _imported(CHECKTICK_ROPA, tmp_path)  # Template!B3 "{{ platform_name }} Ltd"
    (name_missing,) = _findings(_check(register, capsys), "ORG-NAME")
    assert "“{{ platform_name }} Ltd” is a template's placeholder" in name_missing
    text = _notice(register, tmp_path)
    assert text.startswith("# DRAFT: Privacy notice\n")
    published_lines = [line for line in text.splitlines() if "[To complete" not in line]
    assert not any("platform\\_name }} Ltd" in line for line in published_lines)
    who_we_are = text.split("## Who we are", 1)[1].split("\n## ", 1)[0]
    assert "The record does not name the controller" in who_we_are


def test_the_ico_examples_sample_contact_words_are_no_contact_details(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Its Example sheet: "Street, city, postcode", "Email address", "Tel. number" (B4-B6).
    register = _imported(ICO_PROCESSOR, tmp_path)
    (contact_missing,) = _findings(_check(register, capsys), "ORG-CONTACT")
    assert (
        "“Street, city, postcode”, “Email address” and “Tel. number” are a template's "
        "placeholders" in contact_missing
    )
    text = _notice(register, tmp_path)
    for sample in ("Street, city, postcode", "Email address", "Tel. number", "Example DPO"):
        assert sample not in text.replace("“" + sample + "”", "")
    assert "The record gives no contact details for the controller" in text


def test_a_public_authoritys_placeholder_dpo_is_no_dpo() -> None:
    context = CheckContext()
    named = OrganisationRecord(is_public_authority=True, dpo_name="{{ dpo_name }}")
    (message,) = organisation_dpo_missing(named, context)
    assert "none is named" in message and "“{{ dpo_name }}”" in message
    contact = OrganisationRecord(
        is_public_authority=True, dpo_name="Jo Bloggs", dpo_email="Email address"
    )
    assert list(organisation_dpo_missing(contact, context)) == [
        "No email or telephone number is recorded for Jo Bloggs."
    ]
    answered = OrganisationRecord(is_public_authority=True, dpo_name="Jo Bloggs", dpo_email="a@b")
    assert list(organisation_dpo_missing(answered, context)) == []


@pytest.mark.parametrize(
    "text",
    [
        "{{ platform_name }} Ltd",
        "{{dpo_name}}",
        "Email address",
        "Tel. number",
        "street, city,  postcode",
        "«Name»",
    ],
)
def test_placeholders(text: str) -> None:
    assert is_placeholder(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Northfield Borough Council",
        "Email Services Ltd",
        "N/A",
        "dpo@example.org",
        "01234 567890",
    ],
)
def test_answers_are_not_placeholders(text: str) -> None:
    assert not is_placeholder(text)
