"""Categories of personal data as DPOs list them: split into categories, and special category
and criminal offence data recognised by meaning, with the words that showed it.

"Medical conditions, medication, allergies, GP details" is four categories, each health data
(UK GDPR Art 9(1)); "CV, references, DBS checks, criminal convictions" holds criminal offence
data (Art 10).  What is recognised is a suggestion for the DPO to confirm: each comes with the
words of the category that suggested it, so the report can say why.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from db.models import LibraryKind
from ropa.library import LibraryResolver
from ropa.spreadsheets.cells import is_empty, lines, strip_marker
from ropa.spreadsheets.report import Problem

SPECIAL = "special"
CRIMINAL = "criminal"


@dataclass(frozen=True)
class Suggestion:
    """What a category's words suggest it is, and the words that suggested it."""

    kind: str  # SPECIAL (Art 9(1)) or CRIMINAL (Art 10)
    what: str  # in the words of Art 9(1), or "criminal convictions and offences"
    words: tuple[str, ...]  # as written in the category

    def describe(self) -> str:
        law = (
            "special category data (UK GDPR Article 9(1))"
            if self.kind == SPECIAL
            else "criminal offence data (UK GDPR Article 10)"
        )
        shown = ", ".join(f"“{word}”" for word in self.words)
        return f"{law}: {self.what}, from {shown}"


# The kinds of Art 9(1) and Art 10, with the words people use for them.  Words are matched
# whole ("race" is not "trace"), case aside.
_MEANINGS: tuple[tuple[str, str, str], ...] = (
    (SPECIAL, "racial or ethnic origin", r"ethnic\s+origins?|ethnic(?:ity|ities)?|race|racial"),
    (SPECIAL, "political opinions", r"political(?:\s+(?:opinions?|views?|affiliations?))?"),
    (
        SPECIAL,
        "religious or philosophical beliefs",
        r"religions?|religious(?:\s+beliefs?)?|faith|philosophical\s+beliefs?|beliefs?",
    ),
    (SPECIAL, "trade union membership", r"trade\s+unions?(?:\s+membership)?|union\s+membership"),
    (SPECIAL, "genetic data", r"genetics?|dna|genomic|genome"),
    (
        SPECIAL,
        "biometric data",
        r"biometrics?|fingerprints?|facial\s+recognition|face\s+recognition|iris\s+scans?|"
        r"voice\s*prints?",
    ),
    (
        SPECIAL,
        "health",
        # "GP" in capitals only: "GPS" is a location.
        r"health(?!\s+(?:and|&)\s+safety)|medical|medications?|medicines?|"
        r"allerg(?:y|ies|ic)|(?-i:GPs?)|doctors?|illness(?:es)?|diagnos[ie]s|disabilit(?:y|ies)|"
        r"sickness|sick\s+notes?|fit\s+notes?|prescriptions?|injur(?:y|ies)|pregnan(?:t|cy)|"
        r"vaccinations?|immuni[sz]ations?|care\s+needs",
    ),
    (
        SPECIAL,
        "sex life or sexual orientation",
        r"sexual\s+orientation|sexuality|sex\s+life|sexual\s+life|lgbt\w*",
    ),
    (
        SPECIAL,
        "equality monitoring (usually ethnic origin, religion, sexual orientation and health)",
        r"equal(?:ity|ities)?(?:\s+(?:of|and))?\s+(?:opportunit(?:y|ies)\s+)?monitoring|"
        r"diversity\s+monitoring",
    ),
    (
        CRIMINAL,
        "criminal convictions and offences",
        r"criminal(?:\s+(?:convictions?|records?|offences?|offenses?|history|"
        r"proceedings))?|convictions?|offences?|offenses?|offending|dbs(?:\s+checks?)?|"
        r"crb(?:\s+checks?)?|disclosure\s+and\s+barring|cautions?|police\s+records?",
    ),
)
_COMPILED = tuple(
    (kind, what, re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.IGNORECASE))
    for kind, what, pattern in _MEANINGS
)
# A category that says the data is not held ("No health data", "None") suggests nothing.
_NEGATED = re.compile(r"^\s*(?:no|not|none|never|without|excluding|nil)\b", re.IGNORECASE)


