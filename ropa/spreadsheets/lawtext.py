"""Writing the law an activity relies on as words in a cell, and reading it back.

The export writes each basis or condition as its article and name ("Article 6(1)(e) Public
task"), an explanation after a colon, and the legislation it rests on on the following lines.
The import reads that, and what DPOs type by hand, through legal_refs: every basis and
condition a cell names goes to its own field, and every other word of the cell stays, as the
explanation of the item it stands with, as legislation, or handed back as not understood so
that the caller keeps it and reports it.

An explanation the DPO typed over several lines keeps its lines: the first follows the title,
and each further one is written indented under it (cells.with_continuations), for example

    Article 6(1)(c) Legal obligation: We must pay staff.
        HMRC requires RTI returns.
    Finance Act 2004

A person reading the cell in Excel sees the indented line belong to the basis above it, and
the legislation line, not indented, stand apart. The import reads an indented line under a
title line written as the export writes it ("title: explanation") as more of that explanation
only when the line cannot be read as something of its own: a line that names a basis or
condition (a title, or a reference the cell's reading would take as one) or that reads as
legislation (legal_refs.looks_like_legislation, after any list marker, where a basis is there
to take it) is not. A DPO indents such lines by hand ("we must comply with:" and the Acts
under it, one basis under another), and taking them into the explanation changed what the
cell says, silently. From the first such line, the lines under that title are read one by
one, exactly as before indenting meant anything, and each is reported for the DPO to check
(Parsed.doubts), because it may be the rest of an explanation the export wrote: an
explanation whose further line itself names a basis or reads as legislation ("Data
Protection Act 2018 section 8 applies.") does not come back as typed through our own export
and import, but it never comes back changed without a note. Ordinary sentences go on over
lines and come back as typed. Under a line typed any other way, indenting means nothing and
each line is read on its own, as it always was.

Transfer safeguards and retention rules, one a line, are written the same way; their lines
have no title to anchor them, so an indented line goes on with the one above, in a cell typed
by hand too, unless it reads as an item of its own: a retention line with what it applies to
("Adoption records: 100 years"), or one ending with a trigger ("(from the adoption order)")
under a rule that already ends with its own (the export writes a rule's trigger after the
last line of its period, so under a rule without one it is that rule's); a safeguard line
that starts with a destination the activity names and a colon ("India: SCCs"). Such a line,
and the lines after it under the same item, are read one by one as before and reported for
checking; so a rule whose "applies to" part runs over lines, its colon on a further line,
comes back as two rules with a note. An empty line inside a text is written empty and read
as part of the text when an indented line follows it; the text's own edges are trimmed, as
every cell's are on import.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import ropa.spreadsheets.legal_refs as legal_refs
from ropa import law
from ropa.records import ConditionEntry, LawfulBasisEntry, RetentionEntry, TransferEntry
from ropa.spreadsheets.cells import (
    ItemLines,
    item_lines,
    one_line,
    set_apart_reason,
    strip_marker,
    with_continuations,
)
from ropa.spreadsheets.legal_refs import (
    ARTICLE6,
    ARTICLE9,
    ARTICLE10,
    SCHEDULE1,
    looks_like_legislation,
)

T = TypeVar("T")


@dataclass
class Parsed(Generic[T]):
    values: list[T] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)
    # What was found where another field was expected: ("article6", "article9", "schedule1"
    # or "article10", entry), such as "Art 6(1)(b) & Art 9(2)(h)" in the Article 6 column.
    # An Article 6 basis found elsewhere is an entry with the basis as its code.
    elsewhere: list[tuple[str, ConditionEntry]] = field(default_factory=list)
    # Lines read, but written as a question ("Substantial public interest?"): to confirm.
    uncertain: list[str] = field(default_factory=list)
    # For each entry of `elsewhere`, the line that named it, as written (for the report).
    elsewhere_written: list[str] = field(default_factory=list)
    # (line as written, why) for what was read but should be checked.
    doubts: list[tuple[str, str]] = field(default_factory=list)


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s()]", " ", text.casefold()).split())


# --- writing -------------------------------------------------------------------------------


def basis_title(code: str) -> str:
    return legal_refs.title(ARTICLE6, code)


def format_lawful_bases(entries: list[LawfulBasisEntry]) -> list[str]:
    """Each basis on a line with its explanation, then the legislation it rests on."""
    result: list[str] = []
    for entry in entries:
        line = basis_title(entry.basis)
        if entry.explanation.strip():
            line += f": {with_continuations(entry.explanation)}"
        result.append(line)
        result.extend(one_line(name) for name in entry.legislation if name.strip())
    return result


def article9_title(code: str) -> str:
    return legal_refs.title(ARTICLE9, code)


def schedule1_title(code: str) -> str:
    return legal_refs.title(SCHEDULE1, code)


def format_conditions(entries: list[ConditionEntry], scheme: str) -> list[str]:
    title = article9_title if scheme == "article9" else schedule1_title
    return [
        title(entry.code)
        + (f": {with_continuations(entry.explanation)}" if entry.explanation.strip() else "")
        for entry in entries
    ]


# --- reading -------------------------------------------------------------------------------


@dataclass
class _Entry:
    """A basis or condition being read from a cell, before it becomes a record entry."""

    scheme: str
    code: str
    explanation: str
    legislation: list[str]
    written: str


@functools.cache
def _titles() -> dict[str, tuple[str, str]]:
    """Each title as the export writes it, to (scheme, code)."""
    found = {basis_title(code): (ARTICLE6, code) for code in law.lawful_bases()}
    found.update({article9_title(code): (ARTICLE9, code) for code in law.article9_conditions()})
    found.update({schedule1_title(code): (SCHEDULE1, code) for code in law.schedule1_conditions()})
    return found


@functools.lru_cache(maxsize=16_384)
def _exported_line(line: str) -> tuple[str, str, str] | None:
    """(scheme, code, explanation) for a line as the export writes it: a title, then
    nothing or ": " and the explanation, which is taken whole (it is what the DPO typed)."""
    if not line.startswith(("Article ", "Schedule 1 ")):
        return None
    for title, (scheme, code) in _titles().items():
        if line.startswith(title):
            rest = line[len(title) :]
            if not rest.strip():
                return scheme, code, ""
            if rest.startswith(": "):
                return scheme, code, rest[2:].strip()
    return None


def _read_cell(text: str | None, column: str) -> tuple[list[_Entry], Parsed[None]]:
    """The entries a cell names, in order, and what could not be placed or should be
    checked (in a Parsed without values)."""
    reading = _CellReading(column)
    for item in item_lines(text):
        first = strip_marker(item.first)
        as_exported = _exported_line(first) if item.continued else None
        if as_exported is not None and as_exported[2]:
            reading.take_explained(item, *as_exported)
            continue
        # Indenting means nothing here (the line above was typed by hand): line by line.
        for raw in item.one_by_one():
            reading.read_line(raw)
    _give_away_article10_words(reading.entries, reading.notes)
    return reading.entries, reading.notes


@dataclass
class _CellReading:
    """A law cell being read, line by line or an explained entry at a time."""

    column: str
    entries: list[_Entry] = field(default_factory=list)
    notes: Parsed[None] = field(default_factory=Parsed)
    # Whether the export wrote the cell, as its first line tells (read only once that is read).
    exported: bool = False
    started: bool = False

    def take_explained(self, item: ItemLines, scheme: str, code: str, explanation: str) -> None:
        """A line as the export writes it ("title: explanation") with the indented lines
        under it: the explanation goes on in them up to the first that can be read as
        something of its own (the export's way of writing an explanation typed over several
        lines, and a DPO's of listing Acts or bases under one); from there, line by line, as
        before indenting meant anything, each line noted for the DPO to check."""
        self._first(exported=True)
        will_have_basis = scheme == ARTICLE6 or any(e.scheme == ARTICLE6 for e in self.entries)

        def stands_alone(line: str, above: str) -> str:
            # The text above does not matter here: a basis or an Act reads as one under any.
            return self._stands_alone(line, will_have_basis)

        kept, apart = item.split_off(stands_alone)
        # The first line's trailing spaces are the DPO's when more lines follow them.
        trailing = kept.first[len(kept.first.rstrip()) :] if kept.continued else ""
        whole = "\n".join((explanation + trailing, *kept.continued)).rstrip()
        written = "\n".join((kept.first.strip(), *kept.continued))
        self.entries.append(_Entry(scheme, code, whole, [], written))
        for line in apart:
            self.notes.doubts.append(
                (line, set_apart_reason(self._stands_alone(line, will_have_basis)))
            )
            self.read_line(line)

    def _stands_alone(self, line: str, has_basis: bool) -> str:
        """Why an indented line can be read as something of its own, as the line-by-line
        reading would read it: a basis or condition (a title, or a reference the cell's
        reading takes as one), or legislation where a basis is there to take it."""
        bare = strip_marker(line).rstrip().rstrip("?").rstrip()
        if _exported_line(bare) is not None:
            return "it names a basis or condition"
        if legal_refs.read_line(bare, self.column) and (
            not self.exported or legal_refs.has_reference(bare, self.column)
        ):
            return "it names a basis or condition"
        if has_basis and looks_like_legislation(bare):
            return "it reads as legislation"
        return ""

    def read_line(self, raw: str) -> None:
        line = strip_marker(raw)
        as_exported = _exported_line(line)
        if as_exported is None or not as_exported[2]:
            # A question mark after the title is a doubt about the item; one ending the words
            # after "title: " ends the DPO's own sentence, kept as written like the rest of it.
            if line.rstrip().endswith("?"):
                self.notes.uncertain.append(raw)
                line = line.rstrip().rstrip("?").rstrip()
            as_exported = _exported_line(line)
        self._first(exported=as_exported is not None)
        if as_exported is not None:
            scheme, code, explanation = as_exported
            self.entries.append(_Entry(scheme, code, explanation, [], raw))
            return
        found = legal_refs.read_line(line, self.column)
        if found and not (self.exported and not legal_refs.has_reference(line, self.column)):
            for item in found:
                legislation = [item.legislation] if item.legislation else []
                self.entries.append(
                    _Entry(item.scheme, item.code, item.explanation, legislation, raw)
                )
                if item.doubt:
                    self.notes.doubts.append((raw, item.doubt))
            return
        if not self.entries:
            self.notes.not_understood.append(raw)
            return
        _continue(self.entries, line, self.exported)

    def _first(self, exported: bool) -> None:
        if not self.started:
            self.started, self.exported = True, exported


def _give_away_article10_words(entries: list[_Entry], notes: Parsed[None]) -> None:
    """The register keeps no explanation beside the Article 10 basis: words that stood with
    it go to the entry before it (or after it), or are handed back as not understood."""
    for index, entry in enumerate(entries):
        if entry.scheme != ARTICLE10 or not (entry.explanation or entry.legislation):
            continue
        words = " ".join(part for part in (entry.explanation, *entry.legislation) if part)
        entry.explanation, entry.legislation = "", []
        nearest_first = entries[:index][::-1] + entries[index + 1 :]
        target = next((other for other in nearest_first if other.scheme != ARTICLE10), None)
        if target is None:
            notes.not_understood.append(words)
        else:
            target.explanation = " ".join(p for p in (target.explanation, words) if p)


def _continue(entries: list[_Entry], line: str, exported: bool) -> None:
    """A line that names nothing, after lines that did: the legislation of the last Article 6
    basis (always, in a cell the export wrote; else when it reads like legislation), or more
    of the last entry's explanation."""
    bases = [entry for entry in entries if entry.scheme == ARTICLE6]
    if bases and (exported or looks_like_legislation(line)):
        bases[-1].legislation.append(line.strip())
        return
    last = entries[-1]
    last.explanation = " ".join(part for part in (last.explanation, line.strip()) if part)


def parse_lawful_bases(text: str | None) -> Parsed[LawfulBasisEntry]:
    """The bases a cell names, with their explanations and legislation, and the conditions it
    names (in `elsewhere`); a fresh copy each time (callers change the entries) of a cached
    parse, as a workbook repeats its cells."""
    cached = _parse_lawful_bases(text)
    return _copy(
        cached,
        [LawfulBasisEntry(e.basis, e.explanation, list(e.legislation)) for e in cached.values],
    )


def _copy(cached: Parsed[Any], values: list[T]) -> Parsed[T]:
    """A copy of a cached parse with the `values` given (copies of its own)."""
    return Parsed(
        values,
        list(cached.not_understood),
        [(scheme, ConditionEntry(e.code, e.explanation)) for scheme, e in cached.elsewhere],
        list(cached.uncertain),
        list(cached.elsewhere_written),
        list(cached.doubts),
    )


@functools.lru_cache(maxsize=4_096)
def _parse_lawful_bases(text: str | None) -> Parsed[LawfulBasisEntry]:
    # Never handed out: parse_lawful_bases copies it.
    entries, notes = _read_cell(text, ARTICLE6)
    parsed: Parsed[LawfulBasisEntry] = Parsed(
        not_understood=notes.not_understood, uncertain=notes.uncertain, doubts=notes.doubts
    )
    by_code: dict[str, LawfulBasisEntry] = {}
    for entry in entries:
        if entry.scheme != ARTICLE6:
            _put_elsewhere(parsed, entry)
            continue
        same = by_code.get(entry.code)
        if same is None:
            same = by_code[entry.code] = LawfulBasisEntry(entry.code, entry.explanation, [])
            parsed.values.append(same)
        elif entry.explanation and entry.explanation not in same.explanation:
            same.explanation = "; ".join(p for p in (same.explanation, entry.explanation) if p)
        same.legislation += [name for name in entry.legislation if name not in same.legislation]
    return parsed


def _put_elsewhere(parsed: Parsed[T], entry: _Entry) -> None:
    """Keep an entry for another field; one named twice is kept once, with both
    explanations and both lines that named it."""
    explanation = " ".join(part for part in (entry.explanation, *entry.legislation) if part)
    for index, (scheme, found) in enumerate(parsed.elsewhere):
        if (scheme, found.code) == (entry.scheme, entry.code):
            if explanation and explanation not in found.explanation:
                found.explanation = "; ".join(p for p in (found.explanation, explanation) if p)
            if entry.written not in parsed.elsewhere_written[index].split("\n"):
                parsed.elsewhere_written[index] += "\n" + entry.written
            return
    parsed.elsewhere.append((entry.scheme, ConditionEntry(entry.code, explanation)))
    parsed.elsewhere_written.append(entry.written)


def parse_conditions(text: str | None, scheme: str) -> Parsed[ConditionEntry]:
    """Article 9(2) conditions (scheme "article9") or Schedule 1 paragraphs ("schedule1");
    what the cell names of other kinds is in `elsewhere`."""
    cached = _parse_conditions(text, scheme)
    return _copy(cached, [ConditionEntry(e.code, e.explanation) for e in cached.values])


@functools.lru_cache(maxsize=4_096)
def _parse_conditions(text: str | None, scheme: str) -> Parsed[ConditionEntry]:
    entries, notes = _read_cell(text, scheme)
    parsed: Parsed[ConditionEntry] = Parsed(
        not_understood=notes.not_understood, uncertain=notes.uncertain, doubts=notes.doubts
    )
    by_code: dict[str, ConditionEntry] = {}
    for entry in entries:
        explanation = " ".join(part for part in (entry.explanation, *entry.legislation) if part)
        if entry.scheme != scheme:
            _put_elsewhere(parsed, entry)
            continue
        same = by_code.get(entry.code)
        if same is None:
            same = by_code[entry.code] = ConditionEntry(entry.code, explanation)
            parsed.values.append(same)
        elif explanation and explanation not in same.explanation:
            same.explanation = "; ".join(p for p in (same.explanation, explanation) if p)
    return parsed


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
            parts.append(entry.safeguards.strip())
        if parts:
            result.append(with_continuations(f"{entry.destination}: " + " – ".join(parts)))
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


# "What it applies to: period (from trigger)", as format_retention writes it, each part over
# one line or several. What it applies to may be a long phrase ("Case records of children
# placed for adoption and of..."); a rule with a colon further in than 200 characters is
# taken as a period alone. A colon in the words before it cannot be told from this one.
_RETENTION = re.compile(
    r"^(?:(?P<applies>[^:]{1,200}):\s+)?(?P<period>.+?)(?:\s+\(from (?P<trigger>[^()]+)\))?$",
    re.DOTALL,
)


def format_retention(entry: RetentionEntry) -> str:
    text = entry.period.strip()
    if entry.applies_to.strip():
        text = f"{entry.applies_to.strip()}: {text}"
    if entry.trigger.strip():
        text += f" (from {entry.trigger.strip()})"
    return with_continuations(text)


def reads_as_a_rule(line: str, above: str) -> str:
    """Why an indented line can be a retention rule of its own, given the rule above it, or
    "" when it cannot: one saying what it applies to ("Adoption records: 100 years"), or one
    ending with its trigger under a rule that already ends with its own ("6 years (from
    leaving)"). A trigger under a rule without one is that rule's: the export writes a
    rule's trigger after the last line of its period."""
    line_match = _RETENTION.match(strip_marker(line))
    above_match = _RETENTION.match(strip_marker(above))
    if line_match is None:
        return ""
    if line_match.group("applies"):
        return "it reads as a whole retention rule (what it applies to, then its period)"
    if line_match.group("trigger") and above_match and above_match.group("trigger"):
        return "it reads as a whole retention rule, and the rule above has its trigger already"
    return ""


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
