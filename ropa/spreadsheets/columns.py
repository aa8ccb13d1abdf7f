"""What each column holds: an activity's fields written as cell text, and read back.

Each column key of layout.py has a writer (record -> cell) and a reader (cell -> fields of
the activity being built).  Both live here, side by side, so that what the export writes is
exactly what the import understands: our own workbook comes back without loss.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import ropa.spreadsheets.categories as categories
import ropa.spreadsheets.lawtext as lawtext
import ropa.spreadsheets.layout as layout
from ropa import law
from ropa.fields import ROLE_LABELS, STATUS_LABELS, Kind, fields_of_kind
from ropa.fields import label as field_label
from ropa.records import ActivityRecord, ConditionEntry, Status, TransferEntry
from ropa.review_rules import CHANGED_SINCE_APPROVED, status_label
from ropa.spreadsheets.cells import (
    ItemText,
    format_date,
    gives_a_fixed_value,
    is_empty,
    is_generic_link_text,
    is_url,
    item_texts,
    join_lines,
    lines,
    parse_date,
    split_values,
    strip_marker,
)
from ropa.spreadsheets.headers import says_processor_role
from ropa.spreadsheets.report import Problem


@dataclass(frozen=True)
class CellOut:
    text: str | None
    link: str | None = None


@dataclass(frozen=True)
class CellIn:
    """A cell as the import sees it: its text (already checked), hyperlink and address."""

    sheet: str
    ref: str
    header: str
    text: str | None
    link: str | None = None
    # The formula the cell holds, as written in the file ("FALSE()"), if any: its text is
    # only the value a program last worked out from it.
    formula: str | None = None


@dataclass
class Draft:
    """An activity being put together from one or more rows of a workbook."""

    first_row: int
    values: dict[str, Any] = field(default_factory=dict)
    processor_links: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    sheet: str = ""
    last_row: int = 0
    # Text found in the columns the register works out (header = the column's key).
    derived: list[CellIn] = field(default_factory=list)
    # Bases and conditions written in another column, put in their own field by _complete
    # (see law_elsewhere.place); the cell's text is the line that named them, as written.
    elsewhere: list[tuple[str, ConditionEntry, CellIn]] = field(default_factory=list)
    # Cells read, but with what was read put elsewhere or to be confirmed (not in notes).
    moved: list[Problem] = field(default_factory=list)
    # A categories cell split at its commas: the line as written and the report's line on it
    # (the import keeps it whole if the library has a category of that name).
    comma_split: tuple[str, Problem] | None = None
    # Cells naming an entry or item on each line (a recipient's reason, a basis's Annex 1
    # condition): put in their entries once the whole row is read (apply_named_lines), as
    # the entries may come from a column further right.
    named_lines: list[tuple[str, CellIn]] = field(default_factory=list)

    def not_understood(self, cell: CellIn, value: str, why: str) -> None:
        self.problems.append(Problem(cell.sheet, cell.ref, value, why))


# --- what each field holds, from ropa.fields -----------------------------------------------

DATE_FIELDS = fields_of_kind(Kind.DATE)
# Written and read as the cell's text.  (The details of automated decisions share the
# automated decisions column, so they have a reader and writer of their own.)
_TEXT_FIELDS = fields_of_kind(Kind.TEXT, Kind.LONG_TEXT) - {"automated_decision_details"}
_LINK_TEXT_FIELDS = fields_of_kind(Kind.LINK)
# Yes, no or unknown, then any details; automated decisions are "Yes: " and their details,
# with a reader and writer of their own.
_TRI_STATE_FIELDS = fields_of_kind(Kind.TRI_STATE) - {"automated_decisions"}
_FLAG_FIELDS = fields_of_kind(Kind.YES_NO) - {"automated_decisions"}
_LIST_FIELDS = fields_of_kind(Kind.LIBRARY) - {"processors"}


# --- writing -------------------------------------------------------------------------------


def render(key: str, record: ActivityRecord, contract_links: dict[str, str]) -> CellOut:
    """The cell for column `key`; `contract_links` maps processor names to their contracts."""
    if key in _TEXT_FIELDS:
        return CellOut(getattr(record, key) or None)
    if key in _LINK_TEXT_FIELDS:
        text = getattr(record, key)
        return CellOut(text or None, text.strip() if text and is_url(text) else None)
    if key in _LIST_FIELDS:
        return CellOut(join_lines(getattr(record, key)) or _as_written(record, key))
    if key in DATE_FIELDS:
        return CellOut(format_date(getattr(record, key)) or _as_written(record, key))
    if key in _TRI_STATE_FIELDS or key in _FLAG_FIELDS:
        answer = lawtext.format_yes_no(getattr(record, key))
        details = record.extra_fields.get(yes_no_details_key(key), "").strip()
        if answer and says_none(details):
            details = ""  # an "N/A" kept while unanswered is not written after a later answer
        if details:
            return CellOut(f"{answer} - {details}" if answer else details)
        return CellOut(answer)
    return _SPECIAL_WRITERS[key](record, contract_links)


# What a person wrote after a yes or no ("Yes - completed March 2024") is kept as an own
# field of the activity under these names, and written back after the answer in its column.
_YES_NO_DETAILS = {
    "dpia_required": "DPIA required (details)",
    "breach_occurred": "Breach occurred (details)",
    "retention_follows_apd": "Retained as the policy document says (details)",
    "involves_children": "Involves children (details)",
    "large_scale": "Large scale (details)",
}


def yes_no_details_key(key: str) -> str:
    """The own field keeping what was written after the answer to yes/no question `key`
    (named after the field's label for a question added since the names above)."""
    return _YES_NO_DETAILS.get(key) or f"{field_label(key)} (details)"


YES_NO_DETAILS_KEYS = frozenset(
    yes_no_details_key(key) for key in fields_of_kind(Kind.TRI_STATE, Kind.YES_NO)
)


# "None", "N/A", "Not applicable" written where a list or a date belongs are the DPO's
# statement ("we considered it: there are none"), not an empty cell: the register keeps the
# words as an own field under these names, and the export writes them back in their column
# while the field itself is empty.  (In a text field the words are the field's text; after
# a yes/no question they are its details.)
def as_written_key(key: str) -> str:
    return f"{field_label(key)} (as written)"


_AS_WRITTEN_KEYS = frozenset(as_written_key(key) for key in fields_of_kind(Kind.LIBRARY, Kind.DATE))
# Own fields that belong in an ICO column, never in a column of their own.
IN_THEIR_COLUMN_KEYS = YES_NO_DETAILS_KEYS | _AS_WRITTEN_KEYS


def says_none(text: str | None) -> bool:
    """Whether a cell holds words that say there is nothing ("None", "N/A"), as against
    a cell with nothing in it."""
    return text is not None and bool(text.strip()) and is_empty(text)


def _as_written(record: ActivityRecord, key: str) -> str | None:
    return record.extra_fields.get(as_written_key(key), "").strip() or None


def _processors(record: ActivityRecord, contract_links: dict[str, str]) -> CellOut:
    written = []
    links = []
    for name in record.processors:
        link = contract_links.get(name, "").strip()
        written.append(f"{name} ({link})" if link else name)
        if link:
            links.append(link)
    single_link = links[0] if len(links) == 1 and is_url(links[0]) else None
    return CellOut(join_lines(written), single_link)


def _automated(record: ActivityRecord, _links: dict[str, str]) -> CellOut:
    # Unknown is written as a blank (or the details alone), never as "No".
    answer = lawtext.format_yes_no(record.automated_decisions)
    details = record.automated_decision_details.strip()
    if answer and says_none(details):
        details = ""  # an "N/A" kept while unanswered is not written after a later answer
    if details:
        return CellOut(f"{answer}: {details}" if answer else details)
    # "No" is written too: a DPO's "No" comes back out where they wrote it.
    return CellOut(answer)


def _apd_lawful_bases(record: ActivityRecord, _links: dict[str, str]) -> CellOut:
    if not needs_policy_document(record):
        return CellOut(None)
    return CellOut(join_lines([lawtext.basis_title(entry.basis) for entry in record.lawful_bases]))


def needs_policy_document(record: ActivityRecord) -> bool:
    conditions = law.schedule1_conditions()
    return any(
        entry.code in conditions and conditions[entry.code].requires_apd
        for entry in record.schedule1
    )


def _dpia_criteria(record: ActivityRecord, _links: dict[str, str]) -> CellOut:
    """The ICO's high-risk kinds ticked, by their names, one a line."""
    criteria = law.dpia_criteria()
    return CellOut(
        join_lines(
            [
                criteria[code].name if code in criteria else code
                for code in lines(record.dpia_criteria)
            ]
        )
    )


# --- lines naming an entry or item: "United States: Yes" ------------------------------------


def _named_line(name: str, value: str) -> str:
    return f"{name}: {value.strip()}"


def _recipient_reasons(record: ActivityRecord, _links: dict[str, str]) -> CellOut:
    return CellOut(
        join_lines(
            [
                _named_line(name, record.recipient_reasons[name])
                for name in record.recipients
                if record.recipient_reasons.get(name, "").strip()
            ]
        )
    )


def _entry_name(field: str, entry: Any) -> str:
    """How a line of an entry-detail column names its entry: a basis by the law's title, a
    transfer by its destination."""
    if field == "lawful_bases":
        return lawtext.basis_title(entry.basis)
    return str(entry.destination)


# A transfer's data protection test is kept as "yes", "no" or "" (ropa.records).
_TEST_WORDS = {"yes": "Yes", "no": "No"}


def _entry_detail_writer(
    detail: layout.EntryDetail,
) -> Callable[[ActivityRecord, dict[str, str]], CellOut]:
    def writer(record: ActivityRecord, _links: dict[str, str]) -> CellOut:
        written = []
        for entry in getattr(record, detail.field):
            value = str(getattr(entry, detail.attribute)).strip()
            if value:
                value = _TEST_WORDS.get(value, value)
                written.append(_named_line(_entry_name(detail.field, entry), value))
        return CellOut(join_lines(written))

    return writer


_SPECIAL_WRITERS: dict[str, Callable[[ActivityRecord, dict[str, str]], CellOut]] = {
    "dpia_criteria": _dpia_criteria,
    "recipient_reasons": _recipient_reasons,
    **{detail.key: _entry_detail_writer(detail) for detail in layout.ENTRY_DETAILS},
    "processors": _processors,
    "transfer_destinations": lambda r, _l: CellOut(
        join_lines([entry.destination for entry in r.transfers])
    ),
    "transfer_safeguards": lambda r, _l: CellOut(
        join_lines(lawtext.format_transfer_safeguards(r.transfers))
    ),
    "retention": lambda r, _l: CellOut(
        join_lines([lawtext.format_retention(entry) for entry in r.retention])
    ),
    "lawful_bases": lambda r, _l: CellOut(join_lines(lawtext.format_lawful_bases(r.lawful_bases))),
    "article9": lambda r, _l: CellOut(
        join_lines(lawtext.format_conditions(r.article9, "article9"))
    ),
    "schedule1": lambda r, _l: CellOut(
        join_lines(lawtext.format_conditions(r.schedule1, "schedule1"))
    ),
    "apd_lawful_bases": _apd_lawful_bases,
    "rights": lambda r, _l: CellOut(
        join_lines(lawtext.rights_available(r.lawful_bases, r.automated_decisions is True))
    ),
    "automated_decisions": _automated,
    "status": lambda r, _l: CellOut(status_label(r.status, r.changed_since_approval)),
    "role": lambda r, _l: CellOut(ROLE_LABELS[r.role]),
    "article10_basis": lambda r, _l: CellOut(
        lawtext.article10_title(r.article10_basis) if r.article10_basis else None
    ),
}


# --- reading -------------------------------------------------------------------------------

# Columns worked out from others: the import keeps what they say only where it differs
# from what would be worked out (see derived_text).
DERIVED_KEYS = frozenset({"rights", "apd_lawful_bases"})


def derived_text(key: str, values: dict[str, Any]) -> list[str]:
    """The lines the export would write in a derived column for an activity's values."""
    bases = values.get("lawful_bases") or []
    if key == "rights":
        return lawtext.rights_available(bases, values.get("automated_decisions") is True)
    conditions = law.schedule1_conditions()
    if any(
        entry.code in conditions and conditions[entry.code].requires_apd
        for entry in values.get("schedule1") or []
    ):
        return [lawtext.basis_title(entry.basis) for entry in bases]
    return []


def answers_yes_or_no(key: str) -> bool:
    return key in _TRI_STATE_FIELDS or key in _FLAG_FIELDS or key == "automated_decisions"


def is_template_default(key: str, formula: str | None) -> bool:
    """A yes/no answer filled in by a formula that always gives the same value (=FALSE(), as a
    tool's template sets every row): the template's default, not the DPO's answer.  The
    question stays open (unknown, never No) until the DPO answers it."""
    return formula is not None and answers_yes_or_no(key) and gives_a_fixed_value(formula)


def read(key: str, draft: Draft, cell: CellIn) -> None:
    """Put what `cell` says into the draft; keep and report what cannot be understood."""
    if is_template_default(key, cell.formula):
        written = str(cell.formula).strip()
        # Rows that continue one activity: the other rows' answer, if any, is read instead.
        outcome = (
            f"“{field_label(key)}” left unanswered: answer it in the register"
            if cell.text is None
            else "not read as an answer; what the activity's other rows say is read"
        )
        draft.moved.append(
            Problem(
                cell.sheet,
                cell.ref,
                written if written.startswith("=") else f"={written}",
                "a formula that always gives the same value (a template's default, not an "
                f"answer); {outcome}",
            )
        )
        if cell.text is None:
            draft.values[key] = None
            return
    if says_none(cell.text) and key in _ANSWERS_NONE_KEEPS:
        _keep_none_statement(key, draft, str(cell.text).strip())
        return
    text = None if is_empty(cell.text) else cell.text
    if read_plain(key, draft, text, cell.link):
        return
    if key in DATE_FIELDS:
        _read_date(key, draft, cell, text)
    elif key in _TRI_STATE_FIELDS or key in _FLAG_FIELDS:
        _read_yes_no(key, draft, cell, text)
    else:
        _SPECIAL_READERS[key](draft, cell, text)


# Fields where "None" or "N/A" is kept as the DPO wrote it (see as_written_key).
KEEPS_NONE_AS_WRITTEN = (
    _TEXT_FIELDS
    | _LINK_TEXT_FIELDS
    | _LIST_FIELDS
    | DATE_FIELDS
    | _TRI_STATE_FIELDS
    | _FLAG_FIELDS
    | {"automated_decisions"}
)
_ANSWERS_NONE_KEEPS = (
    _LIST_FIELDS | DATE_FIELDS | _TRI_STATE_FIELDS | _FLAG_FIELDS | {"automated_decisions"}
)


def _keep_none_statement(key: str, draft: Draft, text: str) -> None:
    """ "None" or "N/A" where a list, a date or a yes/no answer belongs: the field stays
    empty (a yes/no question unanswered, never No) and the words are kept to be written
    back in the same column."""
    if key == "automated_decisions":
        draft.values["automated_decisions"] = None
        draft.values["automated_decision_details"] = text
        return
    if key in _LIST_FIELDS:
        draft.values[key] = []
        draft.values.setdefault("extra_fields", {})[as_written_key(key)] = text
    elif key in DATE_FIELDS:
        draft.values[key] = None
        draft.values.setdefault("extra_fields", {})[as_written_key(key)] = text
    else:
        draft.values[key] = None
        draft.values.setdefault("extra_fields", {})[yes_no_details_key(key)] = text


def read_plain(key: str, draft: Draft, text: str | None, link: str | None) -> bool:
    """Put what a cell says into the draft, for the fields whose reading can never go wrong
    (text, links, lists) and for any empty cell of a field with a fixed default; False for
    the others, which must go through read() with the cell's address for the report.

    `text` is the cell's text; "N/A" and the like are None except in the columns of
    KEEPS_NONE_AS_WRITTEN, where they are the DPO's words and kept.  Most cells
    of a register are of this kind, and building a CellIn for each is what an import of
    10,000 rows spent much of its time on."""
    if key in DERIVED_KEYS:
        return True
    if says_none(text) and key in _ANSWERS_NONE_KEEPS:
        return False  # the DPO's "None": read() keeps it
    if key in _TEXT_FIELDS:
        draft.values[key] = (text or "").strip() if key != "notes" else (text or "")
    elif key in _LINK_TEXT_FIELDS:
        draft.values[key] = _link_value(text, link)
    elif key in _LIST_FIELDS and (key != "data_categories" or text is None):
        # Categories of data with text are read with their address, for the report.
        draft.values[key] = _split_lines(text)
    elif text is None and link is None:
        if not read_empty(key, draft):
            # An empty cell is never reported as not understood, so it needs no address.
            _SPECIAL_READERS[key](draft, _EMPTY_CELL, None)
    else:
        return False
    return True


def empty_defaults(keys: Iterable[str]) -> dict[str, Any]:
    """What empty cells of these columns put into a draft, for each column whose reading of
    an empty cell is a fixed default (see read_empty); the other columns are left out.
    Lists in it must be copied before they go into a draft."""
    scratch = Draft(0)
    for key in keys:
        read_empty(key, scratch)
    return scratch.values


def _split_lines(text: str | None) -> list[str]:
    """split_values(text), line by line: the same values, but a cell's lines repeat far
    more often than whole cells (eight categories out of two hundred are rarely the same
    eight twice), and split_values caches what it makes of each text."""
    if text is None:
        return []
    return [value for line in lines(text) for value in split_values(line)]


def read_empty(key: str, draft: Draft) -> bool:
    """Put what an empty cell (no text, no link) means into the draft, for the fields whose
    reading of an empty cell is a fixed default; False for the others, which must go through
    read().  Most cells of a register are empty, and building a CellIn for each is what an
    import of 10,000 rows spent most of its reading time on."""
    if key in DERIVED_KEYS:
        return True
    if key in _TEXT_FIELDS or key in _LINK_TEXT_FIELDS:
        draft.values[key] = ""
    elif key in _LIST_FIELDS:
        draft.values[key] = []
    elif key in DATE_FIELDS:
        draft.values[key] = None
    elif key in _FLAG_FIELDS:
        draft.values[key] = False
    elif key in _TRI_STATE_FIELDS:
        draft.values[key] = None
    else:
        return False
    return True


def _link_value(text: str | None, link: str | None) -> str:
    if link and (text is None or is_generic_link_text(text) or text.strip() == link.strip()):
        return link.strip()
    if link and text and not is_url(text):
        return link.strip()
    return (text or "").strip()


def _read_date(key: str, draft: Draft, cell: CellIn, text: str | None) -> None:
    if text is None:
        draft.values[key] = None
        return
    parsed = parse_date(text)
    if parsed is None:
        draft.not_understood(cell, text, "not a date such as 21 November 2026")
    draft.values[key] = parsed


def _read_yes_no(key: str, draft: Draft, cell: CellIn, text: str | None) -> None:
    if text is None:
        draft.values[key] = False if key in _FLAG_FIELDS else None
        return
    answer, rest = lawtext.parse_yes_no(text)
    if answer is None and lawtext.describes(text):
        # A sentence describing the thing ("Completed by the project board in March 2024")
        # means yes; the sentence is kept with the answer.
        draft.moved.append(
            Problem(cell.sheet, cell.ref, text, "read as Yes, with this written after it")
        )
        answer, rest = True, text.strip()
    if answer is None:
        draft.not_understood(cell, text, "expected Yes or No")
    elif rest:
        draft.values.setdefault("extra_fields", {})[yes_no_details_key(key)] = rest
    draft.values[key] = (answer or False) if key in _FLAG_FIELDS else answer


def _read_processors(draft: Draft, cell: CellIn, text: str | None) -> None:
    names: list[str] = []
    values = split_values(text)
    for value in values:
        name, link = _name_and_link(value)
        if not name:
            draft.not_understood(cell, value, "a contract link without the processor's name")
            continue
        if link is None and cell.link and len(values) == 1 and not is_url(name):
            link = cell.link.strip()
        names.append(name)
        if link:
            draft.processor_links[name] = link
    draft.values["processors"] = names


_NAME_AND_LINK = re.compile(r"^(?P<name>.*?)[\s\-–—:,]*\(?(?P<link>https?://[^\s()]+)\)?$")


def _name_and_link(value: str) -> tuple[str, str | None]:
    match = _NAME_AND_LINK.match(value)
    if match is None:
        return value.strip(), None
    return match.group("name").strip(), match.group("link")


def _read_transfer_destinations(draft: Draft, cell: CellIn, text: str | None) -> None:
    known = {t.destination.casefold(): t for t in draft.values.get("transfers", [])}
    for destination in split_values(text):
        if destination.casefold() not in known:
            known[destination.casefold()] = TransferEntry(destination)
    draft.values["transfers"] = list(known.values())


def _read_transfer_safeguards(draft: Draft, cell: CellIn, text: str | None) -> None:
    transfers: list[TransferEntry] = list(draft.values.get("transfers", []))
    by_name = {entry.destination.casefold(): entry for entry in transfers}

    def names_a_destination(line: str, above: str) -> str:
        destination, _, rest = strip_marker(line).partition(":")
        if rest and destination.strip().casefold() in by_name:
            return f"it starts with “{destination.strip()}:”, a destination of this activity"
        return ""

    for item in item_texts(text, names_a_destination):
        raw = item.text
        _set_apart(draft, cell, item)
        line = strip_marker(raw)
        destination, _, rest = line.partition(":")
        entry = by_name.get(destination.strip().casefold()) if rest else None
        if entry is None and len(transfers) == 1:
            entry, rest = transfers[0], line
        if entry is None:
            draft.not_understood(
                cell, raw, "cannot tell which country or organisation this safeguard is for"
            )
            continue
        mechanism, safeguards = lawtext.parse_transfer_safeguard(rest)
        entry.mechanism = entry.mechanism or mechanism
        entry.safeguards = "\n".join(s for s in (entry.safeguards, safeguards) if s)
    draft.values["transfers"] = transfers


def _read_retention(draft: Draft, cell: CellIn, text: str | None) -> None:
    rules = []
    for item in item_texts(text, lawtext.reads_as_a_rule):
        _set_apart(draft, cell, item)
        if strip_marker(item.text):
            rules.append(lawtext.parse_retention(strip_marker(item.text)))
    draft.values["retention"] = rules


def _set_apart(draft: Draft, cell: CellIn, item: ItemText) -> None:
    """Ask the DPO to check a line indented under another but read on its own."""
    if item.set_apart:
        draft.moved.append(Problem(cell.sheet, cell.ref, item.text, item.set_apart))


def _read_data_categories(draft: Draft, cell: CellIn, text: str | None) -> None:
    """The categories a cell lists, with a line for the report where a one-line cell was
    split at its commas and for each category that suggests special category or criminal
    offence data (the import marks new library items so: see categories.py)."""
    split = categories.split_categories(text)
    draft.values["data_categories"] = list(split.categories)
    if split.at_commas and text is not None:
        shown = ", ".join(f"“{name}”" for name in split.categories)
        told = Problem(
            cell.sheet,
            cell.ref,
            text,
            f"read as {len(split.categories)} categories of personal data: {shown}",
        )
        draft.moved.append(told)
        draft.comma_split = (text.strip(), told)
    for name in split.categories:
        suggestions = categories.suggest(name)
        if suggestions:
            found = "; ".join(suggestion.describe() for suggestion in suggestions)
            draft.moved.append(
                Problem(
                    cell.sheet,
                    cell.ref,
                    name,
                    f"the words suggest {found}. Marked so if it is new to the library (one "
                    "already there keeps what was set); confirm it in the Library",
                )
            )


def _read_lawful_bases(draft: Draft, cell: CellIn, text: str | None) -> None:
    parsed = lawtext.parse_lawful_bases(text)
    for value in parsed.not_understood:
        draft.not_understood(cell, value, "not an Article 6 lawful basis")
    for entry in parsed.values:
        # "Legitimate interest (operator is controller of their contacts; Propvora is
        # processor)": who is controller is not why the basis applies, and a privacy notice
        # must not print it as the reason; it is kept in the notes, as written.
        if entry.explanation and says_processor_role(entry.explanation):
            draft.not_understood(
                cell,
                entry.explanation,
                "says who is controller or processor, not the reason for the basis "
                f"({lawtext.basis_title(entry.basis)})",
            )
            entry.explanation = ""
    _found_elsewhere_and_doubts(draft, cell, parsed)
    draft.values["lawful_bases"] = parsed.values


def _found_elsewhere_and_doubts(draft: Draft, cell: CellIn, parsed: lawtext.Parsed[Any]) -> None:
    """Keep what a law cell named for another field (each with the line that named it, as
    written, for the report), and report what was read but should be checked."""
    for value in parsed.uncertain:
        if value not in parsed.not_understood:
            _to_confirm(draft, cell, value)
    for value, why in parsed.doubts:
        draft.moved.append(Problem(cell.sheet, cell.ref, value, why))
    for (scheme, entry), written in zip(parsed.elsewhere, parsed.elsewhere_written, strict=True):
        draft.elsewhere.append((scheme, entry, replace(cell, text=written)))


def _to_confirm(draft: Draft, cell: CellIn, value: str) -> None:
    draft.moved.append(
        Problem(
            cell.sheet,
            cell.ref,
            value,
            "written as a question: read as it would be without the question mark; "
            "check it is right",
        )
    )


def _conditions_reader(scheme: str) -> Callable[[Draft, CellIn, str | None], None]:
    what = "an Article 9 condition" if scheme == "article9" else "a Schedule 1 condition"

    def reader(draft: Draft, cell: CellIn, text: str | None) -> None:
        parsed = lawtext.parse_conditions(text, scheme)
        for value in parsed.not_understood:
            draft.not_understood(cell, value, f"not {what}")
        _found_elsewhere_and_doubts(draft, cell, parsed)
        draft.values[scheme] = parsed.values

    return reader


def _read_automated(draft: Draft, cell: CellIn, text: str | None) -> None:
    if text is None:
        # A blank cell does not answer the question: unknown, never "No".
        draft.values["automated_decisions"] = None
        draft.values["automated_decision_details"] = ""
        return
    answer, rest = lawtext.parse_yes_no(text)
    if answer is None and lawtext.describes(text):
        # "Under CP-IS, the data ... is automatically sent as an alert": a sentence that
        # describes the decision-making says there is some; it is kept as the details.
        draft.moved.append(
            Problem(
                cell.sheet,
                cell.ref,
                text,
                "read as Yes, with this as the details of the automated decision-making",
            )
        )
        answer, rest = True, text.strip()
    if answer is None:
        draft.not_understood(cell, text, "expected Yes or No, then any details")
    draft.values["automated_decisions"] = answer
    # What was not understood is kept in the notes (and reported); the question stays open.
    draft.values["automated_decision_details"] = rest if answer is not None else ""


def _label_reader(
    key: str, labels: dict[Any, str], also: dict[str, Any] | None = None
) -> Callable[[Draft, CellIn, str | None], None]:
    """Reads one of `labels`' words (or its value); `also` maps other words to a value."""

    def reader(draft: Draft, cell: CellIn, text: str | None) -> None:
        if text is None:
            return
        wanted = " ".join(text.replace("_", " ").split()).casefold()
        for value, label in labels.items():
            if wanted in (label.casefold(), str(value).replace("_", " ")):
                draft.values[key] = value
                return
        for words, value in (also or {}).items():
            if wanted == words.casefold():
                draft.values[key] = value
                return
        draft.not_understood(cell, text, f"expected one of {', '.join(labels.values())}")

    return reader


def _read_article10(draft: Draft, cell: CellIn, text: str | None) -> None:
    if text is None:
        draft.values["article10_basis"] = ""
        return
    code = lawtext.parse_article10(text)
    if code is None:
        draft.not_understood(cell, text, "not an Article 10 basis")
    draft.values["article10_basis"] = code or ""


def _read_dpia_criteria(draft: Draft, cell: CellIn, text: str | None) -> None:
    if text is None:
        draft.values["dpia_criteria"] = ""
        return
    by_words: dict[str, str] = {}
    for code, criterion in law.dpia_criteria().items():
        by_words[code.casefold()] = code
        by_words[criterion.name.casefold()] = code
    codes: list[str] = []
    for line in lines(text):
        found = by_words.get(strip_marker(line).casefold())
        if found is None:
            draft.not_understood(cell, line, "not a kind of processing on the ICO's high-risk list")
        elif found not in codes:
            codes.append(found)
    draft.values["dpia_criteria"] = "\n".join(codes)


def _read_named_lines(key: str) -> Callable[[Draft, CellIn, str | None], None]:
    def reader(draft: Draft, cell: CellIn, text: str | None) -> None:
        if text is not None:
            draft.named_lines.append((key, cell))

    return reader


def apply_named_lines(draft: Draft) -> None:
    """Put each line of the cells that name an entry or item ("United States: Yes") into
    that entry (or, for reasons, beside that item), once the whole row is read; a line
    that names none of the activity's is not understood (kept in the notes and reported).
    A line that names nothing continues the line before it (a reason of several lines)."""
    for key, cell in draft.named_lines:
        if key == "recipient_reasons":
            names = {name: name for name in draft.values.get("recipients") or []}
            reasons = _named_values(draft, cell, names, "recipient of this activity")
            draft.values["recipient_reasons"] = {name: reason for name, reason in reasons if reason}
            continue
        detail = layout.ENTRY_DETAIL_KEYS[key]
        entries = draft.values.get(detail.field) or []
        named: dict[str, Any] = {}
        for entry in entries:
            named.setdefault(_entry_name(detail.field, entry), entry)
        what = "lawful basis" if detail.field == "lawful_bases" else "transfer"
        for entry, value in _named_values(draft, cell, named, f"{what} of this activity"):
            if detail.attribute == "data_protection_test" and value:
                answer, rest = lawtext.parse_yes_no(value)
                if answer is None or rest:
                    draft.not_understood(cell, value, "expected Yes or No")
                    continue
                value = "yes" if answer else "no"
            setattr(entry, detail.attribute, value)


def _named_values(
    draft: Draft, cell: CellIn, named: dict[str, Any], what: str
) -> list[tuple[Any, str]]:
    """(the thing each line names, what the line says after its name and colon)."""
    found: list[tuple[Any, list[str]]] = []
    # The longest name first: "United States" before "United".
    names = sorted(named, key=len, reverse=True)
    for line in (cell.text or "").splitlines():
        folded = line.casefold()
        name = next((name for name in names if folded.startswith(f"{name.casefold()}:")), None)
        if name is not None:
            found.append((named[name], [line[len(name) + 1 :].strip()]))
        elif found:
            found[-1][1].append(line)
        elif line.strip():
            draft.not_understood(cell, line, f"names no {what}")
    return [(thing, "\n".join(parts).strip()) for thing, parts in found]


_EMPTY_CELL = CellIn("", "", "", None)
_SPECIAL_READERS: dict[str, Callable[[Draft, CellIn, str | None], None]] = {
    "processors": _read_processors,
    "transfer_destinations": _read_transfer_destinations,
    "transfer_safeguards": _read_transfer_safeguards,
    "retention": _read_retention,
    "data_categories": _read_data_categories,
    "lawful_bases": _read_lawful_bases,
    "article9": _conditions_reader("article9"),
    "schedule1": _conditions_reader("schedule1"),
    "automated_decisions": _read_automated,
    # "Changed since approved" was approved once: what is read in has no approval, a draft.
    "status": _label_reader("status", STATUS_LABELS, {CHANGED_SINCE_APPROVED: Status.DRAFT}),
    "role": _label_reader("role", ROLE_LABELS),
    "article10_basis": _read_article10,
    "dpia_criteria": _read_dpia_criteria,
    "recipient_reasons": _read_named_lines("recipient_reasons"),
    **{detail.key: _read_named_lines(detail.key) for detail in layout.ENTRY_DETAILS},
}
