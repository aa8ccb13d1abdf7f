"""Writing the law an activity relies on as words in a cell, and reading it back.

The export writes each basis or condition as its article and name ("Article 6(1)(e) Public
task"), an explanation after a colon, and the legislation it rests on on the following lines.
The import reads that, and what DPOs type by hand: "Public task", "6(1)(e)", "Legal
obligation - Children Act 1989", "9(2)(h)", "Sch 1 para 6 statutory purposes" and so on.
Whatever a parser cannot place is handed back, so that the caller keeps it and reports it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ropa import law
from ropa.records import ConditionEntry, LawfulBasisEntry, RetentionEntry, TransferEntry
from ropa.spreadsheets.cells import lines, one_line, strip_marker

_SEPARATORS = " \t-–—:,;."
T = TypeVar("T")


@dataclass
class Parsed(Generic[T]):
    values: list[T] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)
    # Conditions found where another field was expected: ("article9" or "schedule1", entry),
    # such as "Art 6(1)(b) & Art 9(2)(h)" in the Article 6 column.
    elsewhere: list[tuple[str, ConditionEntry]] = field(default_factory=list)
    # Lines read, but written as a question ("Substantial public interest?"): to confirm.
    uncertain: list[str] = field(default_factory=list)


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s()]", " ", text.casefold()).split())


# --- Article 6 -----------------------------------------------------------------------------

_ARTICLE6_REF = re.compile(
    r"(?:(?:uk\s+)?gdpr\s*)?(?:art(?:icle)?\.?\s*)?6\s*\(\s*1\s*\)\s*\(\s*(ea|[a-f])\s*\)",
    re.IGNORECASE,
)
_ARTICLE6_NAMES = {
    "ea": ("recognised legitimate interests", "recognised legitimate interest"),
    "a": ("consent",),
    "b": ("contract", "performance of a contract"),
    "c": ("legal obligation", "compliance with a legal obligation", "legal duty"),
    "d": ("vital interests", "vital interest"),
    "e": (
        "public task",
        "public interest",
        "official authority",
        "task carried out in the public interest",
    ),
    "f": ("legitimate interests", "legitimate interest"),
}
_LEGISLATION_WORDS = re.compile(
    r"\b(acts?|regulations?|order|rules|guidance|code of practice|directive|measure|"
    r"statutory instrument|section|s\.\s*\d+|(?:18|19|20)\d\d)\b",
    re.IGNORECASE,
)


def looks_like_legislation(text: str) -> bool:
    return bool(_LEGISLATION_WORDS.search(text))


def basis_title(code: str) -> str:
    basis = law.lawful_bases()[code]
    return f"{basis.article} {basis.name}"


def format_lawful_bases(entries: list[LawfulBasisEntry]) -> list[str]:
    """Each basis on a line with its explanation, then the legislation it rests on."""
    result: list[str] = []
    for entry in entries:
        line = basis_title(entry.basis)
        if entry.explanation.strip():
            line += f": {one_line(entry.explanation)}"
        result.append(line)
        result.extend(name for name in entry.legislation if name.strip())
    return result


def _strip_name(rest: str, names: tuple[str, ...]) -> str:
    """`rest` without a leading name of the basis or condition (longest first)."""
    folded = rest.casefold()
    for name in sorted(names, key=len, reverse=True):
        if folded.startswith(name.casefold()):
            return rest[len(name) :]
    return rest


def _find_basis_name(line: str) -> tuple[str, str] | None:
    """(code, the rest of the line) when the line starts with a basis name."""
    folded = line.casefold()
    for code, names in _ARTICLE6_NAMES.items():
        for name in sorted(names, key=len, reverse=True):
            if folded.startswith(name) and not folded[len(name) : len(name) + 1].isalpha():
                return code, line[len(name) :]
    return None


def _basis_line(line: str) -> tuple[list[str], str] | None:
    """The codes a line names and the text after them, or None when it names no basis.

    What only says the basis again ("Public task - Article 6(1)(e)", "Art 6(1)(f) Legit.
    Interest") is not left over as an explanation."""
    refs = list(_ARTICLE6_REF.finditer(line))
    if refs and refs[0].start() <= 4:
        codes = [match.group(1).lower() for match in refs]
        rest = line[refs[-1].end() :]
        names = (law.lawful_bases()[codes[-1]].name, *_ARTICLE6_NAMES[codes[-1]])
        rest = _strip_name(rest.lstrip(" \t-–—,"), names)
    else:
        found = _find_basis_name(line)
        if found is None:
            return None
        code, rest = found
        codes = [code]
        names = (law.lawful_bases()[code].name, *_ARTICLE6_NAMES[code])
        reference = _ARTICLE6_REF.match(rest.lstrip(_SEPARATORS + "()"))
        if reference is not None and reference.group(1).lower() == code:
            rest = rest.lstrip(_SEPARATORS + "()")[reference.end() :].lstrip(")")
    if _restates(rest, names):
        rest = ""
    return codes, rest


def _restates(rest: str, names: tuple[str, ...]) -> bool:
    """Whether `rest` only says a name again, in full or cut short ("Legit. Interest")."""
    words = _normal(rest).replace("(", " ").replace(")", " ").split()
    if not words:
        return True
    for name in names:
        name_words = _normal(name).split()
        if len(name_words) == len(words) and all(
            full.startswith(short) for short, full in zip(words, name_words, strict=True)
        ):
            return True
        if " ".join(words) in _normal(name) or _normal(name) in " ".join(words):
            return True
    return False


# Several bases (or a basis and a condition) named on one line: "Public task / legal
# obligation", "Art 6(1)(b) & Art 9(2)(h)".
_JOINED = re.compile(r"\s*(?:/|&|\+|\band\b|,|;)\s*", re.IGNORECASE)


@functools.lru_cache(maxsize=16_384)  # by line: the lines of law cells repeat
def _law_pieces(line: str) -> tuple[tuple[str, str, str], ...] | None:
    """("article6" / "article9" / "schedule1", code, explanation) for each part of a line
    that names several, when every part names one; None otherwise."""
    parts = [part for part in _JOINED.split(line) if part.strip(_SEPARATORS)]
    if len(parts) < 2:
        return None
    found = []
    for part in parts:
        piece = _law_piece(part.strip())
        if piece is None:
            return None
        found.append(piece)
    return tuple(found)


def _law_piece(part: str) -> tuple[str, str, str] | None:
    basis = _basis_line(part)
    if basis is not None and len(basis[0]) == 1:
        rest = basis[1].strip(_SEPARATORS)
        return ("article6", basis[0][0], "") if not rest else None
    condition = _condition_anywhere(part)
    if condition is not None and condition[2] == "":
        return condition
    return None


@functools.lru_cache(maxsize=16_384)
def _condition_anywhere(line: str) -> tuple[str, str, str] | None:
    """An Article 9 condition or a Schedule 1 paragraph named by its reference anywhere in
    a line ("Health/Social Care: Article 9(2)(h) - Provision of health or social care."):
    (scheme, code, explanation), the explanation empty when it only restates the name."""
    for scheme, pattern in (("article9", _ARTICLE9_REF), ("schedule1", _SCHEDULE1_ANYWHERE)):
        match = pattern.search(line)
        if match is None:
            continue
        code = match.group(1).lower()
        if scheme == "schedule1" and code not in law.schedule1_conditions():
            continue
        names = _condition_names(code, scheme)
        rest = " ".join(part for part in (line[: match.start()], line[match.end() :]) if part)
        rest = rest.strip(_SEPARATORS + " ")
        pieces = [piece for piece in re.split(r"[:\-–—]", rest) if piece.strip(_SEPARATORS)]
        if all(_restates(piece, names) for piece in pieces):
            rest = ""
        return scheme, code, rest
    return None


def _starts_with_reference(line: str) -> bool:
    found = _ARTICLE6_REF.search(line)
    return found is not None and found.start() <= 4


def parse_lawful_bases(text: str | None) -> Parsed[LawfulBasisEntry]:
    """The bases a cell names, with their explanations and legislation; a fresh copy each
    time (callers change the entries) of a cached parse, as a workbook repeats its cells."""
    cached = _parse_lawful_bases(text)
    return Parsed(
        [LawfulBasisEntry(e.basis, e.explanation, list(e.legislation)) for e in cached.values],
        list(cached.not_understood),
        [(scheme, ConditionEntry(e.code, e.explanation)) for scheme, e in cached.elsewhere],
        list(cached.uncertain),
    )


@functools.lru_cache(maxsize=4_096)
def _parse_lawful_bases(text: str | None) -> Parsed[LawfulBasisEntry]:
    # Never handed out: parse_lawful_bases copies it.
    parsed: Parsed[LawfulBasisEntry] = Parsed()
    current: LawfulBasisEntry | None = None
    cleaned = [(raw, *_lawful_basis_line(raw)) for raw in lines(text)]
    # In a cell that names its bases as "Article 6(1)(x) ...", as the export writes them, a
    # line naming a basis only in words (an act called "legal duty") is legislation.
    by_reference = any(by_article for _, _, _, by_article in cleaned)
    for raw, line, recognised, by_article in cleaned:
        if line.rstrip().endswith("?"):
            parsed.uncertain.append(raw)
            line = line.rstrip().rstrip("?")
            recognised = _basis_line(line)
        pieces = _law_pieces(line)
        if pieces is not None:
            for scheme, code, explanation in pieces:
                if scheme == "article6":
                    if all(entry.basis != code for entry in parsed.values):
                        current = LawfulBasisEntry(code, explanation, [])
                        parsed.values.append(current)
                else:
                    parsed.elsewhere.append((scheme, ConditionEntry(code, explanation)))
            continue
        if recognised is not None and by_reference and current is not None:
            recognised = recognised if by_article else None
        if recognised is None:
            condition = _condition_anywhere(line)
            if condition is not None and not _ARTICLE6_REF.search(line):
                scheme, code, explanation = condition
                parsed.elsewhere.append((scheme, ConditionEntry(code, explanation)))
            elif current is None:
                parsed.not_understood.append(raw)
            elif line.strip(_SEPARATORS):
                current.legislation.append(line.strip())
            continue
        codes, rest = recognised
        explanation, legislation = _explanation_or_legislation(rest)
        for code in codes:
            current = LawfulBasisEntry(code, explanation, list(legislation))
            parsed.values.append(current)
    return parsed


@functools.lru_cache(maxsize=16_384)
def _lawful_basis_line(raw: str) -> tuple[str, tuple[list[str], str] | None, bool]:
    """A line of a lawful-basis cell without its bullet, the bases it names with the text
    after them (None when it names none), and whether it names them by article.

    Cached by line: the cells of a register are rarely the same twice, their lines often
    are (the same bases and Acts down thousands of rows).  Callers never change the list."""
    line = strip_marker(raw)
    return line, _basis_line(line), _starts_with_reference(line)


def _explanation_or_legislation(rest: str) -> tuple[str, list[str]]:
    """What follows a basis on its line: ": why" is an explanation (our own export); after a
    dash it is the legislation when it names an Act or regulations, else an explanation."""
    stripped = rest.strip()
    if not stripped:
        return "", []
    if stripped.startswith(":"):
        return stripped[1:].strip(), []
    tail = stripped.lstrip(_SEPARATORS).strip()
    if not tail:
        return "", []
    if looks_like_legislation(tail) and len(tail) <= 200:
        return "", [tail]
    return tail, []


# --- Article 9 and Schedule 1 --------------------------------------------------------------

_ARTICLE9_REF = re.compile(
    r"(?:(?:uk\s+)?gdpr\s*)?(?:art(?:icle)?\.?\s*)?9\s*\(\s*2\s*\)\s*\(\s*([a-j])\s*\)",
    re.IGNORECASE,
)
_ARTICLE9_SYNONYMS = {
    "a": ("explicit consent",),
    "b": ("employment", "social protection", "social security"),
    "c": ("vital interests",),
    "d": ("not-for-profit", "not for profit"),
    "e": ("made public", "manifestly made public"),
    "f": ("legal claims", "judicial"),
    "g": ("substantial public interest",),
    "h": ("health or social care", "social care", "medicine", "preventive"),
    "i": ("public health",),
    "j": ("archiving", "research", "statistics", "statistical"),
}
_SCHEDULE1_REF = re.compile(
    r"^(?:(?:dpa\s*(?:2018)?\s*)?(?:sch(?:edule|ed)?\.?\s*1)\b[\s,]*)?"
    r"(?:(?:part|pt)\.?\s*\d\b[\s,]*)?"
    r"(?:para(?:graph)?s?\.?|§)\s*(\d{1,2})\b",
    re.IGNORECASE,
)
_SCHEDULE1_ANYWHERE = re.compile(
    r"\b(?:sch(?:edule|ed)?\.?\s*1)\b[\s,]*(?:(?:part|pt)\.?\s*\d\b[\s,]*)?"
    r"(?:para(?:graph)?s?\.?|§)\s*(\d{1,2})\b",
    re.IGNORECASE,
)
_SCHEDULE1_SYNONYMS = {
    "6": ("statutory and government purposes", "statutory purposes", "statutory etc"),
    "18": ("safeguarding of children", "safeguarding children", "individuals at risk"),
    "2": ("health or social care purposes", "health and social care"),
    "1": ("employment, social security", "employment"),
    "10": ("preventing or detecting unlawful acts",),
    "8": ("equality of opportunity",),
}


def article9_title(code: str) -> str:
    condition = law.article9_conditions()[code]
    return f"{condition.article} {condition.name}"


def schedule1_title(code: str) -> str:
    condition = law.schedule1_conditions()[code]
    return f"Schedule 1 Part {condition.part} paragraph {condition.paragraph} {condition.name}"


def format_conditions(entries: list[ConditionEntry], scheme: str) -> list[str]:
    title = article9_title if scheme == "article9" else schedule1_title
    return [
        title(entry.code) + (f": {one_line(entry.explanation)}" if entry.explanation else "")
        for entry in entries
    ]


def _condition_names(code: str, scheme: str) -> tuple[str, ...]:
    if scheme == "article9":
        return (law.article9_conditions()[code].name, *_ARTICLE9_SYNONYMS.get(code, ()))
    return (law.schedule1_conditions()[code].name, *_SCHEDULE1_SYNONYMS.get(code, ()))


def parse_conditions(text: str | None, scheme: str) -> Parsed[ConditionEntry]:
    """Article 9(2) conditions (scheme "article9") or Schedule 1 paragraphs ("schedule1")."""
    parsed: Parsed[ConditionEntry] = Parsed()
    for raw in lines(text):
        line = strip_marker(raw)
        if line.rstrip().endswith("?"):
            parsed.uncertain.append(raw)
            line = line.rstrip().rstrip("?").rstrip()
        found = _condition_line(line, scheme)
        if found is None:
            parsed.not_understood.append(raw)
            continue
        code, rest = found
        parsed.values.append(ConditionEntry(code, _condition_explanation(rest, code, scheme)))
    return parsed


def _condition_line(line: str, scheme: str) -> tuple[str, str] | None:
    if scheme == "article9":
        match = _ARTICLE9_REF.search(line)
        if match and match.start() <= 4:
            return match.group(1).lower(), line[match.end() :]
        known: dict[str, tuple[str, ...]] = {
            code: (condition.name, *_ARTICLE9_SYNONYMS.get(code, ()))
            for code, condition in law.article9_conditions().items()
        }
    else:
        match = _SCHEDULE1_REF.search(line)
        if match and match.group(1) in law.schedule1_conditions():
            return match.group(1), line[match.end() :]
        known = {
            code: (condition.name, *_SCHEDULE1_SYNONYMS.get(code, ()))
            for code, condition in law.schedule1_conditions().items()
        }
    folded = _normal(line)
    best: tuple[int, str] | None = None
    for code, names in known.items():
        for name in names:
            matches = bool(_normal(name)) and folded.startswith(_normal(name))
            if matches and (best is None or len(name) > best[0]):
                best = (len(name), code)
    if best is None:
        return None
    code = best[1]
    return code, _strip_name(line, known[code])


def _condition_explanation(rest: str, code: str, scheme: str) -> str:
    """The explanation after a condition; a restatement of its name is not one."""
    if scheme == "article9":
        names = (law.article9_conditions()[code].name, *_ARTICLE9_SYNONYMS.get(code, ()))
    else:
        names = (law.schedule1_conditions()[code].name, *_SCHEDULE1_SYNONYMS.get(code, ()))
    rest = rest.strip()
    if rest.startswith(":"):
        return rest[1:].strip()
    rest = _strip_name(rest.lstrip(" \t-–—,"), names).strip()
    if rest.startswith(":"):
        return rest[1:].strip()
    tail = rest.strip(_SEPARATORS + " ")
    if not tail or any(_normal(tail) in _normal(name) for name in names):
        return ""
    return tail


def article10_title(code: str) -> str:
    return law.article10_bases()[code].name


def parse_article10(text: str) -> str | None:
    folded = _normal(text)
    for code, basis in law.article10_bases().items():
        if folded in (_normal(code), _normal(basis.name)) or folded.startswith(_normal(basis.name)):
            return code
    if "official authority" in folded:
        return "official_authority"
    if "authorised by" in folded or "schedule 1" in folded:
        return "authorised_by_law"
    return None


# --- Rights (derived, never read back) ----------------------------------------------------


def rights_available(entries: list[LawfulBasisEntry], automated_decisions: bool) -> list[str]:
    """The rights people have, worked out from the lawful bases by the rights matrix."""
    if not entries:
        return []
    bases = [law.lawful_bases()[entry.basis] for entry in entries]
    result: list[str] = []
    for code, right in law.rights().items():
        if right.applies == "always":
            result.append(right.name)
        elif right.applies == "by_basis":
            answers = {basis.rights.get(code) for basis in bases}
            if "yes" in answers:
                result.append(right.name)
            elif "check" in answers:
                result.append(f"{right.name} (depends on the interest relied on)")
        elif right.applies == "when_consent":
            if any(basis.rights.get("withdraw_consent") for basis in bases):
                result.append(right.name)
        elif right.applies == "when_automated_decisions" and automated_decisions:
            result.append(right.name)
    return result


# --- Transfers, retention, yes/no ----------------------------------------------------------

_MECHANISM_SYNONYMS = {
    "adequacy": ("adequacy", "adequate"),
    "idta": ("idta", "international data transfer agreement"),
    "uk_addendum": ("addendum", "standard contractual clauses", "scc", "sccs"),
    "bcr": ("binding corporate rules", "bcr", "bcrs"),
    "article49": ("article 49", "derogation"),
}


def format_transfer_safeguards(entries: list[TransferEntry]) -> list[str]:
    result = []
    for entry in entries:
        parts = []
        if entry.mechanism:
            parts.append(law.transfer_mechanisms()[entry.mechanism].name)
        if entry.safeguards.strip():
            parts.append(one_line(entry.safeguards))
        if parts:
            result.append(f"{entry.destination}: " + " – ".join(parts))
    return result


def parse_transfer_safeguard(text: str) -> tuple[str, str]:
    """(mechanism code or "", safeguards) from "IDTA – signed 2024" and the like."""
    stripped = text.strip()
    for code, mechanism in law.transfer_mechanisms().items():
        if stripped.casefold().startswith(mechanism.name.casefold()):
            rest = stripped[len(mechanism.name) :].strip()
            rest = rest[1:].strip() if rest[:1] in ("–", "-", "—", ":") else rest
            return code, rest
    folded = _normal(stripped)
    for code, words in _MECHANISM_SYNONYMS.items():
        if any(re.search(rf"\b{re.escape(word)}\b", folded) for word in words):
            return code, stripped
    return "", stripped


# "What it applies to: period (from trigger)", as format_retention writes it. What it
# applies to may be a long phrase ("Case records of children placed for adoption and of...");
# a line with a colon further in than 200 characters is taken as a period alone.
_RETENTION = re.compile(
    r"^(?:(?P<applies>[^:\n]{1,200}):\s+)?(?P<period>.+?)(?:\s+\(from (?P<trigger>[^()]+)\))?$",
    re.DOTALL,
)


def format_retention(entry: RetentionEntry) -> str:
    text = one_line(entry.period)
    if entry.applies_to.strip():
        text = f"{one_line(entry.applies_to)}: {text}"
    if entry.trigger.strip():
        text += f" (from {one_line(entry.trigger)})"
    return text


def parse_retention(line: str) -> RetentionEntry:
    match = _RETENTION.match(line.strip())
    if match is None:  # only an empty line fails, and callers never pass one
        return RetentionEntry(line.strip())
    return RetentionEntry(
        match.group("period").strip(),
        (match.group("trigger") or "").strip(),
        (match.group("applies") or "").strip(),
    )


_YES = {"yes", "y", "true", "ye"}
_NO = {"no", "n", "false"}


def format_yes_no(value: bool | None) -> str | None:
    return None if value is None else ("Yes" if value else "No")


def parse_yes_no(text: str) -> tuple[bool | None, str]:
    """(the answer, any words after it); (None, text) when it does not start yes or no."""
    match = re.match(r"^\s*([A-Za-z]+)\b[\s:,.\-–—]*(.*)$", text, re.DOTALL)
    if match:
        word = match.group(1).casefold()
        if word in _YES:
            return True, match.group(2).strip()
        if word in _NO:
            return False, match.group(2).strip()
    return None, text.strip()


_HEDGES = re.compile(
    r"\b(?:perhaps|maybe|possibly|not sure|unsure|unknown|tbc|tbd|to be confirmed|ask)\b|\?",
    re.IGNORECASE,
)


def describes(text: str) -> bool:
    """Whether a cell that is neither Yes nor No is a sentence describing the thing (which
    means yes), rather than a doubt ("Perhaps in future", "TBC?")."""
    return len(text.split()) >= 4 and _HEDGES.search(text) is None
