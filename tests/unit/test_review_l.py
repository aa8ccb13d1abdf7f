"""The reviewer's second report, findings 3, 5 (the checks and the notice) and 6.

Each test imports a real published register (tests/data/real-registers, the ICO's own
processor workbook) into a new SQLite register through the command line, then runs the
real check and writes the real notice, and reads what they say.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ropa import cli
from ropa.checks.findings import CheckContext
from ropa.checks.rules import organisation_dpo_missing
from ropa.notices.content import compose
from ropa.notices.records import NoticeRecord
from ropa.placeholders import is_placeholder
from ropa.records import ActivityRecord, LawfulBasisEntry, OrganisationRecord
from ropa.register import Register

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
    found = _check(register, capsys)
    assert _findings(found, "LI-INTERESTS") == []
    # Said as it is, as a warning (not marked in the notice): the DPO confirms it.
    (only_reason,) = _findings(found, "LI-INTERESTS-REASON")
    assert only_reason.startswith("WARNING") and "ACT-0004" in only_reason
    assert (
        "stated only as the reason given with the basis (“Protecting the platform from "
        "cyber attacks.”)" in only_reason
    )
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


def _typed_in(register: Path, **organisation: str) -> None:
    """The organisation's details as a DPO (or an older version's import) left them."""
    with Register.open(register) as opened:
        opened.organisation.update(organisation)


def test_a_placeholder_name_is_no_name_in_the_check_or_the_notice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register = _imported(CHECKTICK_ROPA, tmp_path)  # Template!B3 "{{ platform_name }} Ltd"
    # The import does not store it (tests/unit/test_import_review_k.py): no name, said so.
    (name_missing,) = _findings(_check(register, capsys), "ORG-NAME")
    assert "The record does not name the controller" in name_missing
    # Typed in by hand, or left by an earlier import: the check names it as a placeholder.
    _typed_in(register, name="{{ platform_name }} Ltd")
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
    # The ICO's processor workbook, whose Example sheet shows "Street, city, postcode",
    # "Email address", "Tel. number" (B4-B6): not stored by the import, and not taken for
    # contact details where they are in the register.
    register = _imported(ICO_PROCESSOR, tmp_path)
    _typed_in(
        register, address="Street, city, postcode", email="Email address", telephone="Tel. number"
    )
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


# --- finding 6: a yes/no answer filled in by a template's fixed formula -------------------

CISO_TEMPLATE = REAL / "ciso-processings-template.xlsx"


def _dpia_answers(register_path: Path) -> list[bool | None]:
    return list(_dpia_answers_by_name(register_path).values())


def _dpia_answers_by_name(register_path: Path) -> dict[str, bool | None]:
    with Register.open(register_path) as register:
        return {record.name: record.dpia_required for record in register.activities.load()}


def test_a_fixed_formula_in_a_yes_no_column_is_left_unanswered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Sheet1!J2 and J3 hold =FALSE() (a GRC tool's template default) under "dpia_required".
    capsys.readouterr()
    register = _imported(CISO_TEMPLATE, tmp_path)
    report = capsys.readouterr().out
    assert _dpia_answers(register) == [None, None]
    for cell in ("J2", "J3"):
        assert (
            f"Sheet1!{cell}: “=FALSE()”: a formula that always gives the same value (a "
            "template's default, not an answer); “DPIA required” left unanswered" in report
        )
    assert "read as that value" not in report


def _with_dpia_cells(tmp_path: Path, j2: str, j3: str) -> Path:
    """The CISO template with its J2 and J3 cells (the DPIA answers) rewritten as given:
    the XML of a cell's type and contents, as Excel saves them (a formula with the value
    it last showed, or a value typed)."""
    target = tmp_path / "ciso-edited.xlsx"
    with zipfile.ZipFile(CISO_TEMPLATE) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                for cell, body in (("J2", j2), ("J3", j3)):
                    old = f'<c r="{cell}" s="5" t="b"><f aca="false">FALSE()</f><v>0</v></c>'
                    assert old in text
                    text = text.replace(old, f'<c r="{cell}" s="5" {body}</c>')
                data = text.encode("utf-8")
            copy.writestr(item, data)
    return target


def test_other_fixed_formulas_are_defaults_too(tmp_path: Path) -> None:
    source = _with_dpia_cells(tmp_path, 't="b"><f>0=1</f><v>0</v>', 't="b"><f>TRUE</f><v>1</v>')
    assert _dpia_answers(_imported(source, tmp_path)) == [None, None]


def test_an_answer_typed_as_no_stays_no(tmp_path: Path) -> None:
    source = _with_dpia_cells(tmp_path, 't="inlineStr"><is><t>No</t></is>', 't="b"><v>1</v>')
    # Row 2 ("processing 2") typed "No"; row 3 ("processing 1") TRUE as a value, no formula.
    answers = _dpia_answers_by_name(_imported(source, tmp_path))
    assert answers == {"processing 2": False, "processing 1": True}


def test_a_formula_worked_out_from_other_cells_is_still_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _with_dpia_cells(tmp_path, 't="b"><f>B2="x"</f><v>0</v>', 't="b"><v>0</v>')
    register = tmp_path / "refused.ropa"
    assert cli.main(["import", str(source), "--db", str(register), "--new"]) == 1
    assert 'cell J2 holds a formula (B2="x")' in capsys.readouterr().err
    assert not register.exists() or _dpia_answers(register) == []


@pytest.mark.parametrize("audience", ["adults", "children", "staff"])
@pytest.mark.parametrize("layer", ["short", "just-in-time"])
def test_the_short_layers_speak_as_we_without_a_real_name(audience: str, layer: str) -> None:
    activity = ActivityRecord(
        id=1,
        reference="SEC-1",
        name="Security monitoring",
        individuals=["Children", "Staff"],
        purposes=["Keeping the platform safe"],
        lawful_bases=[LawfulBasisEntry("f", "Protecting the platform from cyber attacks.")],
    )
    document = compose(
        NoticeRecord(title="Your information", audience=audience),
        OrganisationRecord(name="{{ platform_name }} Ltd"),
        [activity],
        special_categories=set(),
        criminal_categories=set(),
        layer=layer,
    )
    text = "\n".join(line for section in document.sections for line in section.lines())
    assert "platform_name" not in text.replace("“{{ platform_name }} Ltd”", "")
    assert "We is " not in text and "We are We" not in text and "We uses " not in text
    assert text.startswith(("We are responsible for", "We are in charge", "We use "))
