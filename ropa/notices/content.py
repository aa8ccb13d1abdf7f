"""What a privacy notice says, built from plain records: the activities it covers, the
organisation, and the checks' findings about them.  Nothing here reads the register
(ropa.notices.service loads what a notice needs and calls `compose`).

A notice comes in three layers, as the ICO recommends:

- "full": what is common to every service once at the top, then one section per service
  (a business function or an activity, as the notice chooses) saying what is collected,
  where from, why and on what basis, who it is shared with and how long it is kept; then the
  rights, grouped by the services they apply to, and how to contact us and complain;
- "short": the first layer, one screen long, linking to the full notice;
- "just-in-time": for each activity, the two or three sentences to put on the form where
  the information is collected.

The audience changes the words (ropa.notices.wording).  Anything the law asks a notice to say
that the register leaves empty, and every error-level finding about a covered activity,
becomes a "[To complete: ...]" line in the draft where it applies, and a warning.  Published
text never carries those lines.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ropa import law
from ropa.checks.findings import Finding, Severity
from ropa.dates import british_date, local_date
from ropa.legitimate_interests import (
    interests_in_basis,
    interests_in_field,
    relies_on_legitimate_interests,
)
from ropa.notices.markers import todo_marker
from ropa.notices.readability import CHILDREN_GRADE, reading_grade, word_count
from ropa.notices.records import (
    AUDIENCES,
    LAYERS,
    NoticeRecord,
    PublishedVersion,
    for_children,
)
from ropa.notices.wording import Wording, wording_for
from ropa.placeholders import is_placeholder
from ropa.records import ActivityRecord, OrganisationRecord, Role
from ropa.sanitise import balance_bidi
from ropa.wording import join_names

# The regulator's name and contacts are dated data (ropa.law.regulator): the notice names
# the regulator in office on the day it is made.  Wording written with the ICO's names is
# brought to that day's regulator by `_Builder.regulated`.
_REGULATOR_NAMES = (
    ("Information Commissioner's Office (ICO)", "display_name"),
    ("Information Commissioner's Office", "name"),
    ("the ICO", "the_short"),
    ("ICO", "short_name"),
)

# What marks a draft in every format, and the line under its title.
DRAFT_LABEL = "DRAFT"
DRAFT_NOTE = "Draft, not published: do not give this text to the public as our privacy notice."

# Sections whose content does not take part in "what has changed" comparisons.
_NOT_COMPARED = {"changes", "updated"}

# Article 6 bases in the order the Article lists them.
_BASIS_ORDER = ["a", "b", "c", "d", "e", "ea", "f"]

# Register text this long or longer is graded for a children's notice (shorter pieces are
# names and labels, which a grade does not measure fairly).
_GRADED_WORDS = 12

# A sentence that names more services than this names them another way.
MAX_NAMED = 5
# Recipients the short layer names before pointing to the full notice for the rest.
SHORT_NAMED = 6

# A to-complete marker typed by a person rather than made by the notice: "[To complete]",
# "[to complete: the MASH partners]", "[TBC]".
TYPED_MARKER = re.compile(r"\[\s*(?:to\s+complete|tbc|todo)\b", re.IGNORECASE)


# --- text meant for colleagues, not for the public --------------------------------------------

# Notes to self a DPO leaves in register text: "TBC", "TODO".
_NOTE_WORDS = re.compile(r"\b(TBC|TBD|TODO|FIXME)\b", re.IGNORECASE)
# "check" or "ask" as an instruction, not as prose: opening the text or a clause and followed
# by whom or what to ask ("? check IRMS", "Ask Legal", "check with HR"), or standing alone
# at the end ("3 years (check)").  "We ask other agencies" and "Check results are recorded"
# are prose and pass.
_NOTE_INSTRUCTION = re.compile(
    r"(?:^|[?(;:/\u2013-]\s*|[.!]\s+)((?i:check|ask|confirm))"
    r"(?=\s+(?i:with)\b|\s+[A-Z]{2,}|\s+[A-Z][a-z]+|\s*[?)]|\s*$)"
)
_WEB_LINK = re.compile(r"(?i)\b(?:https?|ftp)://[^\s<>\"']+")
_LINK_HOST = re.compile(r"(?i)^(?:https?|ftp)://(?:[^@/\s]*@)?(\[[^\]]*\]|[^/:?#\s]+)")
# A file share (\\server\share), a file:// address, or a drive letter path.
_FILE_PLACE = re.compile(r"(?i)(?:\\\\[\w.$-]+\\|\bfile:/|(?<![\w/])[A-Z]:\\\w)")
# Names only a private network resolves.
_PRIVATE_SUFFIXES = (".local", ".lan", ".internal", ".intranet", ".corp", ".localdomain", ".home")
_PRIVATE_ADDRESS = re.compile(
    r"^(?:10\.|127\.|192\.168\.|172\.(?:1[6-9]|2\d|3[01])\.|169\.254\.|\[)"
)


def _private_host(host: str) -> bool:
    host = host.casefold().rstrip(".")
    return (
        "." not in host
        or host.endswith(_PRIVATE_SUFFIXES)
        or host.endswith(".home.arpa")
        or _PRIVATE_ADDRESS.match(host) is not None
    )


def internal_text_reasons(text: str, *, questions: bool = True) -> list[str]:
    """Why `text` reads as a note for colleagues rather than words for the public: a
    question mark (a question the register has not answered, outside any web address), a
    note-to-self word, or a link only the organisation's own network can open (an intranet
    name such as https://sharepoint/..., a file share).  Empty when none is found."""
    reasons = []
    links = _WEB_LINK.findall(text)
    without_links = _WEB_LINK.sub(" ", text)
    if questions and "?" in without_links:
        reasons.append("a question mark")
    words = [m.group(1) for m in _NOTE_WORDS.finditer(without_links)]
    words += [m.group(1) for m in _NOTE_INSTRUCTION.finditer(without_links)]
    if words:
        listed = join_names([f"“{w}”" for w in dict.fromkeys(words)])
        reasons.append(f"the note {listed}")
    private = [
        found.group(1)
        for link in links
        if (found := _LINK_HOST.match(link)) is not None and _private_host(found.group(1))
    ]
    if private:
        reasons.append(
            f"a link to {join_names([f'“{h}”' for h in dict.fromkeys(private)])}, which only "
            "our own network can open"
        )
    if _FILE_PLACE.search(without_links):
        reasons.append("a file share or file path, which the public cannot open")
    return reasons


@dataclass
class Block:
    """One piece of a section: a paragraph, a bulleted list, a subheading, a table (entries
    are the column headings, rows the cells), a link (text, and the address as its one
    entry), or a "[To complete: ...]" line the DPO must deal with before publishing."""

    kind: str  # "paragraph" | "list" | "subheading" | "table" | "link" | "todo"
    text: str = ""
    entries: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    # False for contact details (addresses, numbers) and lists of names (kinds of data,
    # sources, recipients): not sentences, so not scored for reading ease.
    prose: bool = True

    def __post_init__(self) -> None:
        # A right-to-left override typed into the register must not reverse the rest of
        # the notice: each line closes whatever its text left open.
        self.text = balance_bidi(self.text)
        self.entries = [balance_bidi(entry) for entry in self.entries]
        self.rows = [[balance_bidi(cell) for cell in row] for row in self.rows]

    def lines(self) -> list[str]:
        if self.kind == "list":
            return list(self.entries)
        if self.kind == "table":
            return [": ".join(row) for row in self.rows]
        if self.kind == "link":
            return [f"{self.text}: {self.entries[0]}" if self.entries else self.text]
        return [self.text]


@dataclass
class Section:
    key: str
    heading: str
    blocks: list[Block] = field(default_factory=list)
    # True for a section about one service (the full notice's per-service sections).
    service: bool = False

    def __post_init__(self) -> None:
        self.heading = balance_bidi(self.heading)

    def paragraph(self, text: str) -> None:
        if text:
            self.blocks.append(Block("paragraph", text))

    def bullets(self, items: Iterable[str], *, prose: bool = True) -> None:
        items = list(items)
        if items:
            self.blocks.append(Block("list", entries=items, prose=prose))

    def details(self, items: Iterable[str]) -> None:
        """Contact details as a list."""
        self.bullets(items, prose=False)

    def names(self, items: Iterable[str]) -> None:
        """Names from the register ("Department for Education", "Date of birth") as a list:
        a reader scans them rather than reads them as sentences."""
        self.bullets(items, prose=False)

    def subheading(self, text: str) -> None:
        self.blocks.append(Block("subheading", text))

    def table(self, headings: list[str], rows: list[list[str]]) -> None:
        if rows:
            self.blocks.append(Block("table", entries=headings, rows=rows))

    def link(self, text: str, address: str) -> None:
        self.blocks.append(Block("link", text, entries=[address]))

    def todo(self, text: str) -> None:
        self.blocks.append(Block("todo", todo_marker(text)))

    def lines(self) -> list[str]:
        return [line for block in self.blocks for line in block.lines()]

    def todos(self) -> list[str]:
        return [block.text for block in self.blocks if block.kind == "todo"]


