"""The law tables in resources/law, checked against the UK law reference
(/work/shared/reference/uk-law-reference.md), written out here by hand from that text and
not from the JSON, so that a wrong fact in either one shows up as a disagreement."""

from __future__ import annotations

import pytest

from ropa import law

# "Which rights apply under which Article 6 basis (ICO)": erasure, portability, object.
RIGHTS_BY_BASIS = {
    "a": ("yes", "yes", "no"),
    "b": ("yes", "yes", "no"),
    "c": ("no", "no", "no"),
    "d": ("yes", "no", "no"),
    "e": ("no", "no", "yes"),
    "ea": ("check", "no", "check"),
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
