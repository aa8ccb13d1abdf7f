"""The law tables in resources/law, checked against the UK law reference
(/work/shared/reference/uk-law-reference.md), written out here by hand from that text and
not from the JSON, so that a wrong fact in either one shows up as a disagreement."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ropa import law
from ropa.paths import resource

# "Which rights apply under which Article 6 basis (ICO)": erasure, portability, object.
RIGHTS_BY_BASIS = {
    "a": ("yes", "yes", "no"),
    "b": ("yes", "yes", "no"),
    "c": ("no", "no", "no"),
    "d": ("yes", "no", "no"),
    "e": ("no", "no", "yes"),
    # The reference says "check"; the statute settles it: Article 21(1) now names (ea)
    # (as amended by DUAA 2025), so objection applies, and erasure follows it (Article 17(1)(c)),
    # with no Article 17(3)(b) exemption for (ea).
    "ea": ("yes", "no", "yes"),
    "f": ("yes", "no", "yes"),
}

# DPA s.10: (b), (h), (i), (j) need Part 1; (g) needs Part 2; (a), (c)-(f) need none.
ARTICLE9_PART = {
    "a": None, "b": 1, "c": None, "d": None, "e": None,
    "f": None, "g": 2, "h": 1, "i": 1, "j": 1,
}  # fmt: skip

# Schedule 1 paragraph -> (part, APD required).
PART1 = {1: True, 2: False, 3: False, 4: False}
PART2 = {paragraph: paragraph != 13 for paragraph in range(6, 29)}
PART3 = {paragraph: paragraph in (35, 36, 37) for paragraph in range(29, 38)}
SCHEDULE1 = {
    **{p: (1, apd) for p, apd in PART1.items()},
    **{p: (2, apd) for p, apd in PART2.items()},
    **{p: (3, apd) for p, apd in PART3.items()},
}


def test_the_seven_lawful_bases_in_the_articles_order() -> None:
    assert list(law.lawful_bases()) == ["a", "b", "c", "d", "e", "ea", "f"]


@pytest.mark.parametrize("code", list(RIGHTS_BY_BASIS))
def test_rights_under_each_basis(code: str) -> None:
    rights = law.lawful_bases()[code].rights
    erasure, portability, objection = RIGHTS_BY_BASIS[code]
    assert (rights["erasure"], rights["portability"], rights["object"]) == (
        erasure,
        portability,
        objection,
    )
    # Withdrawal of consent is told only for 6(1)(a).
    assert rights["withdraw_consent"] is (code == "a")


def test_only_ea_and_f_are_barred_for_public_tasks() -> None:
    barred = {c for c, b in law.lawful_bases().items() if b.barred_for_public_authority_tasks}
    assert barred == {"ea", "f"}


@pytest.mark.parametrize("code", list(ARTICLE9_PART))
def test_article9_condition_and_the_schedule1_part_it_needs(code: str) -> None:
    condition = law.article9_conditions()[code]
    assert condition.article == f"Article 9(2)({code})"
    assert condition.schedule1_part_required == ARTICLE9_PART[code]
    assert law.schedule1_part_required(code) == ARTICLE9_PART[code]


def test_exactly_the_ten_article9_conditions() -> None:
    assert sorted(law.article9_conditions()) == sorted(ARTICLE9_PART)


@pytest.mark.parametrize("paragraph", sorted(SCHEDULE1))
def test_schedule1_paragraph_part_and_policy_document(paragraph: int) -> None:
    condition = law.schedule1_conditions()[str(paragraph)]
    part, apd = SCHEDULE1[paragraph]
    assert (condition.part, condition.requires_apd) == (part, apd)
    assert law.requires_apd(str(paragraph)) is apd


def test_exactly_the_schedule1_paragraphs_of_parts_1_to_3() -> None:
    # Paragraph 5 is the APD requirement itself, not a condition.
    assert sorted(int(p) for p in law.schedule1_conditions()) == sorted(SCHEDULE1)


def test_article10_bases_and_whether_they_need_schedule1() -> None:
    bases = law.article10_bases()
    assert {code: basis.needs_schedule1 for code, basis in bases.items()} == {
        "official_authority": False,
        "authorised_by_law": True,
    }


def test_codes_are_read_the_same_way_however_they_are_typed() -> None:
    assert law.schedule1_part_required(" G ") == 2
    assert law.schedule1_part_required("z") is None
    assert law.requires_apd(" 18 ") is True
    assert law.requires_apd("99") is False
    assert [c.paragraph for c in law.apd_conditions(["18", " 2", "35", "unknown"])] == [18, 35]


# --- the law as dated data -------------------------------------------------------------


def test_the_right_to_complain_rests_on_article_77_until_18_june_2026_then_on_s165() -> None:
    """DUAA 2025 s.103 and Schedule 10, commenced on 19 June 2026 (SI 2026/82 reg 3)."""
    assert law.rights(dt.date(2026, 6, 18))["complain"].article == "Article 77"
    assert law.rights(dt.date(2026, 6, 19))["complain"].article == "DPA 2018 s.165"
    assert "s.164A" in law.rights(dt.date(2026, 12, 7))["complain"].provision


def test_automated_decisions_rest_on_22a_to_22d_from_5_february_2026() -> None:
    assert law.rights(dt.date(2026, 2, 4))["automated_decisions"].article == "Article 22"
    assert law.rights(dt.date(2026, 2, 5))["automated_decisions"].article == ("Articles 22A to 22D")


def test_the_regulator_is_data_and_the_information_commission_takes_over_on_its_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    on_7_december = law.regulator(dt.date(2026, 12, 7))
    assert on_7_december.name == "Information Commissioner's Office"
    assert (
        "Information Commissioner's Office"
        in law.rights(dt.date(2026, 12, 7))["complain"].notice_text
    )
    # Commencement of DUAA ss.118-119 is a date typed into resources/law/regulator.json.
    stored = json.loads(resource("law", "regulator.json").read_text(encoding="utf-8"))
    stored["entries"][1]["effective_from"] = "2027-03-01"
    monkeypatch.setattr(law, "_load", lambda name: stored if name == "regulator.json" else {})
    law.forget_cached_law()
    try:
        assert law.regulator(dt.date(2027, 2, 28)).name == "Information Commissioner's Office"
        assert law.regulator(dt.date(2027, 3, 1)).name == "Information Commission"
    finally:
        law.forget_cached_law()


def test_no_regulator_name_is_written_into_the_law_tables_but_the_regulators_own() -> None:
    for name in ("rights.json", "transfer_mechanisms.json", "lawful_bases.json"):
        text = resource("law", name).read_text(encoding="utf-8")
        assert "Information Commissioner" not in text, name
        assert "ICO" not in text, name


def test_the_recognised_legitimate_interests_of_annex_1() -> None:
    assert {code: c.name for code, c in law.annex1_conditions().items()} == {
        "1": "Disclosure for another body's public task",
        "2": "National security, public security and defence",
        "3": "Emergencies",
        "5": "Crime",
        "6": "Safeguarding vulnerable individuals",
    }
    assert law.lawful_bases()["ea"].needs_annex1_condition
    assert {c for c, b in law.lawful_bases().items() if b.needs_law} == {"c", "e"}


def test_transfers_after_duaa_name_article_45a_and_the_data_protection_test() -> None:
    mechanisms = law.transfer_mechanisms()
    assert "45A" in mechanisms["adequacy"].legal_reference
    assert "s.17A" not in mechanisms["adequacy"].name
    tested = {code for code, m in mechanisms.items() if m.needs_data_protection_test}
    assert tested == {"idta", "uk_addendum", "bcr"}