@dataclass(frozen=True)
class NoticeWarning:
    """Something the DPO should look at before publishing."""

    kind: str  # "gap" (marked in the text; blocks publishing) | "check" | "vague" | "reading"
    section: str
    message: str


@dataclass
class NoticeDocument:
    notice: NoticeRecord
    organisation: OrganisationRecord
    activities: list[ActivityRecord]
    sections: list[Section]
    warnings: list[NoticeWarning]
    generated_at: dt.datetime
    # When each covered activity (processors' included) was last changed, as read for this
    # document: publishing compares it with the register before storing the version.
    built_from: dict[int, dt.datetime | None] = field(default_factory=dict)
    layer: str = "full"
    # True unless this is the notice as last published (a stored notice whose full text
    # has not changed since).  Every format marks a draft as one, so a draft is not taken
    # for the published notice.
    draft: bool = True
    # Register text in a children's notice above the reading grade, with its grade, for the
    # DPO to give plain words (NoticeRecord.plain_wording).
    hard_text: dict[str, float] = field(default_factory=dict)

    @property
    def marked_title(self) -> str:
        """The title as a file shows it: "DRAFT: ..." for a draft."""
        return f"{DRAFT_LABEL}: {self.title}" if self.draft else self.title

    @property
    def title(self) -> str:
        title = self.notice.title or "Privacy notice"
        if self.layer == "short":
            return f"{title} (summary)"
        if self.layer == "just-in-time":
            return f"{title} (text for forms)"
        return title

    @property
    def audience_label(self) -> str:
        return AUDIENCES.get(self.notice.audience, self.notice.audience)

    @property
    def introduction(self) -> list[str]:
        if self.layer != "full":
            return []
        return split_paragraphs(self.notice.introduction)

    @property
    def last_updated(self) -> str:
        return british_date(self.generated_at.date())

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def service_sections(self) -> list[Section]:
        return [s for s in self.sections if s.service]

    def todos(self) -> list[tuple[str, str]]:
        """(section heading, marker) of every "[To complete: ...]" line, in order, and of
        every marker a person typed into the text (a register field or the DPO's own
        section saying "[To complete: ...]"), which would otherwise be published."""
        found = [
            (heading, line)
            for heading, line in (("Introduction", text) for text in self.introduction)
            if TYPED_MARKER.search(line)
        ]
        for section in self.sections:
            for block in section.blocks:
                if block.kind == "todo":
                    found.append((section.heading, block.text))
                else:
                    found.extend(
                        (section.heading, line)
                        for line in block.lines()
                        if TYPED_MARKER.search(line)
                    )
        return found

    def content_for_comparison(self) -> dict[str, Any]:
        """What a published version stores, and what the next version is compared with.
        The "[To complete: ...]" lines take no part: they are never published, so a draft
        compared with the last version must not list them as changes."""
        return {
            "title": self.title,
            "introduction": self.introduction,
            "sections": [
                {
                    "heading": s.heading,
                    "lines": [line for b in s.blocks if b.kind != "todo" for line in b.lines()],
                }
                for s in self.sections
                if s.key not in _NOT_COMPARED
            ],
        }

    def all_text(self) -> list[tuple[str, str]]:
        """(section heading, text) of the notice's prose, for readability checks: paragraphs,
        tables and lists of statements, not headings, names or contact details."""
        found = [("Introduction", text) for text in self.introduction]
        for section in self.sections:
            for block in section.blocks:
                if block.kind not in ("todo", "link", "subheading") and block.prose:
                    found.extend((section.heading, line) for line in block.lines())
        return found

    def without_todos(self) -> NoticeDocument:
        """The document as published: the "[To complete: ...]" lines left out, and any
        marker typed into the text taken out of it (published only over a reason)."""
        sections = [
            dataclasses.replace(
                s, blocks=[_without_markers(b) for b in s.blocks if b.kind != "todo"]
            )
            for s in self.sections
        ]
        notice = dataclasses.replace(
            self.notice, introduction=_strip_markers(self.notice.introduction)
        )
        return dataclasses.replace(self, notice=notice, sections=sections, draft=False)


_TYPED_MARKER_SPAN = re.compile(TYPED_MARKER.pattern + r"[^\]]*\]?", re.IGNORECASE)


def _strip_markers(text: str) -> str:
    if not TYPED_MARKER.search(text):
        return text
    return re.sub(r"[ \t]{2,}", " ", _TYPED_MARKER_SPAN.sub("", text)).strip()


def _without_markers(block: Block) -> Block:
    return dataclasses.replace(
        block,
        text=_strip_markers(block.text),
        entries=[cleaned for e in block.entries if (cleaned := _strip_markers(e))],
        rows=[[_strip_markers(cell) for cell in row] for row in block.rows],
    )


# --- composing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    """What the full notice gives one section: a business function or one activity."""

    name: str
    activities: list[ActivityRecord]


def group_services(activities: Sequence[ActivityRecord], grouping: str) -> list[Service]:
    """The covered activities as services, in the order they come: by business function
    (an activity without one stands alone) or one per activity."""
    groups: dict[str, Service] = {}
    for activity in activities:
        if grouping == "function" and activity.business_function.strip():
            name = " ".join(activity.business_function.split())
        else:
            name = activity.name or activity.reference
        key = name.casefold() if grouping == "function" else f"{activity.id}-{activity.reference}"
        groups.setdefault(key, Service(name, [])).activities.append(activity)
    return list(groups.values())


def compose(
    notice: NoticeRecord,
    organisation: OrganisationRecord,
    activities: Sequence[ActivityRecord],
    *,
    special_categories: set[str],
    criminal_categories: set[str],
    findings: Sequence[Finding] = (),
    layer: str = "full",
    now: dt.datetime | None = None,
) -> NoticeDocument:
    """Build the notice's sections from records alone (no register access).

    `findings` are the checks' findings about the organisation and the covered activities:
    each error-level one is marked where it applies, so the draft shows every gap."""
    if layer not in LAYERS:
        raise ValueError(f"unknown notice layer {layer!r}")
    now = now or dt.datetime.now().replace(microsecond=0)
    organisation = without_placeholders(organisation)
    builder = _Builder(
        notice, organisation, special_categories, criminal_categories, findings, on=now.date()
    )
    covered = builder.for_people(builder.drop_processor_activities(list(activities)))
    builder.no_automated_anywhere = bool(covered) and all(
        a.automated_decisions is False for a in covered
    )
    if layer == "short":
        sections = builder.short_layer(covered)
    elif layer == "just-in-time":
        sections = builder.just_in_time(covered)
    else:
        sections = builder.full_notice(covered)
    if not covered:
        if not sections:
            sections = [Section("covers", "What this notice covers")]
        builder.gap(
            sections[0],
            "The notice covers no activities. Choose activities or business functions for it.",
            "the activities or business functions this notice covers.",
        )
    document = NoticeDocument(
        notice, organisation, list(covered), sections, builder.warnings, now, layer=layer
    )
    document.built_from = {a.id: a.updated_at for a in activities if a.id is not None}
    builder.mark_internal_text(document)
    document.hard_text = dict(builder.hard_text)
    document.draft = _is_draft(
        document,
        lambda: compose(
            notice,
            organisation,
            activities,
            special_categories=special_categories,
            criminal_categories=criminal_categories,
            findings=findings,
            now=now,
        ),
    )
    if layer == "full":
        document.sections.append(changes_section(document, notice.last_published))
        updated = Section("updated", "Last updated")
        updated.paragraph(f"This notice was last updated on {document.last_updated}.")
        document.sections.append(updated)
    return document


def without_placeholders(organisation: OrganisationRecord) -> OrganisationRecord:
    """The organisation's details with a template's placeholders ("{{ platform_name }} Ltd",
    "Email address") left out: they are not its name or contacts, so the notice treats them
    as missing (and the checks' ORG-NAME, ORG-CONTACT, ORG-DPO mark the gap) rather than
    telling the public them."""
    blanked: dict[str, Any] = {
        item.name: ""
        for item in dataclasses.fields(organisation)
        if isinstance(value := getattr(organisation, item.name), str) and is_placeholder(value)
    }
    return dataclasses.replace(organisation, **blanked) if blanked else organisation