@functools.lru_cache(maxsize=16_384)  # a register names the same few hundred categories
def suggest(category: str) -> tuple[Suggestion, ...]:
    """The kinds of special category or criminal offence data a category's words suggest,
    each with the words that suggest it; () when none (or the category says it is not held)."""
    if _NEGATED.match(category):
        return ()
    found: list[Suggestion] = []
    for kind, what, pattern in _COMPILED:
        matched = tuple(dict.fromkeys(match.group(0) for match in pattern.finditer(category)))
        if matched:
            found.append(Suggestion(kind, what, matched))
    return tuple(found)


def kinds(suggestions: Iterable[Suggestion]) -> set[str]:
    return {suggestion.kind for suggestion in suggestions}


# --- splitting a cell into categories --------------------------------------------------------


@dataclass(frozen=True)
class Split:
    categories: tuple[str, ...]
    # Whether the cell was split at its commas: a reading the DPO should be told of (lines
    # and semicolons are lists as written; a comma may be part of one category's name).
    at_commas: bool


_COMMA = re.compile(r",(?!\d)")
_LEADING_JOINER = re.compile(r"^(?:and|or|&)\s+", re.IGNORECASE)


@functools.lru_cache(maxsize=16_384)
def split_categories(text: str | None) -> Split:
    """The categories a cell lists: one a line, or separated by semicolons, bullets or
    numbering; and in a cell of one line without semicolons, separated by commas outside
    brackets ("Name, Contact details, Payroll info (incl. bank), Training records.").  A cell
    of several lines, or with semicolons, is a list already (our export writes one category
    a line), so its commas stay."""
    if is_empty(text):
        return Split((), False)
    cell_lines = lines(text)
    if len(cell_lines) == 1 and ";" not in cell_lines[0]:
        pieces = _comma_pieces(cell_lines[0])
        if len(pieces) > 1:
            found = [_LEADING_JOINER.sub("", strip_marker(piece)).strip() for piece in pieces]
            found = [value.rstrip(".").strip() for value in found]
            return Split(tuple(value for value in found if not is_empty(value)), True)
    found = []
    for line in cell_lines:
        for part in line.split(";") if ";" in line else [line]:
            value = strip_marker(part)
            if ";" in line:
                value = value.rstrip(".").strip()
            if not is_empty(value):
                found.append(value)
    return Split(tuple(found), False)


def _comma_pieces(text: str) -> list[str]:
    """`text` cut at each comma outside brackets (not in "1,000")."""
    pieces: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0 and _COMMA.match(text, index):
            pieces.append(text[start:index])
            start = index + 1
    pieces.append(text[start:])
    return [piece for piece in pieces if piece.strip()]


# --- the library items an import adds --------------------------------------------------------


def settle_categories(
    resolver: LibraryResolver,
    values: dict[str, Any],
    comma_split: tuple[str, Problem] | None,
    told: list[Problem],
) -> None:
    """Before an activity is stored: a cell split at its commas (`comma_split`: the line as
    written and what the report `told` of it) that names a category the library already has
    ("Name, address and contact details", as our export writes it) is that one category, and
    the report says so instead.  Then the categories new to the library are added, marked
    special category or criminal offence data as their words suggest; items already in the
    library keep what the DPO set (the report has told them what the words suggest)."""
    names: list[str] = values.get("data_categories") or []
    if comma_split is not None:
        whole, problem = comma_split
        if resolver.find(LibraryKind.DATA_CATEGORY, whole) is not None:
            names[:] = [whole]
            kept = Problem(
                problem.sheet,
                problem.cell,
                problem.value,
                "kept as one category of personal data: the library has one of this name",
            )
            told[:] = [kept if entry is problem else entry for entry in told]
    for name in names:
        if resolver.find(LibraryKind.DATA_CATEGORY, name) is not None:
            continue
        found = kinds(suggest(name))
        if not found:
            continue
        (item,) = resolver.resolve(LibraryKind.DATA_CATEGORY, [name])
        item.special_category = SPECIAL in found
        item.criminal_offence = CRIMINAL in found
