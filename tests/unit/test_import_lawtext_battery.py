"""Lawful-basis cells as DPOs write them: every basis and condition to its own field, every
other word kept as an explanation or legislation, and our own export read back the same.

The cells are those quoted in issue 18, those of the published registers in
shared/reference/real-registers (checktick, propvora), and wordings of UK councils', schools'
and charities' registers.  The law they cite is UK GDPR Art 6(1) (incl. (ea), DUAA 2025),
Art 9(2), Art 10 and DPA 2018 Schedule 1 (see shared/reference/uk-law-reference.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ropa.records import ConditionEntry, LawfulBasisEntry
from ropa.register import Register
from ropa.spreadsheets import export_workbook, import_workbook, lawtext, legal_refs
from ropa.spreadsheets.headers import says_processor_role
from tests.data.import_corpus import hand_made


@dataclass(frozen=True)
class Case:
    cell: str
    # (basis, explanation, legislation) for Article 6; (code, explanation) for the others.
    article6: list[tuple[str, str, list[str]]] = field(default_factory=list)
    article9: list[tuple[str, str]] = field(default_factory=list)
    schedule1: list[tuple[str, str]] = field(default_factory=list)
    article10: str = ""
    not_understood: list[str] = field(default_factory=list)


BATTERY = [
    # --- quoted in issue 18 ---------------------------------------------------------------
    Case(
        "Contract: Necessary for the performance of our contract with the Trust.",
        article6=[("b", "Necessary for the performance of our contract with the Trust.", [])],
    ),
    Case(
        "Public task (Art 6(1)(e)); Art 9(2)(g) substantial public interest - DPA 2018 Sch 1 "
        "para 18 safeguarding of children",
        article6=[("e", "", [])],
        article9=[("g", "")],
        schedule1=[("18", "")],
    ),
    Case(
        "Public task (Art 6(1)(e))\nArt 9(2)(g) substantial public interest\n"
        "DPA 2018 Sch 1 para 18 safeguarding of children",
        article6=[("e", "", [])],
        article9=[("g", "")],
        schedule1=[("18", "")],
    ),
    Case(
        "Art 6(1)(c) and Art 9(2)(b) - Sch.1 Pt.1 para 1",
        article6=[("c", "", [])],
        article9=[("b", "")],
        schedule1=[("1", "")],
    ),
    Case(
        "Vital interests (Article 9(2)(c)), Substantial public interest (Article 9(2)(g))",
        article9=[("c", ""), ("g", "")],
    ),
    Case(
        "Article 9(2)(b) employment, with DPA 2018 Schedule 1 Part 1 paragraph 1",
        article9=[("b", "")],
        schedule1=[("1", "")],
    ),
    Case(
        "Legitimate interests (Art. 6(1)(f)); Pre-contract (Art. 6(1)(b))",
        article6=[("f", "", []), ("b", "Pre-contract", [])],
    ),
    Case(
        "Health/Social Care: Article 9(2)(h) - Provision of health or social care.",
        article9=[("h", "Provision of health or social care.")],
    ),
    Case("Sch.1 Pt.2 para.18", schedule1=[("18", "")]),
    Case("Sch 1 para 18", schedule1=[("18", "")]),
    Case("Schedule 1 Part 1 paragraph 1", schedule1=[("1", "")]),
    # --- the published registers (real-registers/) ------------------------------------------
    Case("Art 6(1)(b) & Art 9(2)(h)", article6=[("b", "", [])], article9=[("h", "")]),
    Case("Art 6(1)(f) Legit. Interest", article6=[("f", "", [])]),
    Case("Art 6(1)(b) Contract", article6=[("b", "", [])]),
    Case(
        "Legal Obligation: Necessary for employment law compliance.",
        article6=[("c", "Necessary for employment law compliance.", [])],
    ),
    Case(
        "Legitimate Interest: Protecting the platform from cyber attacks.",
        article6=[("f", "Protecting the platform from cyber attacks.", [])],
    ),
    Case("Contract / legitimate interest", article6=[("b", "", []), ("f", "", [])]),
    Case(
        "Legitimate interest (operator is controller of their contacts; Propvora is processor)",
        article6=[("f", "operator is controller of their contacts; Propvora is processor", [])],
    ),
    Case(
        "Legitimate interest (with controls) + consent where required",
        article6=[("f", "with controls", []), ("a", "where required", [])],
    ),
    Case("Legal obligation / legitimate interest", article6=[("c", "", []), ("f", "", [])]),
    # --- councils, schools, charities ---------------------------------------------------------
    Case(
        "Article 6(1)(c) Legal obligation - Education Act 1996 s.434",
        article6=[("c", "", ["Education Act 1996 s.434"])],
    ),
    Case(
        "Consent (Art 6(1)(a)) for photographs; explicit consent (Art 9(2)(a)) for dietary needs",
        article6=[("a", "for photographs", [])],
        article9=[("a", "for dietary needs")],
    ),
    Case(
        "6(1)(e) public task / 9(2)(h) health or social care / Sch 1 Pt 1 para 2",
        article6=[("e", "", [])],
        article9=[("h", "")],
        schedule1=[("2", "")],
    ),
    Case(
        "Art. 6(1)(c) legal obligation + Art. 10 – DPA 2018 Sch.1 Pt.1 para.1 (employment)",
        article6=[("c", "", [])],
        schedule1=[("1", "")],
        article10="authorised_by_law",
    ),
    Case(
        "Art 6(1)(ea) – recognised legitimate interest (safeguarding vulnerable individuals, "
        "Annex 1)",
        article6=[("ea", "safeguarding vulnerable individuals, Annex 1", [])],
    ),
    Case(
        "Public task & legal obligation – Children Act 1989 s.17, s.47",
        article6=[("e", "", []), ("c", "", ["Children Act 1989 s.17, s.47"])],
    ),
    Case(
        "Legal obligation, Article 6(1)(c) - Working Time Regulations 1998",
        article6=[("c", "", ["Working Time Regulations 1998"])],
    ),
    Case(
        "Vital interests – Art 6(1)(d) – medical emergency on a trip",
        article6=[("d", "medical emergency on a trip", [])],
    ),
    Case(
        "• Article 6(1)(e) Public task\n• Article 9(2)(g) Reasons of substantial public interest\n"
        "• Schedule 1 Part 2 paragraph 6 Statutory and government purposes",
        article6=[("e", "", [])],
        article9=[("g", "")],
        schedule1=[("6", "")],
    ),
    Case(
        "UK GDPR Art 6(1)(b) – to deliver the membership we sell; Art 9(2)(d) not-for-profit "
        "body (members only)",
        article6=[("b", "to deliver the membership we sell", [])],
        article9=[("d", "not-for-profit body (members only)")],
    ),
    Case("Contract; legal obligation (HMRC)", article6=[("b", "", []), ("c", "HMRC", [])]),
    Case(
        "Article 6.1(e) and Article 9.2(g); Schedule 1, Part 2, paragraph 18",
        article6=[("e", "", [])],
        article9=[("g", "")],
        schedule1=[("18", "")],
    ),
    Case(
        "Substantial public interest (Sch 1 Part 2 para 10 – preventing or detecting unlawful "
        "acts)",
        article9=[("g", "")],
        schedule1=[("10", "")],
    ),
    Case(
        "Art 6(1)(f) Legitimate interests – fraud prevention; Sch 1 para 14 preventing fraud",
        article6=[("f", "fraud prevention", [])],
        schedule1=[("14", "")],
    ),
    Case(
        "Archiving in the public interest – Art 9(2)(j) with Schedule 1 Part 1 paragraph 4",
        article9=[("j", "Archiving in the public interest")],
        schedule1=[("4", "")],
    ),
    Case(
        "Public task\nArt 9(2)(i) public health – notifiable diseases",
        article6=[("e", "", [])],
        article9=[("i", "notifiable diseases")],
    ),
    Case(
        "Art 6(1)(e) / Art 9(2)(g) + DPA Sch 1 paras 6 and 18",
        article6=[("e", "", [])],
        article9=[("g", "")],
        schedule1=[("6", ""), ("18", "")],
    ),
    Case("Legal obligation and explicit consent", article6=[("c", "", [])], article9=[("a", "")]),
    Case(
        "Consent - signed form kept in the pupil file",
        article6=[("a", "signed form kept in the pupil file", [])],
    ),
    Case(
        "Legitimate interests: keeping the premises safe. CCTV: Article 10 under the control "
        "of official authority",
        article6=[("f", "keeping the premises safe. CCTV", [])],
        article10="official_authority",
    ),
    Case(
        "Art 6(1)(b) contract; Art 6(1)(c) legal obligation (HMRC, pensions); Art 6(1)(f) "
        "legitimate interests (staff directory)",
        article6=[("b", "", []), ("c", "HMRC, pensions", []), ("f", "staff directory", [])],
    ),
    Case(
        "paragraph 18 of Schedule 1 to the DPA 2018; Article 9(2)(g)",
        article9=[("g", "")],
        schedule1=[("18", "")],
    ),
    Case("6(1)(c) & (e)", article6=[("c", "", []), ("e", "", [])]),
    # The legislation a basis rests on, after a dash or in brackets naming an Act.
    Case(
        "Public Task (Local Government Act 1972 s.111)",
        article6=[("e", "", ["Local Government Act 1972 s.111"])],
    ),
    Case("Legitimate Interests (LIA completed 2023)", article6=[("f", "LIA completed 2023", [])]),
    Case(
        "Public interest task - Children Act 1989",
        article6=[("e", "Public interest task", ["Children Act 1989"])],
    ),
    Case(
        "6(1)(c) – Legal obligation (Education Act 1996) 9(2)(g) – Substantial public interest "
        "(DPA 2018 Sch 1 Pt 2 para 6 – statutory purposes)",
        article6=[("c", "", ["Education Act 1996"])],
        article9=[("g", "")],
        schedule1=[("6", "")],
    ),
    Case(
        "Employment contract (Art 6(1)(b)); Employment law (Art 6(1)(c)); Art 9(2)(b) & DPA "
        "Sch 1 Pt 1 para 1 for sickness records",
        article6=[("b", "Employment contract", []), ("c", "Employment law", [])],
        article9=[("b", "")],
        schedule1=[("1", "for sickness records")],
    ),
    Case(
        "Article 6(1)(e) - performance of a task carried out in the public interest or in the "
        "exercise of official authority vested in the controller",
        article6=[
            (
                "e",
                "performance of a task carried out in the public interest or in the exercise "
                "of official authority vested in the controller",
                [],
            )
        ],
    ),
    # (ea) is a recognised legitimate interest: "Legitimate interests" says more, and stays.
    Case(
        "Article 6(1)(ea) - Legitimate interests",
        article6=[("ea", "Legitimate interests", [])],
    ),
    # A name inside an explanation is not a basis: after a colon or a dash only ; / + & part.
    Case(
        "Legal obligation: HMRC requires this, and consent is not needed",
        article6=[("c", "HMRC requires this, and consent is not needed", [])],
    ),
    Case(
        "Consent: parents sign the form; Public task for the register itself",
        article6=[("a", "parents sign the form", []), ("e", "for the register itself", [])],
    ),
    Case("GDPR 6.1.c", article6=[("c", "", [])]),
    # Our own export, read back.
    Case(
        "Article 6(1)(e) Public task: we run the school\nEducation Act 1996\n"
        "Article 6(1)(c) Legal obligation: census returns and Art 9(2)(g)\n"
        "Education (Pupil Information) (England) Regulations 2005",
        article6=[
            ("e", "we run the school", ["Education Act 1996"]),
            (
                "c",
                "census returns and Art 9(2)(g)",
                ["Education (Pupil Information) (England) Regulations 2005"],
            ),
        ],
    ),
    # Nothing the register can place: kept whole, to go to the notes and the report.
    Case(
        "We rely on whatever the school needs",
        not_understood=["We rely on whatever the school needs"],
    ),
]


def _read(cell: str) -> Case:
    parsed = lawtext.parse_lawful_bases(cell)
    found: dict[str, list[ConditionEntry]] = {"article9": [], "schedule1": [], "article10": []}
    for scheme, entry in parsed.elsewhere:
        found[scheme].append(entry)
    return Case(
        cell,
        [(entry.basis, entry.explanation, entry.legislation) for entry in parsed.values],
        [(entry.code, entry.explanation) for entry in found["article9"]],
        [(entry.code, entry.explanation) for entry in found["schedule1"]],
        ",".join(entry.code for entry in found["article10"]),
        parsed.not_understood,
    )


def test_the_battery_has_at_least_thirty_cells() -> None:
    assert len({case.cell for case in BATTERY}) >= 30


@pytest.mark.parametrize("case", BATTERY, ids=[case.cell[:50] for case in BATTERY])
def test_each_basis_and_condition_goes_to_its_own_field(case: Case) -> None:
    assert _read(case.cell) == case


def _shown(case: Case) -> str:
    """Everything the register would show of a parse: titles, explanations, legislation,
    and what was not understood (kept in the notes)."""
    parts = [
        lawtext.basis_title(code) + f" {why} " + " ".join(acts) for code, why, acts in case.article6
    ]
    parts += [f"{lawtext.article9_title(code)} {why}" for code, why in case.article9]
    parts += [f"{lawtext.schedule1_title(code)} {why}" for code, why in case.schedule1]
    parts += [lawtext.article10_title(code) for code in case.article10.split(",") if code]
    parts += case.not_understood
    return " ".join(parts).casefold()


def _long_words(text: str) -> list[str]:
    return [word.casefold() for word in re.findall(r"[^\W\d_]{4,}", text)]


@pytest.mark.parametrize("case", BATTERY, ids=[case.cell[:50] for case in BATTERY])
def test_every_word_of_the_cell_is_in_what_was_read(case: Case) -> None:
    """Conservation: each word of four letters or more is in a title, an explanation, the
    legislation or the text not understood; only words that name the law a reference is in
    ("GDPR", "Data Protection") or join items ("with") may be left out."""
    shown = _shown(_read(case.cell))
    allowed = legal_refs.INSTRUMENT_WORDS | legal_refs.JOINERS
    lost = [word for word in _long_words(case.cell) if word not in shown and word not in allowed]
    assert lost == []


def test_a_parse_that_lost_a_word_would_fail_the_conservation_test() -> None:
    """The conservation test can fail: a read with an explanation left out is caught."""
    case = _read("Contract: Necessary for the performance of our contract with the Trust.")
    emptied = Case(case.cell, [("b", "", [])])
    shown = _shown(emptied)
    assert [word for word in _long_words(case.cell) if word not in shown] == [
        "necessary",
        "performance",
        "with",
        "trust",
    ]


@pytest.mark.parametrize("case", BATTERY, ids=[case.cell[:50] for case in BATTERY])
def test_what_the_export_writes_is_read_back_the_same(case: Case) -> None:
    """Each read, written as the export writes its three law columns, reads back identically."""
    read = _read(case.cell)
    bases = [LawfulBasisEntry(code, why, list(acts)) for code, why, acts in read.article6]
    article6_cell = "\n".join(lawtext.format_lawful_bases(bases))
    article9_cell = "\n".join(
        lawtext.format_conditions([ConditionEntry(c, w) for c, w in read.article9], "article9")
    )
    schedule1_cell = "\n".join(
        lawtext.format_conditions([ConditionEntry(c, w) for c, w in read.schedule1], "schedule1")
    )
    again = lawtext.parse_lawful_bases(article6_cell or None)
    assert again.values == bases and again.elsewhere == [] and again.not_understood == []
    for cell, scheme, expected in (
        (article9_cell, "article9", read.article9),
        (schedule1_cell, "schedule1", read.schedule1),
    ):
        parsed = lawtext.parse_conditions(cell or None, scheme)
        assert [(e.code, e.explanation) for e in parsed.values] == expected
        assert parsed.elsewhere == [] and parsed.not_understood == []


ARTICLE6 = "Article 6 lawful basis for processing personal data"
ARTICLE9 = "Article 9 condition for processing special category data"
SCHEDULE1 = "Data Protection Act 2018 Schedule 1 Condition for processing"


_Law = tuple[str, list[LawfulBasisEntry], list[ConditionEntry], list[ConditionEntry], str]


def _law_of(register: Register) -> list[_Law]:
    return [
        (
            record.name,
            record.lawful_bases,
            record.article9,
            record.schedule1,
            record.article10_basis,
        )
        for record in register.activities.load()
    ]


def test_a_register_imported_exported_and_imported_again_is_the_same(
    register: Register, tmp_path: Path
) -> None:
    """Real workbooks through a real register: battery cells in the Article 6 column,
    imported, exported as the ICO workbook, and that imported into a new register."""
    cells = [case.cell for case in BATTERY if not case.not_understood]
    rows = [
        {
            "Business function": f"Function {index}",
            "Purpose of processing": f"Purpose {index}",
            ARTICLE6: cell,
        }
        for index, cell in enumerate(cells)
    ]
    rows[0][ARTICLE9] = "Explicit consent - parents asked each year"
    rows[1][SCHEDULE1] = "Part 2 para 6"
    path = hand_made(tmp_path / "bases.xlsx", rows, register_columns=True)
    import_workbook(register, path)
    first = _law_of(register)
    by_name = {name: (bases, a9, s1, a10) for name, bases, a9, s1, a10 in first}
    # What the battery says of each cell is what the register holds.
    for index, case in enumerate(case for case in BATTERY if not case.not_understood):
        bases, article9, schedule1, article10 = by_name[f"Function {index} – Purpose {index}"]
        # The import keeps words saying who is processor in the notes, not as the reason.
        expected6 = [
            (code, "" if says_processor_role(why) else why, acts)
            for code, why, acts in case.article6
        ]
        assert [(b.basis, b.explanation, b.legislation) for b in bases] == expected6
        expected9 = case.article9 + ([("a", "parents asked each year")] if index == 0 else [])
        assert sorted((c.code, c.explanation) for c in article9) == sorted(expected9)
        expected1 = case.schedule1 + ([("6", "")] if index == 1 else [])
        assert sorted((c.code, c.explanation) for c in schedule1) == sorted(expected1)
        assert article10 == case.article10
    exported = export_workbook(register, tmp_path / "out.xlsx").path
    assert openpyxl.load_workbook(exported)["Template"] is not None
    with Register.open(tmp_path / "again.ropa") as again:
        report = import_workbook(again, exported)
        assert report.problems == []
        assert _law_of(again) == first


def test_a_condition_in_the_article6_column_is_reported_as_it_was_written(
    register: Register, tmp_path: Path
) -> None:
    written = "Health/Social Care: Article 9(2)(h) - Provision of health or social care."
    path = hand_made(
        tmp_path / "quote.xlsx",
        [{"Business function": "Health", "Purpose of processing": "Care", ARTICLE6: written}],
    )
    report = import_workbook(register, path)
    (moved,) = [problem for problem in report.moved if problem.cell == "L2"]
    assert moved.value == written
    assert "Article 9(2)(h) Health or social care" in moved.why
    assert "“Provision of health or social care.” as its explanation" in moved.why
    assert written in report.summary()


# --- any cell built of what DPOs write: nothing lost, nothing raised --------------------------

_FRAGMENTS = st.sampled_from(
    [
        "Art 6(1)(e)",
        "Article 6(1)(ea)",
        "6(1)(b)",
        "GDPR 6.1.c",
        "Art. 6(1)(c) and (e)",
        "9(2)(h)",
        "Article 9(2)(g)",
        "Art 9(2)(b)",
        "Sch 1 para 18",
        "Sch.1 Pt.2 para.18",
        "Schedule 1 Part 1 paragraph 1",
        "DPA 2018 Sch 1 paras 6 and 18",
        "paragraph 10 of Schedule 1",
        "Article 10",
        "Art 10 official authority",
        "Public task",
        "Legal obligation",
        "Consent",
        "explicit consent",
        "Vital interests",
        "Legit. Interest",
        "Legitimate interests",
        "recognised legitimate interest",
        "substantial public interest",
        "Health/Social Care",
        "safeguarding of children",
        "Performance of a contract",
        "Necessary for the performance of our contract with the Trust.",
        "Children Act 1989 s.17",
        "Education Act 1996",
        "employment law compliance",
        "(members only)",
        "Pre-contract",
        "where required",
        "Public Health Act 1984",
    ]
)
_JOINS = st.sampled_from(
    ["; ", ", ", " / ", " + ", " & ", " and ", " - ", " – ", ": ", "\n", " (", ") ", " ", "?\n"]
)
_WORDS = st.text(
    st.characters(whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters=" ()-:;,./&"),
    max_size=25,
)


@st.composite
def law_cells(draw: st.DrawFn) -> str:
    anything = st.text(st.characters(codec="utf-8"), max_size=12)
    parts = draw(
        st.lists(st.one_of(_FRAGMENTS, _FRAGMENTS, _WORDS, anything), min_size=1, max_size=7)
    )
    joins = draw(st.lists(_JOINS, min_size=len(parts), max_size=len(parts)))
    return "".join(part + join for part, join in zip(parts, joins, strict=True)).strip()


@settings(max_examples=300, deadline=None)
@given(law_cells())
def test_any_law_cell_is_read_without_losing_a_word(cell: str) -> None:
    """Conservation on generated cells: in every column, each word of four letters or more
    is in what was read (a title, an explanation, legislation, or the text kept as not
    understood), and nothing is raised."""
    allowed = legal_refs.INSTRUMENT_WORDS | legal_refs.JOINERS
    for line in cell.splitlines():
        for column in ("article6", "article9", "schedule1"):
            # The reader's own account: no line is kept whole because a reading lost a word.
            assert legal_refs.unaccounted_words(line.strip().rstrip("?"), column) == []
    shown = _shown(_read(cell))
    assert [w for w in _long_words(cell) if w not in shown and w not in allowed] == []
    for scheme in ("article9", "schedule1"):
        parsed = lawtext.parse_conditions(cell, scheme)
        titles = lawtext.article9_title if scheme == "article9" else lawtext.schedule1_title
        text = " ".join(
            [f"{titles(e.code)} {e.explanation}" for e in parsed.values]
            + [f"{legal_refs.title(s, e.code)} {e.explanation}" for s, e in parsed.elsewhere]
            + parsed.not_understood
        ).casefold()
        assert [w for w in _long_words(cell) if w not in text and w not in allowed] == []


# --- published registers, as their owners wrote them ----------------------------------------

REAL = Path(__file__).parents[1] / "data" / "real-registers"


def _bases_by_name(register: Register) -> dict[str, tuple[object, ...]]:
    return {
        record.name: (
            [(entry.basis, entry.explanation) for entry in record.lawful_bases],
            [(entry.code, entry.explanation) for entry in record.article9],
        )
        for record in register.activities.load()
    }


def test_the_checktick_register_keeps_every_explanation_and_quotes_its_cells(
    register: Register,
) -> None:
    report = import_workbook(register, REAL / "checktick-ropa-ico.xlsx")
    assert _bases_by_name(register) == {
        "Platform access, audit trailing, and user management.": (
            [("b", "Necessary for the performance of our contract with the Trust.")],
            [],
        ),
        "To provide survey results to clinicians for care delivery.": (
            [],
            [("h", "Provision of health or social care.")],
        ),
        "Employment and HR management.": (
            [("c", "Necessary for employment law compliance.")],
            [],
        ),
        "Security monitoring and threat prevention (WAF).": (
            [("f", "Protecting the platform from cyber attacks.")],
            [],
        ),
    }
    quoted = {problem.value for problem in report.moved if problem.cell == "L11"}
    assert quoted == {"Health/Social Care: Article 9(2)(h) - Provision of health or social care."}


def test_the_propvora_register_reads_each_basis_of_a_cell(register: Register) -> None:
    import_workbook(register, REAL / "propvora-ropa.xlsx")
    bases = {name: found[0] for name, found in _bases_by_name(register).items()}
    # The words in brackets say who is processor, not why the basis applies: kept in the
    # activity's notes instead (tests/unit/test_import_review_k.py).
    assert bases["Contact management"] == [("f", "")]
    assert bases["AI Copilot"] == [("f", "with controls"), ("a", "where required")]
    assert bases["Security & audit logging"] == [("c", ""), ("f", "")]
    assert bases["Marketing/newsletter"] == [("a", "")]


def test_law_written_in_the_other_law_columns_goes_to_its_own_field(
    register: Register, tmp_path: Path
) -> None:
    """An Article 6 basis in the Article 9 column, an Article 10 basis in the Schedule 1
    column, and a condition in the Article 6 column that the Article 9 column also names:
    each in its own field once, both explanations kept, each reported quoting its line."""
    path = hand_made(
        tmp_path / "across.xlsx",
        [
            {
                "Business function": "Youth justice",
                "Purpose of processing": "Supervising orders",
                ARTICLE6: "Public task; Art 9(2)(g) - court reports",
                ARTICLE9: "Substantial public interest: youth offending\n"
                "Art 6(1)(c) legal obligation",
                SCHEDULE1: "Sch 1 para 6\nArticle 10 - under the control of official authority",
            }
        ],
        register_columns=True,
    )
    report = import_workbook(register, path)
    (record,) = register.activities.load()
    assert record.lawful_bases == [LawfulBasisEntry("e", "", []), LawfulBasisEntry("c", "", [])]
    assert record.article9 == [ConditionEntry("g", "youth offending; court reports")]
    assert record.schedule1 == [ConditionEntry("6", "")]
    assert record.article10_basis == "official_authority"
    quoted = {problem.value: problem.why for problem in report.moved}
    assert (
        "added to the activity's Article 9 condition"
        in quoted["Public task; Art 9(2)(g) - court reports"]
    )
    assert "Article 6 lawful basis" in quoted["Art 6(1)(c) legal obligation"]
    assert "Article 10 basis" in quoted["Article 10 - under the control of official authority"]
    assert report.problems == []


@pytest.mark.parametrize(
    ("cell", "bases", "schedule1", "doubt"),
    [
        (
            "Public task (Art 6(1)(c))",
            [("c", "Public task")],
            [],
            "“Public task” is written beside Article 6(1)(c) Legal obligation",
        ),
        ("Sch 1 Part 1 para 18", [], ["18"], "Part 1 is written, but paragraph 18 is in Part 2"),
    ],
)
def test_what_contradicts_itself_is_read_by_its_reference_and_flagged(
    cell: str, bases: list[tuple[str, str]], schedule1: list[str], doubt: str
) -> None:
    parsed = lawtext.parse_lawful_bases(cell)
    assert [(entry.basis, entry.explanation) for entry in parsed.values] == bases
    assert [entry.code for scheme, entry in parsed.elsewhere if scheme == "schedule1"] == schedule1
    ((written, why),) = parsed.doubts
    assert written == cell and why.startswith(doubt)


def test_a_contradiction_is_in_the_report_for_the_dpo_to_check(
    register: Register, tmp_path: Path
) -> None:
    cell = "Public task (Art 6(1)(c))"
    path = hand_made(
        tmp_path / "doubt.xlsx",
        [{"Business function": "Revenues", "Purpose of processing": "Council tax", ARTICLE6: cell}],
    )
    report = import_workbook(register, path)
    (record,) = register.activities.load()
    assert record.lawful_bases == [LawfulBasisEntry("c", "Public task", [])]
    (told,) = [problem for problem in report.moved if problem.value == cell]
    assert told.cell == "L2" and "the reference was taken" in told.why