def _is_draft(document: NoticeDocument, full_notice: Callable[[], NoticeDocument]) -> bool:
    """Whether the document is anything but the notice as last published: a notice never
    published, or whose full text now differs from its last published version (whatever
    the layer: the first layer and text for forms go with the full notice they summarise)."""
    published = document.notice.last_published
    if published is None or document.notice.id is None:
        return True
    full = document if document.layer == "full" else full_notice()
    if full.todos():
        return True
    return bool(full.without_todos().content_for_comparison() != published.content)


def split_paragraphs(text: str) -> list[str]:
    """User text as paragraphs: blank lines separate them, single line breaks do not."""
    paragraphs = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        joined = " ".join(chunk.split())
        if joined:
            paragraphs.append(joined)
    return paragraphs


def add_user_text(section: Section, text: str) -> None:
    """A DPO's section body: paragraphs, and lines starting with "- " or "* " as a list."""
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        paragraph: list[str] = []
        items: list[str] = []
        for line in lines:
            if line[:2] in ("- ", "* ", "• "):
                if paragraph:
                    section.paragraph(" ".join(paragraph))
                    paragraph = []
                items.append(line[2:].strip())
            else:
                if items:
                    section.bullets(items)
                    items = []
                paragraph.append(line)
        if paragraph:
            section.paragraph(" ".join(paragraph))
        section.bullets(items)


def _unique(values: Iterable[str]) -> list[str]:
    """Values trimmed, without repeats (ignoring case and spacing), first spelling kept."""
    seen: dict[str, str] = {}
    for value in values:
        cleaned = " ".join(value.split())
        if cleaned:
            seen.setdefault(cleaned.casefold(), cleaned)
    return list(seen.values())


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


def _article9_conditions(activities: Sequence[ActivityRecord]) -> list[str]:
    """Each Article 9 condition the activities rely on, once, by name and article."""
    return _unique(_article9_name(entry.code) for a in activities for entry in a.article9)


def _article9_name(code: str) -> str:
    condition = law.article9_condition(code)
    if condition is None:
        return f"Article 9(2)({code})"
    return f"{_lower_first(condition.name)} ({condition.article})"


def _basis_ordered(codes: Iterable[str]) -> list[str]:
    """Article 6 basis codes in the order the Article lists them, unknown ones last."""
    codes = list(dict.fromkeys(codes))
    return [c for c in _BASIS_ORDER if c in codes] + [c for c in codes if c not in _BASIS_ORDER]


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _names(activities: Iterable[ActivityRecord]) -> str:
    return join_names([a.name or a.reference for a in activities])


# Place names that read with "the" before them ("to the United States").
_NEEDS_THE = {
    "bahamas",
    "british virgin islands",
    "cayman islands",
    "central african republic",
    "channel islands",
    "comoros",
    "czech republic",
    "democratic republic of the congo",
    "dominican republic",
    "falkland islands",
    "faroe islands",
    "gambia",
    "isle of man",
    "maldives",
    "marshall islands",
    "netherlands",
    "philippines",
    "seychelles",
    "solomon islands",
    "united arab emirates",
    "united kingdom",
    "united states",
    "united states of america",
    "usa",
    "us",
    "uk",
    "eea",
    "european economic area",
    "european union",
    "eu",
}
_THE_WORDS = re.compile(r"\b(republic|kingdom|states|islands|federation|union)\b", re.IGNORECASE)


def place_name(destination: str) -> str:
    """A country or area as a sentence names it: "the United States", "France"."""
    name = " ".join(destination.split())
    key = name.casefold()
    if not name or key.startswith("the "):
        return name
    if key in _NEEDS_THE or _THE_WORDS.search(name):
        return f"the {name}"
    return name


def retention_text(period: str, trigger: str) -> str:
    """The period, and what it is counted from only when the period does not already say
    it ("10 years after approval ends" needs no "counted from the date approval ends")."""
    period = " ".join(period.split()).rstrip(".")
    trigger = " ".join(trigger.split()).rstrip(".")
    if not trigger or _says_when_it_starts(period, trigger):
        return period
    return f"{period}, counted from {_lower_first(trigger)}"


def kept_for(period: str) -> str:
    """A retention period as it follows "We keep it": "until the child's 25th birthday",
    "for 6 years after the case closes", "for the same time as adoption records"."""
    period = _lower_first(period.strip())
    if re.match(r"as for\b", period, re.IGNORECASE):
        return "for the same time as" + period[len("as for") :]
    if re.match(r"(until|for|while|as long as|permanently|indefinitely)\b", period, re.I):
        return period
    return f"for {period}"


# Words that show a name is an organisation's own ("the Department for Education").
_BODY_WORDS = re.compile(
    r"\b(Department|Board|Service|Agency|Office|Council|Commission|Authority|Tribunal|"
    r"Ombudsman|Executive|Trust|Partnership|Court)\b"
)


def in_sentence(name: str) -> str:
    """A recipient's name as it reads inside a sentence: a generic one in lower case
    ("schools and academies", "police"), an organisation's own name with "the" before it
    ("the Department for Education"), anything else as written ("NHS bodies and GPs")."""
    words = name.split()
    if not words or words[0].casefold() == "the":
        return name
    if _BODY_WORDS.search(name) and words[0][:1].isupper():
        return f"the {name}"
    if len(words) == 1:
        # One word may be a name ("Ofsted", "Cafcass"): lower only the common nouns.
        return name.casefold() if name.casefold() in _COMMON_NOUNS else name
    if any(w[:1].isupper() for w in words[1:]):
        # "Courts and Cafcass": the common noun before a name still reads in lower case.
        return _lower_first(name) if words[0].casefold() in _COMMON_NOUNS else name
    lowered = _lower_first(name)
    return f"the {lowered}" if _ONE_BODY.search(lowered) else lowered


_COMMON_NOUNS = {"police", "courts", "schools", "parents", "carers", "doctors", "solicitors"}
# A generic name for one body reads with "the" ("the regional adoption agency").
_ONE_BODY = re.compile(r"\b(agency|service|team|partnership|board|panel|hub)$")


_ANCHORS = re.compile(
    r"\b(after|from|until|since|following|before|birthday|when|while|end of|once)\b",
    re.IGNORECASE,
)
_SMALL_WORDS = {"the", "a", "an", "of", "date", "to", "or", "and", "is", "its", "their"}


def _says_when_it_starts(period: str, trigger: str) -> bool:
    if _ANCHORS.search(period):
        return True
    trigger_words = {w for w in re.findall(r"[a-z']+", trigger.casefold()) if w not in _SMALL_WORDS}
    period_words = set(re.findall(r"[a-z']+", period.casefold()))
    return bool(trigger_words) and trigger_words <= period_words


def public_text(text: str, references: set[str]) -> str:
    """User text as the public reads it: the register's own activity references, such as
    "(CS-001)", are internal and left out."""
    if not references:
        return text
    in_brackets, alone = _reference_patterns(frozenset(references))
    text = in_brackets.sub("", text)
    text = alone.sub("", text)
    return " ".join(text.split())


