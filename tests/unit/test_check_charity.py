"""A charity's register (not a public authority) checked by the real `ropa check` as a DPO
would run it: every problem the law after the Data (Use and Access) Act 2025 sees is
reported with the provision it rests on, and what is right is not reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ropa.records import (
    ActivityRecord,
    ConditionEntry,
    LawfulBasisEntry,
    LibraryItemRecord,
    LibraryKind,
    RetentionEntry,
    TransferEntry,
)
from ropa.register import Register
from tests.helpers.cli import run_ropa

NEXT_YEAR = dt.date.today() + dt.timedelta(days=300)


def activity(reference: str, name: str, **changes: object) -> ActivityRecord:
    """A charity activity with everything Article 30 asks; each test case changes its part."""
    values: dict[str, object] = {
        "reference": reference,
        "name": name,
        "business_function": "Services",
        "purposes": ["Supporting families"],
        "individuals": ["Service users"],
        "data_categories": ["Name and contact details"],
        "sources": ["Service users themselves"],
        "recipients": ["Partner charity"],
        "security_measures": ["Role-based access control"],
        "retention": [RetentionEntry("6 years", "end of support")],
        "next_review": NEXT_YEAR,
        # The yes/no questions answered: an unanswered one is a finding of its own.
        "automated_decisions": False,
        "involves_children": False,
        "large_scale": False,
    }
    values.update(changes)
    return ActivityRecord(**values)  # type: ignore[arg-type]


def charity_register(path: Path) -> Register:
    register = Register.open(path)
    register.organisation.update(
        {
            "name": "Helping Hands Trust",
            "address": "1 High Street, Northfield, NF1 1AA",
            "email": "hello@helping-hands.example",
            "is_public_authority": False,
            "complaints_contact": "Email privacy@helping-hands.example.",
            "complaints_form_url": "https://helping-hands.example/complain",
            "complaints_acknowledgement": "By email within five working days.",
        }
    )
    register.library.create(
        LibraryItemRecord(LibraryKind.DATA_CATEGORY, "Genetic test results", special_category=True)
    )
    register.library.create(
        LibraryItemRecord(
            LibraryKind.RECIPIENT,
            "Partner charity",
            contract_link="https://helping-hands.example/dsa-partner",
        )
    )
    create = register.activities.create
    create(
        activity(
            "HH-A",
            "Newsletter",
            lawful_bases=[LawfulBasisEntry("a", "Supporters opt in on the sign-up form")],
            consent_record_link="https://helping-hands.example/consents",
            consent_reviewed_on=dt.date.today() - dt.timedelta(days=30),
        )
    )
    create(activity("HH-C", "Gift Aid", lawful_bases=[LawfulBasisEntry("c", "HMRC claims")]))
    create(
        activity(
            "HH-F1",
            "Fundraising with interests",
            lawful_bases=[LawfulBasisEntry("f", "Telling supporters of appeals")],
            legitimate_interests="Raising funds for our work from people who support it",
            lia_link="https://helping-hands.example/lia-fundraising",
        )
    )
    create(
        activity(
            "HH-F2",
            "Fundraising without interests",
            # No reason with the basis either: a reason would state the interests.
            lawful_bases=[LawfulBasisEntry("f")],
            lia_link="https://helping-hands.example/lia",
        )
    )
    create(
        activity(
            "HH-EA1",
            "Safeguarding referrals",
            lawful_bases=[LawfulBasisEntry("ea", "Referring adults at risk", [], "6")],
        )
    )
    create(
        activity(
            "HH-EA2",
            "Fraud screening",
            lawful_bases=[LawfulBasisEntry("ea", "Stopping fraudulent claims")],
        )
    )
    create(
        activity(
            "HH-ADM",
            "Automatic grant decisions",
            lawful_bases=[LawfulBasisEntry("ea", "Detecting fraudulent applications", [], "5")],
            automated_decisions=True,
            automated_decision_details="Applications scoring over 80 are refused without review.",
            dpia_required=True,
            dpia_link="https://helping-hands.example/dpia-grants",
        )
    )
    create(
        activity(
            "HH-US",
            "Cloud case system",
            lawful_bases=[LawfulBasisEntry("b", "Providing the support agreed with the family")],
            transfers=[TransferEntry("United States", "idta", "IDTA signed with the supplier")],
        )
    )
    create(
        activity(
            "HH-GEN",
            "Genetic counselling support",
            data_categories=["Name and contact details", "Genetic test results"],
            lawful_bases=[LawfulBasisEntry("b", "Counselling agreed with the family")],
            article9=[ConditionEntry("h", "Counselling by a health professional")],
            schedule1=[ConditionEntry("2")],
        )
    )
    return register


@pytest.fixture
def checked(tmp_path: Path) -> dict[str, list[str]]:
    """`ropa check` run on the charity's register file: its lines by activity reference."""
    path = tmp_path / "charity.ropa"
    charity_register(path).close()
    result = run_ropa("check", "--db", str(path))
    assert result.returncode == 1, result.stdout + result.stderr  # errors were found
    lines: dict[str, list[str]] = {}
    for line in result.stdout.splitlines()[:-1]:
        reference = line.split()[2]
        lines.setdefault(reference, []).append(line)
        assert line.endswith("]"), line  # every line closes with its provision
    return lines


def found(lines: dict[str, list[str]], reference: str, rule: str) -> str:
    matching = [line for line in lines.get(reference, []) if line.split()[1] == rule]
    assert len(matching) == 1, (reference, rule, lines.get(reference))
    return matching[0]


def test_each_problem_is_reported_with_its_provision(checked: dict[str, list[str]]) -> None:
    line = found(checked, "HH-F2", "LI-INTERESTS")
    assert line.startswith("ERROR") and "[Article 13(1)(d) and 14(2)(b)]" in line
    line = found(checked, "HH-EA2", "RLI-ANNEX1")
    assert line.startswith("ERROR") and "[Article 6(1)(ea) and 6(5); UK GDPR Annex 1]" in line
    line = found(checked, "HH-ADM", "ADM-RLI")
    assert line.startswith("ERROR") and "[Article 22B(4)]" in line
    line = found(checked, "HH-US", "TRANSFER-DPT")
    assert line.startswith("ERROR") and "[Article 46(1A)(a)(ii)]" in line
    line = found(checked, "HH-GEN", "DPIA-NEEDED")
    assert "genetic data (on the ICO's list under Article 35(4)" in line
    assert "[Article 35(1), (3) and (4); the ICO's list of high-risk processing]" in line
    line = found(checked, "HH-C", "BASIS-LAW")
    assert "must rest on UK law (Article 6(3))" in line and line.endswith("[Article 6(3)]")


def test_what_is_right_is_not_reported(checked: dict[str, list[str]]) -> None:
    # Consent recorded and reviewed; (f) with its interests and assessment; (ea) with an
    # Annex 1 condition; a charity may use (ea) and (f) (Article 6(1), closing words).
    assert "HH-A" not in checked
    assert "HH-F1" not in checked
    assert "HH-EA1" not in checked
    assert "ORGANISATION" not in checked  # the complaints route is recorded (s.164A)
    assert not any("BASIS-PUBLIC-AUTHORITY" in line for lines in checked.values() for line in lines)