@functools.lru_cache(maxsize=16)
def _reference_patterns(references: frozenset[str]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The two patterns that find `references`, made once per set of references: a notice
    passes every piece of its text through public_text, and making the patterns each time
    (escaping every reference of a 300-activity notice for each piece) took most of the time
    the notice took to build."""
    pattern = "|".join(re.escape(r) for r in sorted(references, key=len, reverse=True))
    return re.compile(rf"\s*\((?:{pattern})\)"), re.compile(rf"\b(?:{pattern})\b\s*")


# How the wordings' sentences naming the organisation read without a name.
_UNNAMED_ORGANISATION = (
    ("We are {org}. ", ""),
    ("{org} is ", "We are "),
    ("{org} uses ", "We use "),
)


class _Builder:
    def __init__(
        self,
        notice: NoticeRecord,
        organisation: OrganisationRecord,
        special: set[str],
        criminal: set[str],
        findings: Sequence[Finding],
        on: dt.date | None = None,
    ) -> None:
        self.notice = notice
        # The law and the regulator as they stand on the day the notice is made.
        self.on = on or dt.date.today()
        self.regulator = law.regulator(self.on)
        self.organisation = organisation
        self.special = special
        self.criminal = criminal
        self.words: Wording = wording_for(notice.audience)
        self.errors = [f for f in findings if f.severity == Severity.ERROR]
        self.references: set[str] = set()
        self.warnings: list[NoticeWarning] = []
        self.marked: set[int] = set()  # ids of the findings already marked in the text
        # The people the notice is for (casefolded), None = everyone its activities name.
        self.people: set[str] | None = None
        # Register text above a child's reading grade, with its grade.
        self.hard_text: dict[str, float] = {}
        # Every activity the notice covers answers No to decisions by computer alone: then
        # it is said once, with the rights, rather than in each service.
        self.no_automated_anywhere = False

    # --- helpers -------------------------------------------------------------------------

    def nobody_named(
        self, section: Section, activities: Sequence[ActivityRecord], where: str
    ) -> None:
        """Where no recipient and no processor is recorded.  "We do not share it" only on
        the DPO's answer that the data goes to no one, for every activity here (Art 30(1)(d);
        Art 13(1)(e) names recipients "if any"): an empty list may mean none or none written
        down yet.  Without that answer nothing is claimed, and the draft asks for it with a
        "[To complete: ...]" line: the check's (A30-RECIPIENTS), marked by the caller, or
        this one where no check found it (a processor's activity, no checks run)."""
        if activities and all(a.shared_with_no_one is True for a in activities):
            section.paragraph(self.words.not_shared)
            return
        if not self.has_error(activities, ("recipients", "processors")):
            self.gap(
                section,
                f"{where}: no recipients or processors are recorded, and the register does "
                "not say the information is shared with no one, so the notice cannot say "
                "who receives it.",
                "who receives the information, or record in the register that it is "
                "shared with no one.",
            )

    def has_error(self, activities: Sequence[ActivityRecord], fields: Iterable[str]) -> bool:
        """Whether an error-level finding is about one of these fields of these activities."""
        ids, wanted = {a.id for a in activities if a.id is not None}, set(fields)
        return any(f.activity_id in ids and f.field in wanted for f in self.errors)

    def warn(self, kind: str, section: str, message: str) -> None:
        self.warnings.append(NoticeWarning(kind, section, message))

    def gap(self, section: Section, message: str, todo: str) -> None:
        """A gap: a warning for the DPO and a "[To complete: ...]" line where it applies."""
        self.warn("gap", section.heading, message)
        section.todo(todo)

    def text(self, value: str) -> str:
        """Register text as this notice says it: the notice's own plain words for it when
        the DPO gave some, else as recorded (a children's notice warns of hard text)."""
        text = public_text(value, self.references)
        wording = self.notice.plain_wording
        plain = wording.get(" ".join(text.split())) or wording.get(" ".join(value.split()))
        if plain:
            return plain
        if self.notice.audience == "children":
            self._check_reading(text)
        return text

    def _check_reading(self, text: str) -> None:
        """Warn, paragraph by paragraph, of register text above a child's reading grade
        (Art 12(1): clear and plain language, in particular for a child)."""
        key = " ".join(text.split())
        if key in self.hard_text or word_count(key) < _GRADED_WORDS:
            return
        grade = reading_grade(key)
        if grade <= CHILDREN_GRADE:
            return
        self.hard_text[key] = grade
        self.warn(
            "reading",
            "Plain wording",
            f"“{_shorten(key, 100)}” reads at school grade {grade:.1f}, above grade "
            f"{CHILDREN_GRADE:.0f} for children. Give this notice plain words for it.",
        )

    def for_people(self, activities: list[ActivityRecord]) -> list[ActivityRecord]:
        """The activities about the people the notice is for: those the DPO chose, or for a
        children's notice by default the children and young people the activities name.
        An activity about none of them is left out, and the DPO told so."""
        chosen = self.notice.individuals
        if not chosen and self.notice.audience != "children":
            return activities
        if chosen:
            self.people = {" ".join(n.split()).casefold() for n in chosen}
        else:
            self.people = {
                " ".join(n.split()).casefold()
                for a in activities
                for n in a.individuals
                if for_children(n)
            }
        kept = []
        for activity in activities:
            if any(" ".join(n.split()).casefold() in self.people for n in activity.individuals):
                kept.append(activity)
            else:
                self.warn(
                    "check",
                    "Who we are",
                    f"{activity.reference} {activity.name} is left out: it holds information "
                    "about none of the people this notice is for. Choose the people in the "
                    "notice if it should be in.",
                )
        return kept

    def covered_people(self, activities: Iterable[ActivityRecord]) -> list[str]:
        return self.texts(
            n
            for a in activities
            for n in a.individuals
            if self.people is None or " ".join(n.split()).casefold() in self.people
        )

    def regulated(self, sentence: str) -> str:
        """A sentence naming the regulator, naming the one in office on the notice's day:
        "{regulator}" is filled in, and the ICO's names are replaced when it has changed."""
        regulator = self.regulator
        names = {
            "display_name": regulator.display_name,
            "name": regulator.name,
            "short_name": regulator.short_name,
            "the_short": f"the {regulator.short_name}",
        }
        if "{regulator}" in sentence:
            return sentence.replace("{regulator}", regulator.name)
        if regulator.name == "Information Commissioner's Office":
            return sentence
        pattern = "|".join(re.escape(old) for old, _key in _REGULATOR_NAMES)
        replacements = dict(_REGULATOR_NAMES)
        return re.sub(
            rf"(?<!\w)(?:{pattern})(?!\w)", lambda m: names[replacements[m.group(0)]], sentence
        )

    def texts(self, values: Iterable[str]) -> list[str]:
        return _unique(self.text(value) for value in values)

    def as_organisation(self, template: str, **values: str) -> str:
        """A wording's sentence that names the organisation ("{org} is responsible ..."),
        in the first person when no name is recorded (or only a template's placeholder):
        "We are responsible ...", never "We is" or "We are We"."""
        if self.organisation.name:
            return template.format(org=self.organisation.name, **values)
        for named, unnamed in _UNNAMED_ORGANISATION:
            template = template.replace(named, unnamed)
        return template.format(**values)

    def drop_processor_activities(self, activities: list[ActivityRecord]) -> list[ActivityRecord]:
        kept = []
        for activity in activities:
            self.references.add(activity.reference)
            if activity.role == Role.PROCESSOR:
                self.warn(
                    "check",
                    "Who we are",
                    f"{activity.reference} {activity.name} is done for another organisation "
                    "(we are its processor), so this notice leaves it out: that organisation's "
                    "own notice covers it.",
                )
            else:
                kept.append(activity)
        self.references.discard("")
        return kept

    def mark_findings(
        self,
        section: Section,
        activities: Sequence[ActivityRecord],
        fields: Iterable[str] | None = None,
    ) -> None:
        """Mark each error-level finding about these activities (about these fields only,
        or all not yet marked) in their section, where the text about that field ends."""
        ids = {a.id for a in activities if a.id is not None}
        several = len(activities) > 1
        wanted = set(fields) if fields is not None else None
        for finding in self.errors:
            if finding.activity_id is None or finding.activity_id not in ids:
                continue
            if wanted is not None and finding.field not in wanted:
                continue
            if id(finding) in self.marked:
                continue
            self.marked.add(id(finding))
            where = f"{finding.activity_name}: " if several else ""
            self.gap(
                section,
                f"{finding.reference} {finding.activity_name}: {finding.message}",
                f"{where}{finding.message} {finding.fix}".strip(),
            )

    def mark_internal_text(self, document: NoticeDocument) -> None:
        """Mark each piece of text that reads as a note for colleagues (internal_text_reasons)
        just after it, as a gap: published only over a reason.  The notice's own words never
        carry these; register text and what the DPO typed may.  A question in the DPO's own
        introduction or extra sections is theirs to ask the reader, so only register text
        is held to "no question marks"."""
        if not document.sections:
            return
        for paragraph in document.introduction:
            self._mark_internal(document.sections[0], None, "Introduction: " + paragraph, False)
        for section in document.sections:
            own_text = section.key.startswith("extra-")
            self._mark_internal(section, None, section.heading, not own_text)
            for block in list(section.blocks):
                if block.kind in ("todo", "subheading"):
                    continue
                for line in block.lines():
                    self._mark_internal(section, block, line, not own_text)

    def _mark_internal(
        self, section: Section, after: Block | None, line: str, questions: bool
    ) -> None:
        # A typed "[TBC]" is a gap already (NoticeDocument.todos): not counted twice.
        reasons = internal_text_reasons(_strip_markers(line), questions=questions)
        if not reasons:
            return
        quoted = _shorten(line, 120)
        self.warn(
            "gap",
            section.heading,
            f"“{quoted}” reads as a note for colleagues, not for the public "
            f"({'; '.join(reasons)}). Rewrite it in the register for the public.",
        )
        marker = Block(
            "todo",
            f"[To complete: rewrite “{quoted}” for the public: it has {join_names(reasons)}.]",
        )
        position = section.blocks.index(after) + 1 if after is not None else 0
        while position < len(section.blocks) and section.blocks[position].kind == "todo":
            position += 1
        section.blocks.insert(position, marker)

    def mark_organisation_findings(self, section: Section, rule_ids: set[str]) -> None:
        for finding in self.errors:
            if finding.activity_id is None and finding.rule_id in rule_ids:
                self.gap(section, finding.message, f"{finding.message} {finding.fix}".strip())

    # --- the full notice -----------------------------------------------------------------

    def full_notice(self, covered: list[ActivityRecord]) -> list[Section]:
        services = group_services(covered, self.notice.sections_by(len(covered)))
        sections = [self.who_we_are(covered, services), self.common_bases(covered)]
        sections.extend(
            self.service_section(position, service)
            for position, service in enumerate(services, start=1)
        )
        # The DPO's own sections (about the MASH, say) are about the services: they come
        # with them, before the rights and contacts that close every notice.
        for position, extra in enumerate(self.notice.sections, start=1):
            section = Section(f"extra-{position}", extra.heading)
            add_user_text(section, extra.body)
            sections.append(section)
        sections.append(self.rights(services))
        if self.notice.choices.strip():
            sections.append(self.choices())
        sections.extend([self.dpo(), self.complaints()])
        return sections

    def choices(self) -> Section:
        """Choices beyond the statutory rights (the NHS national data opt-out, unsubscribing
        from a newsletter), as the DPO records them for the notice."""
        section = Section("choices", self.words.choices_heading)
        section.paragraph(self.words.choices_intro)
        add_user_text(section, self.notice.choices)
        return section

    def who_we_are(self, activities: list[ActivityRecord], services: list[Service]) -> Section:
        section = Section("who", "Who we are")
        org = self.organisation
        if org.name:
            section.paragraph(self.words.controller.format(org=org.name))
            section.paragraph(self.words.employment)
        section.details(
            label + value
            for label, value in (
                ("Address: ", org.address),
                ("Email: ", org.email),
                ("Telephone: ", org.telephone),
                ("Website: ", org.website),
            )
            if value
        )
        self.mark_organisation_findings(section, {"ORG-NAME", "ORG-CONTACT"})
        if org.ico_registration:
            section.paragraph(
                f"We are registered with the {self.regulator.name} under number "
                f"{org.ico_registration}."
            )
        if org.representative_name:
            contact = ", ".join(
                v
                for v in (
                    org.representative_address,
                    org.representative_email,
                    org.representative_telephone,
                )
                if v
            )
            section.paragraph(
                f"Our representative in the UK is {org.representative_name}"
                + (f" ({contact})." if contact else ".")
            )
        for activity in activities:
            partners = activity.joint_controllers or activity.controllers
            if activity.role == Role.JOINT_CONTROLLER and partners:
                section.paragraph(
                    self.words.joint.format(
                        service=_lower_first(activity.name),
                        partners=self.text(partners).strip().rstrip("."),
                    )
                )
        if services:
            section.paragraph(self.words.covers)
            section.bullets(service.name for service in services)
        return section

    def common_bases(self, activities: list[ActivityRecord]) -> Section:
        """The lawful bases and the extra rules for sensitive data, explained once."""
        words = self.words
        section = Section("bases", words.bases_heading)
        bases = law.lawful_bases()
        used = {entry.basis for a in activities for entry in a.lawful_bases}
        ordered = [c for c in _BASIS_ORDER if c in used] + sorted(used - set(_BASIS_ORDER))
        if ordered:
            section.paragraph(words.bases_intro)
        names_laws = any(
            a.legislation or any(e.legislation for e in a.lawful_bases) for a in activities
        )
        if names_laws and words.plain_bases_note:
            # Once, not in every service: the laws behind the reasons, on request.
            section.paragraph(words.plain_bases_note)
        if ordered and not words.plain_bases:
            section.bullets(
                f"{basis.name} ({basis.article}): {basis.notice_text}"
                if (basis := bases.get(code)) is not None
                else f"Article 6(1)({code})"
                for code in ordered
            )
        if any(self._special_data(a) or a.article9 for a in activities):
            section.paragraph(words.special_intro)
        if any(self._criminal_data(a) or a.article10_basis for a in activities):
            section.paragraph(words.criminal_official)
        if law.apd_conditions(c.code for a in activities for c in a.schedule1):
            section.paragraph(words.apd)
        return section

    def _special_data(self, activity: ActivityRecord) -> list[str]:
        return [c for c in activity.data_categories if c.casefold() in self.special]

    def _criminal_data(self, activity: ActivityRecord) -> list[str]:
        return [c for c in activity.data_categories if c.casefold() in self.criminal]

    def _tagged(self, category: str) -> str:
        """A data category, saying when the law counts it as more sensitive."""
        key = category.casefold()
        for flagged, tag in (
            (self.special, self.words.special_tag),
            (self.criminal, self.words.criminal_tag),
        ):
            if key in flagged and tag.strip(" ()").casefold() not in key:
                category += tag
        return category

    def service_section(self, position: int, service: Service) -> Section:
        words = self.words
        activities = service.activities
        section = Section(f"service-{position}", service.name, service=True)
        several = len(activities) > 1

        def labelled(activity: ActivityRecord, text: str) -> str:
            return f"{activity.name}: {text}" if several else text

        # What we collect
        section.subheading(words.what)
        people = self.covered_people(activities)
        if people and words.about_list:
            section.paragraph(words.about_list)
            section.names(people)
        elif people:
            section.paragraph(words.about.format(people=_lower_list(people)))
        categories = self.texts(n for a in activities for n in a.data_categories)
        if categories and people and words.about_list:
            section.paragraph(words.categories_intro)
        section.names(self._tagged(c) for c in categories)
        self.mark_findings(section, activities, _ABOUT_DATA)
        # Where from
        sources = self.texts(n for a in activities for n in a.sources)
        if sources:
            section.subheading(words.sources)
            section.names(sources)
        # Why, and on which basis for each purpose (Art 13(1)(c) asks for both together)
        purposes = self.purpose_bases(activities)
        if purposes:
            section.subheading(words.why)
            if len({tuple(codes) for _purpose, codes in purposes}) == 1:
                # One basis (or set of bases) for every purpose: said once, after them.
                section.bullets(purpose for purpose, _codes in purposes)
                basis = _lower_first(self.basis_label(purposes[0][1], short=True))
                said = words.one_basis if len(purposes) == 1 else words.same_basis
                section.paragraph(said.format(basis=basis))
            else:
                section.table(
                    list(words.purpose_columns),
                    # Children read the short plain words: the table's rows stay short.
                    [[purpose, self.basis_label(codes, short=True)] for purpose, codes in purposes],
                )
        self.mark_findings(section, activities, ["purposes"])
        # On what basis
        reasons = self._reasons(activities)
        if reasons:
            section.subheading(words.basis)
            section.bullets(reasons)
        self.mark_findings(section, activities, _ABOUT_BASES)
        # Must you give it
        answers = _unique(
            labelled(a, _sentence(self.text(a.statutory_requirement)))
            for a in activities
            if a.statutory_requirement
        )
        if answers:
            section.subheading(words.must_give)
            if len(answers) == 1:
                section.paragraph(answers[0].removeprefix(f"{activities[0].name}: "))
            else:
                section.bullets(answers)
        missing = [a for a in activities if not a.statutory_requirement]
        if missing and not answers:
            self.gap(
                section,
                f"Not recorded whether people must give their information, or what happens if "
                f"they do not, for: {_names(missing)}.",
                "whether people must give their information and what happens if not.",
            )
        # Sharing
        section.subheading(words.sharing)
        recipients = self.texts(n for a in activities for n in a.recipients)
        processors = self.texts(n for a in activities for n in a.processors)
        section.names(self._with_reasons(recipients, activities, service.name))
        if processors:
            section.paragraph(words.processors)
            section.names(processors)
        if not recipients and not processors:
            self.nobody_named(section, activities, service.name)
        self.mark_findings(section, activities, ["recipients", "processors"])
        self._transfers(section, activities, labelled)
        self.mark_findings(section, activities, ["transfers"])
        self._automated(section, activities, labelled)
        self.mark_findings(section, activities, ["automated_decision_details"])
        # How long
        rows = []
        for activity in activities:
            for rule in activity.retention:
                what = self.text(rule.applies_to) or activity.name
                rows.append([what, _sentence(self.text(retention_text(rule.period, rule.trigger)))])
        section.subheading(words.retention)
        section.table(list(words.retention_columns), _unique_rows(rows))
        self.mark_findings(section, activities)
        return section

    def purpose_bases(self, activities: Sequence[ActivityRecord]) -> list[tuple[str, list[str]]]:
        """Each purpose of these activities, once, with the Article 6 bases of the activities
        that have it (the register records bases per activity, so each of an activity's
        purposes rests on that activity's bases), in the order the Article lists them."""
        found: dict[str, tuple[str, list[str]]] = {}
        for activity in activities:
            codes = [e.basis for e in activity.lawful_bases]
            for purpose in activity.purposes:
                text = " ".join(self.text(purpose).split())
                if not text:
                    continue
                _text, known = found.setdefault(text.casefold(), (text, []))
                known.extend(code for code in codes if code not in known)
        return [(text, _basis_ordered(codes)) for text, codes in found.values()]

    def basis_label(self, codes: Sequence[str], *, short: bool = False) -> str:
        """The bases a purpose rests on as the audience reads them: "Public task" for adults
        and staff (the law's names, as the section's reasons explain them), "The law says we
        must do it" for children.  No basis recorded is a gap, marked where it shows."""
        if not codes:
            self.warn(
                "gap",
                self.words.why,
                "A purpose has no lawful basis recorded; the notice cannot say which basis "
                "covers it. Record the activity's Article 6 basis.",
            )
            return "[To complete: the lawful basis for this purpose]"
        bases = law.lawful_bases()
        plain = self.words.short_plain_bases if short else self.words.plain_bases
        labels = []
        for code in codes:
            if code in plain:
                labels.append(plain[code])
            elif code in bases:
                labels.append(bases[code].name)
            else:
                labels.append(f"Article 6(1)({code})")
        text = join_names([labels[0], *(_lower_first(label) for label in labels[1:])])
        return text[:1].upper() + text[1:]

    def _with_reasons(
        self, recipients: list[str], activities: list[ActivityRecord], service: str
    ) -> list[str]:
        """Each recipient with why it gets the data, as the register records it per
        activity (Art 13(1)(e) asks for the recipients; saying why is what readers ask)."""
        reasons: dict[str, list[str]] = {}
        for activity in activities:
            given = {
                " ".join(k.split()).casefold(): v for k, v in activity.recipient_reasons.items()
            }
            for name in activity.recipients:
                reason = given.get(" ".join(name.split()).casefold(), "").strip()
                if reason:
                    key = self.text(name).casefold()
                    reasons.setdefault(key, [])
                    text = self.text(reason).rstrip(".")
                    if text.casefold() not in (r.casefold() for r in reasons[key]):
                        reasons[key].append(text)
        missing = [r for r in recipients if r.casefold() not in reasons]
        if reasons and missing:
            self.warn(
                "check",
                service,
                f"No reason is recorded for giving the data to: {join_names(missing)}. Add why "
                "each recipient gets it in the activity (Why each recipient gets it).",
            )
        return [
            f"{name}: {_lower_first('; '.join(reasons[name.casefold()]))}"
            if name.casefold() in reasons
            else name
            for name in recipients
        ]

    def _reasons(self, activities: list[ActivityRecord]) -> list[str]:
        """Each basis with how the service uses it and the laws behind it (those its
        explanation does not already name); then the Article 9 conditions, the Article 10
        basis and the Schedule 1 conditions they rest on, once for the service."""
        words = self.words
        bases = law.lawful_bases()
        reasons: list[str] = []
        named_laws: set[str] = set()
        if words.plain_bases:
            return self._plain_reasons(activities)
        for activity in activities:
            for entry in activity.lawful_bases:
                basis = bases.get(entry.basis)
                text = basis.name if basis else f"Article 6(1)({entry.basis})"
                explanation = _sentence(self.text(entry.explanation))
                if explanation:
                    text += f": {explanation}"
                laws = self.texts(entry.legislation)
                named_laws.update(name.casefold() for name in laws)
                unnamed = [name for name in laws if not _mentions(explanation, name)]
                if unnamed:
                    text = _sentence(text) + f" Laws: {'; '.join(unnamed)}."
                reasons.append(text)
            # The (f) basis's reason is printed with it above: only the interests' own
            # field is added, so the interests are told once.
            if relies_on_legitimate_interests(activity) and interests_in_field(activity):
                interests = _sentence(self.text(interests_in_field(activity)))
                reasons.append(words.interests.format(interests=interests))
        conditions = _article9_conditions(activities)
        schedule1 = self._schedule1_for(activities)
        if conditions:
            described = join_names(conditions)
            if schedule1:
                described += f", with {schedule1}"
            reasons.append(_sentence(words.special_basis.format(condition=described)))
        article10 = _unique(a.article10_basis for a in activities if a.article10_basis)
        if article10:
            described = join_names(
                [
                    words.criminal_official_basis
                    if code == "official_authority"
                    else words.criminal_law_basis
                    for code in article10
                ]
            )
            if schedule1 and not conditions and "authorised_by_law" in article10:
                described += f", with {schedule1}"
            reasons.append(_sentence(words.criminal_basis.format(basis=described)))
        other = [
            name
            for name in self.texts(n for a in activities for n in a.legislation)
            if name.casefold() not in named_laws
        ]
        if other:
            reasons.append(words.also_follow.format(laws="; ".join(other)))
        return _unique(reasons)

    def _plain_reasons(self, activities: list[ActivityRecord]) -> list[str]:
        """The reasons in plain words.  Each purpose's basis is beside it in the table above,
        so only the Article 9 conditions and the Article 10 basis are said here, by name and
        without the laws behind them, which the Data Protection Officer can name."""
        words = self.words
        reasons = []
        conditions = _unique(
            words.plain_conditions.get(entry.code.strip().casefold()) or _article9_name(entry.code)
            for a in activities
            for entry in a.article9
        )
        if conditions:
            reasons.append(_sentence(words.special_basis.format(condition=join_names(conditions))))
        if any(a.article10_basis for a in activities):
            reasons.append(_sentence(words.criminal_basis.format(basis=words.criminal_law_basis)))
        # Article 13(1)(d): the legitimate interests are told in every audience's notice.
        # The bases' reasons are not printed in plain words, so interests stated only as the
        # (f) basis's reason are told here (ropa.legitimate_interests).
        for activity in activities:
            if not relies_on_legitimate_interests(activity):
                continue
            stated = interests_in_field(activity) or "; ".join(
                _sentence(reason).rstrip(".") for reason in interests_in_basis(activity)
            )
            if stated:
                interests = _sentence(self.text(stated))
                reasons.append(words.interests.format(interests=interests))
        reasons = _unique(reasons)
        return reasons

    def _schedule1_for(self, activities: list[ActivityRecord]) -> str:
        """The service's Schedule 1 conditions, as words."""
        found = sorted(
            {
                condition
                for a in activities
                for entry in a.schedule1
                if (condition := law.schedule1_condition(entry.code)) is not None
            },
            key=lambda c: c.paragraph,
        )
        if not found:
            return ""
        listed = join_names([f"{c.paragraph} ({_lower_first(c.name)})" for c in found])
        plural = "paragraphs" if len(found) > 1 else "paragraph"
        return f"Schedule 1 to the Data Protection Act 2018, {plural} {listed}"

    def _transfers(self, section: Section, activities: list[ActivityRecord], labelled: Any) -> None:
        mechanisms = law.transfer_mechanisms(self.on)
        items = []
        for activity in activities:
            for transfer in activity.transfers:
                mechanism = mechanisms.get(transfer.mechanism)
                parts = [f"To {place_name(self.text(transfer.destination))}."]
                if mechanism:
                    plain = self.words.plain_transfers.get(mechanism.code, "")
                    parts.append(plain or mechanism.notice_text)
                    # Article 46(1A): said only when the register records the test as met.
                    tested = transfer.data_protection_test.strip() == "yes"
                    if tested and mechanism.test_met_text and not plain:
                        parts.append(mechanism.test_met_text)
                if transfer.safeguards:
                    parts.append(_sentence(self.text(transfer.safeguards)))
                items.append(labelled(activity, " ".join(parts)))
        if items:
            section.subheading(self.words.transfers)
            section.bullets(_unique(items))
            section.paragraph(self.words.transfer_copy)

    def _automated(self, section: Section, activities: list[ActivityRecord], labelled: Any) -> None:
        automated = [a for a in activities if a.automated_decisions is True]
        unanswered = [a for a in activities if a.automated_decisions is None]
        if unanswered:
            # Article 13(2)(f) and 14(2)(g): people must be told of automated decisions.  An
            # unanswered question is neither told nor denied: the draft says what is missing.
            self.gap(
                section,
                "Not recorded whether decisions are made by computer without a person "
                f"involved, for: {_names(unanswered)}.",
                "whether any decision about people is made by computer without a person "
                "involved, and if so the logic and its effects.",
            )
        if not automated:
            self._no_automated(section, activities)
            return
        section.subheading(self.words.automated)
        section.bullets(
            labelled(a, _sentence(self.text(a.automated_decision_details)))
            for a in automated
            if a.automated_decision_details
        )
        section.paragraph(self.words.automated_review)

    def _no_automated(self, section: Section, activities: list[ActivityRecord]) -> None:
        """Say that no decision is made by computer alone only where the register answers
        No for every activity here (an unanswered question is a gap, above, never a No:
        migration 0005 kept a stored No only where someone was seen to give it).  Where
        the whole notice answers No, it is said once, with the rights."""
        if self.no_automated_anywhere:
            return
        if activities and all(a.automated_decisions is False for a in activities):
            section.paragraph(self.words.no_automated)

    # --- rights --------------------------------------------------------------------------

    def rights(self, services: list[Service]) -> Section:
        """The rights that apply given the bases relied on (the ICO's rights matrix), each
        saying which services it applies to, named so no sentence lists too many."""
        words = self.words
        section = Section("rights", words.rights_heading)
        bases = law.lawful_bases()
        section.paragraph(words.rights_intro)
        if self.no_automated_anywhere:
            section.paragraph(words.no_automated)
        for code, right in law.rights().items():
            if code == "complain":
                continue  # "How to complain" has its own section
            if code == "erasure":
                self._erasure(section, self.words.rights_names.get(code) or right.name, services)
                continue
            applying = [s for s in services if self._right_applies(code, right.applies, s, bases)]
            if not applying:
                continue
            section.subheading(self.words.rights_names.get(code) or right.name)
            section.paragraph(self._right_text(code, right.notice_text))
            if code == "access" and self.notice.sar_url.strip():
                section.link(words.sar_link, self.notice.sar_url.strip())
            if right.applies != "always" and len(applying) < len(services):
                section.paragraph(self._applies_to(code, applying, services, bases))
        return section

    def _right_text(self, code: str, law_text: str) -> str:
        text = self.words.rights_text.get(code, law_text)
        # The reply time is given once, for every right, in the section's first paragraph.
        return text.replace(" We will reply within one month and", "").replace(
            "request. there", "request. There"
        )

    def _erasure(self, section: Section, name: str, services: list[Service]) -> None:
        bases = law.lawful_bases()
        by_basis: dict[str, list[str]] = {}
        for service in services:
            for code in _unique(e.basis for a in service.activities for e in a.lawful_bases):
                by_basis.setdefault(code, []).append(service.name)
        if not by_basis:
            return
        section.subheading(name)
        section.paragraph(self.words.erasure_intro)
        items = []
        for code in [c for c in _BASIS_ORDER if c in by_basis]:
            basis = bases[code]
            names = by_basis[code]
            named = len(by_basis) > 1 and len(names) < len(services) and len(names) <= MAX_NAMED
            where = f" ({join_names(names)})" if named else ""
            # Children read the reason in plain words, not the law's name for it.
            plain = self.words.short_plain_bases.get(code)
            label = f"When {plain}" if plain else basis.name
            items.append(f"{label}{where}: {self.words.erasure_by_basis[code]}.")
        section.bullets(items)
        section.paragraph(self.words.erasure_always)
        if self.notice.retention_schedule_url.strip():
            section.link(self.words.retention_schedule_link, self.notice.retention_schedule_url)

    def _applies_to(
        self,
        code: str,
        applying: list[Service],
        services: list[Service],
        bases: dict[str, law.LawfulBasis],
    ) -> str:
        words = self.words
        if len(applying) <= MAX_NAMED:
            return words.applies_to.format(names=join_names([s.name for s in applying]))
        others = [s for s in services if s not in applying]
        if len(others) <= MAX_NAMED:
            return words.applies_except.format(names=join_names([s.name for s in others]))
        relied = _unique(
            bases[e.basis].name.casefold()
            for s in applying
            for a in s.activities
            for e in a.lawful_bases
            if e.basis in bases and bases[e.basis].rights.get(code, "no") in ("yes", "check")
        )
        return words.applies_by_basis.format(bases=join_names(relied))

    def _right_applies(
        self, code: str, applies: str, service: Service, bases: dict[str, law.LawfulBasis]
    ) -> bool:
        activities = service.activities
        if applies == "always":
            return True
        if applies == "when_automated_decisions":
            return any(a.automated_decisions for a in activities)
        if applies == "when_consent" or code == "withdraw_consent":
            return any(
                any(e.basis == "a" for e in a.lawful_bases)
                or any(c.code == "a" for c in a.article9)
                for a in activities
            )
        found = False
        for activity in activities:
            answers = {
                bases[e.basis].rights.get(code, "no")
                for e in activity.lawful_bases
                if e.basis in bases
            }
            if "check" in answers:
                self.warn(
                    "check",
                    "Your rights",
                    f"{activity.reference} {activity.name} relies on a recognised legitimate "
                    f"interest: check whether the {code.replace('_', ' ')} right applies and "
                    "edit the notice if it does not.",
                )
            found = found or bool(answers & {"yes", "check"})
        return found

    # --- contact -------------------------------------------------------------------------

    def dpo_details(self) -> list[str]:
        org = self.organisation
        return [
            label + value
            for label, value in (
                ("", org.dpo_name),
                ("Post: ", org.dpo_address),
                ("Email: ", org.dpo_email),
                ("Telephone: ", org.dpo_telephone),
            )
            if value
        ]

    def dpo(self) -> Section:
        section = Section("dpo", self.words.dpo_heading)
        section.paragraph(self.words.dpo_intro)
        section.details(self.dpo_details())
        self.mark_organisation_findings(section, {"ORG-DPO"})
        org = self.organisation
        if not (org.dpo_email or org.dpo_address or org.dpo_telephone) and not any(
            f.rule_id == "ORG-DPO" for f in self.errors
        ):
            self.gap(
                section,
                "No contact details for the Data Protection Officer are recorded. Add them in "
                "the organisation details.",
                "how to contact the Data Protection Officer.",
            )
        for paragraph in split_paragraphs(self.notice.contact_text):
            section.paragraph(paragraph)
        return section

    def complaints(self) -> Section:
        """Complain to us first (DPA 2018 s.164A): how, with the form and how we acknowledge
        it; then to the regulator in office, with the provision the right rests on."""
        words = self.words
        section = Section("complain", words.complain_heading)
        org = self.organisation
        own = org.complaints_contact
        # "Tell us first" once: not again when the organisation's own words already ask it.
        if not re.search(r"\bfirst\b", own, re.IGNORECASE):
            section.paragraph(words.complain_first)
        if own:
            for paragraph in split_paragraphs(own):
                section.paragraph(self.text(paragraph))
        else:
            section.paragraph(words.complain_contact)
        self._complaint_form(section)
        if org.complaints_acknowledgement.strip():
            for paragraph in split_paragraphs(self.text(org.complaints_acknowledgement)):
                section.paragraph(paragraph)
        self.mark_organisation_findings(section, {"ORG-COMPLAINTS"})
        section.paragraph(self.regulated(words.complain_ico))
        regulator = self.regulator
        section.details(
            [
                f"Post: {regulator.name}, {regulator.address}",
                f"Helpline: {regulator.helpline}",
                f"Website: {regulator.complaint_url}",
            ]
        )
        right = law.rights(self.on)["complain"]
        if right.citation and not self.words.plain_bases:
            section.paragraph(
                f"This right to complain to the {regulator.name} is set out in {right.citation}."
            )
        return section

    def _complaint_form(self, section: Section) -> None:
        address = self.organisation.complaints_form_url.strip()
        if _is_web_address(address):
            section.link(self.complaint_form_label, address)
        elif address:
            section.paragraph(f"{self.complaint_form_label}: {self.text(address)}")

    @property
    def complaint_form_label(self) -> str:
        return "Complain to us online" if not self.words.plain_bases else "Our complaint form"

    # --- the short first layer -----------------------------------------------------------

    def full_notice_address(self) -> str:
        """Where the full notice is published.  Never the website's home page in its place:
        a reader sent there for "the full notice" does not find it."""
        return self.notice.full_notice_url.strip()

    def no_full_notice_address(self, section: Section) -> None:
        self.gap(
            section,
            "No address is set for the full notice, so this layer cannot send readers to it. "
            "Give the notice's full notice address (where the full notice is published).",
            "the web address where the full notice is published.",
        )

    def short_layer(self, covered: list[ActivityRecord]) -> list[Section]:
        words = self.words
        who = Section("who", "Who we are")
        who.paragraph(self.as_organisation(words.short_who))
        self.mark_organisation_findings(who, {"ORG-NAME"})
        uses = Section("uses", words.short_uses)
        uses.bullets(
            f"{service.name}: {_lower_first(self._main_purposes(service))}"
            # A summary: one line per business function, whatever the full notice does.
            for service in group_services(covered, "function")
        )
        sharing = Section("sharing", words.short_sharing)
        recipients = _most_common(self.texts(n for a in covered for n in a.recipients), covered)
        processors = _most_common(self.texts(n for a in covered for n in a.processors), covered)
        if recipients or processors:
            # A processor receives the information too (Art 4(9)): named where no other
            # recipient is, so the layer never says the information is not shared.
            named = recipients or processors
            if not recipients:
                sharing.paragraph(words.processors)
            sharing.names(named[:SHORT_NAMED])
            if len(named) > SHORT_NAMED:
                sharing.paragraph(words.short_sharing_more)
        else:
            self.nobody_named(sharing, covered, sharing.heading)
            # Nothing recorded is the check's error (Art 30(1)(d)): marked, as in the full
            # notice, so it is answered before anything is published.
            self.mark_findings(sharing, covered, ["recipients", "processors"])
        rights = Section("rights", words.rights_heading)
        rights.paragraph(self.regulated(words.short_rights))
        if self.notice.sar_url.strip():
            rights.link(words.sar_link, self.notice.sar_url.strip())
        contact = Section("contact", words.short_contact)
        contact.paragraph(words.short_contact_dpo)
        contact.details(self.dpo_details())
        # Complaints come to us first (DPA 2018 s.164A), then to the regulator.
        contact.paragraph(words.complain_first)
        if self.organisation.complaints_form_url.strip():
            self._complaint_form(contact)
        elif self.organisation.complaints_contact.strip():
            contact.paragraph(split_paragraphs(self.text(self.organisation.complaints_contact))[0])
        else:
            contact.paragraph(words.complain_contact)
        self.mark_organisation_findings(contact, {"ORG-COMPLAINTS"})
        contact.paragraph(self.regulated(words.short_contact_ico))
        contact.details(
            [
                f"Helpline: {self.regulator.helpline}",
                f"Website: {self.regulator.complaint_url}",
            ]
        )
        address = self.full_notice_address()
        if _is_web_address(address):
            contact.link(words.full_link, address)
        elif address:
            contact.paragraph(f"{words.full_link}: {address}")
        else:
            contact.paragraph(words.full_ask)
            self.no_full_notice_address(contact)
        return [who, uses, sharing, rights, contact]

    def _main_purposes(self, service: Service) -> str:
        """A service's purposes in a line, each with its lawful basis: the first purpose of
        each activity, those on the same bases joined ("safeguarding children and arranging
        adoption (public task); the newsletter (consent)")."""
        firsts = [a for a in service.activities if a.purposes]
        with_bases = self.purpose_bases(
            [dataclasses.replace(a, purposes=a.purposes[:1]) for a in firsts]
        )[: self.words.short_purposes]
        groups: dict[tuple[str, ...], list[str]] = {}
        for purpose, codes in with_bases:
            groups.setdefault(tuple(codes), []).append(_lower_first(purpose))
        parts = [
            self.words.short_purpose_basis.format(
                purposes=join_names(purposes),
                basis=_lower_first(self.basis_label(codes, short=True)),
            )
            for codes, purposes in groups.items()
        ]
        return _sentence("; ".join(parts)) if parts else ""

    # --- just-in-time text ---------------------------------------------------------------

    def just_in_time(self, covered: list[ActivityRecord]) -> list[Section]:
        words = self.words
        address = self.full_notice_address()
        where = f" ({address})" if address else ""
        sections = []
        for position, activity in enumerate(covered, start=1):
            section = Section(f"form-{position}", activity.name or activity.reference)
            purpose = self.texts(activity.purposes[:2])
            sentences = [
                self.as_organisation(
                    words.jit_why,
                    purpose=join_names([_lower_first(p) for p in purpose]) or "this service",
                ),
                # Art 13(1)(c): the basis goes with the purposes it covers, on the form too.
                words.jit_basis.format(
                    basis=_lower_first(
                        self.basis_label(_basis_ordered(e.basis for e in activity.lawful_bases))
                    )
                ),
            ]
            recipients = [in_sentence(name) for name in self.texts(activity.recipients)[:3]]
            period = (
                kept_for(
                    self.text(
                        retention_text(activity.retention[0].period, activity.retention[0].trigger)
                    )
                )
                if activity.retention
                else ""
            )
            if recipients and period:
                sentences.append(
                    words.jit_share_keep.format(recipients=join_names(recipients), period=period)
                )
            elif period:
                sentences.append(words.jit_keep.format(period=period))
            sentences.append(words.jit_more.format(where=where))
            section.paragraph(" ".join(_sentence(s) for s in sentences))
            self.mark_findings(section, [activity])
            sections.append(section)
        if sections and not address:
            self.no_full_notice_address(sections[0])
        return sections


def _is_web_address(address: str) -> bool:
    """Only these become links: anything else a user typed stays text, never live HTML."""
    return re.match(r"(?i)(https?://|mailto:)[^\s\"'<>]+$", address) is not None


def _mentions(text: str, law_name: str) -> bool:
    """Whether text names a law already ("School Admissions Code (statutory guidance)" is
    named by "School Admissions Code")."""
    short = re.sub(r"\s*\([^)]*\)\s*$", "", law_name).strip()
    return bool(short) and short.casefold() in text.casefold()


# The fields whose findings are marked after the text about the data, and about the bases.
_ABOUT_DATA = ("individuals", "data_categories")
_ABOUT_BASES = (
    "lawful_bases",
    "legitimate_interests",
    "article9",
    "schedule1",
    "article10_basis",
    "consent_record_link",
    "lia_link",
    "apd_link",
)


def _lower_list(values: list[str]) -> str:
    return join_names([_lower_first(v) for v in values])


def _unique_rows(rows: list[list[str]]) -> list[list[str]]:
    seen: dict[tuple[str, ...], list[str]] = {}
    for row in rows:
        seen.setdefault(tuple(cell.casefold() for cell in row), row)
    return list(seen.values())


def _most_common(names: list[str], activities: list[ActivityRecord]) -> list[str]:
    """Names in order of how many activities name them (then as first seen)."""
    counts = {name.casefold(): 0 for name in names}
    for activity in activities:
        for name in {n.casefold() for n in activity.recipients}:
            if name in counts:
                counts[name] += 1
    return sorted(names, key=lambda n: -counts[n.casefold()])


# --- what changed ----------------------------------------------------------------------------

_MAX_CHANGES = 25


def changes_section(document: NoticeDocument, previous: PublishedVersion | None) -> Section:
    section = Section("changes", "What has changed")
    if previous is None:
        section.paragraph("This is the first version of this notice.")
        return section
    changes = describe_changes(previous.content, document.content_for_comparison())
    published = british_date(local_date(previous.published_at))
    if not changes:
        section.paragraph(f"Nothing has changed since the version published on {published}.")
        return section
    section.paragraph(f"Since the version published on {published}:")
    if len(changes) > _MAX_CHANGES:
        hidden = len(changes) - _MAX_CHANGES
        changes = [*changes[:_MAX_CHANGES], f"and {hidden} more changes."]
    section.bullets(changes)
    return section


def describe_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Plain sentences about what differs between two versions' content."""
    changes: list[str] = []
    if old.get("title") and old.get("title") != new.get("title"):
        changes.append(f"The title is now “{new.get('title')}”.")
    if old.get("introduction", []) != new.get("introduction", []):
        changes.append("We rewrote the introduction.")
    old_sections = {s["heading"]: s["lines"] for s in old.get("sections", [])}
    new_sections = {s["heading"]: s["lines"] for s in new.get("sections", [])}
    for heading, lines in new_sections.items():
        if heading not in old_sections:
            changes.append(f"We added the section “{heading}”.")
            continue
        before = old_sections[heading]
        for line in lines:
            if line not in before:
                changes.append(f"Added to “{heading}”: {_shorten(line)}")
        for line in before:
            if line not in lines:
                changes.append(f"Removed from “{heading}”: {_shorten(line)}")
    changes.extend(
        f"We removed the section “{heading}”."
        for heading in old_sections
        if heading not in new_sections
    )
    return changes


def _shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
