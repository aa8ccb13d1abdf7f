"""What a privacy notice says, built section by section from the activities it covers.

The result is a NoticeDocument: plain sections of paragraphs and lists, independent of any
output format, so that HTML, Markdown, text, Word and PDF all say the same thing.  Anything
the law asks a notice to tell people that the covered activities leave empty becomes a
warning for the DPO and a visible "[To complete: ...]" line in the draft.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ropa import law
from ropa.dates import british_date, local_date
from ropa.errors import NotFoundError
from ropa.notices.records import AUDIENCES, NoticeRecord, PublishedVersion
from ropa.records import ActivityRecord, LibraryKind, OrganisationRecord, Role
from ropa.sanitise import balance_bidi

if TYPE_CHECKING:
    from ropa.register import Register

# The regulator's contact details (a fact, from the UK law reference).
ICO_NAME = "Information Commissioner's Office"
ICO_ADDRESS = "Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF"
ICO_HELPLINE = "0303 123 1113"
ICO_WEBSITE = "https://ico.org.uk/make-a-complaint"

# Sections whose content does not take part in "what has changed" comparisons.
_NOT_COMPARED = {"changes", "updated"}

# Article 6 bases in the order the Article lists them.
_BASIS_ORDER = ["a", "b", "c", "d", "e", "ea", "f"]


@dataclass
class Block:
    """One piece of a section: a paragraph, a bulleted list, a subheading, or a
    "[To complete: ...]" line the DPO must deal with before publishing."""

    kind: str  # "paragraph" | "list" | "subheading" | "todo"
    text: str = ""
    entries: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # A right-to-left override typed into the register must not reverse the rest of
        # the notice: each line closes whatever its text left open.
        self.text = balance_bidi(self.text)
        self.entries = [balance_bidi(entry) for entry in self.entries]

    def lines(self) -> list[str]:
        return list(self.entries) if self.kind == "list" else [self.text]


@dataclass
class Section:
    key: str
    heading: str
    blocks: list[Block] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.heading = balance_bidi(self.heading)

    def paragraph(self, text: str) -> None:
        self.blocks.append(Block("paragraph", text))

    def bullets(self, items: Iterable[str]) -> None:
        items = list(items)
        if items:
            self.blocks.append(Block("list", entries=items))

    def subheading(self, text: str) -> None:
        self.blocks.append(Block("subheading", text))

    def todo(self, text: str) -> None:
        self.blocks.append(Block("todo", f"[To complete: {text}]"))

    def lines(self) -> list[str]:
        return [line for block in self.blocks for line in block.lines()]


@dataclass(frozen=True)
class NoticeWarning:
    """Something the DPO should look at before publishing."""

    kind: str  # "gap" (the law asks for it, the register lacks it) | "check" | "vague" | "reading"
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

    @property
    def title(self) -> str:
        return self.notice.title or "Privacy notice"

    @property
    def audience_label(self) -> str:
        return AUDIENCES.get(self.notice.audience, self.notice.audience)

    @property
    def introduction(self) -> list[str]:
        return split_paragraphs(self.notice.introduction)

    @property
    def last_updated(self) -> str:
        return british_date(self.generated_at.date())

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def content_for_comparison(self) -> dict[str, Any]:
        """What a published version stores, and what the next version is compared with."""
        return {
            "title": self.title,
            "introduction": self.introduction,
            "sections": [
                {"heading": s.heading, "lines": s.lines()}
                for s in self.sections
                if s.key not in _NOT_COMPARED
            ],
        }

    def all_text(self) -> list[tuple[str, str]]:
        """(section heading, text) of every paragraph and list item, for readability checks."""
        found = [("Introduction", text) for text in self.introduction]
        for section in self.sections:
            for block in section.blocks:
                if block.kind != "todo":
                    found.extend((section.heading, line) for line in block.lines())
        return found


# --- loading ---------------------------------------------------------------------------------


def load_notice(register: Register, notice: int | NoticeRecord) -> NoticeRecord:
    if isinstance(notice, NoticeRecord):
        return notice
    from ropa.notices.service import NoticeService

    return NoticeService(register).get(notice)


def load_covered_activities(register: Register, notice: NoticeRecord) -> list[ActivityRecord]:
    """The activities chosen one by one plus those of the chosen business functions, once
    each, in reference order (retired activities are left out)."""
    chosen: dict[int | None, ActivityRecord] = {}
    if notice.activity_ids:
        chosen.update((a.id, a) for a in register.activities.load(notice.activity_ids))
    if notice.business_functions:
        loaded = register.activities.load(business_functions=notice.business_functions)
        chosen.update((a.id, a) for a in loaded)
    return sorted(chosen.values(), key=lambda a: a.reference.casefold())


def flagged_data_categories(register: Register) -> tuple[set[str], set[str]]:
    """Case-folded names of the data categories marked special category / criminal offence."""
    special, criminal = set(), set()
    for item in register.library.items(LibraryKind.DATA_CATEGORY):
        if item.special_category:
            special.add(item.name.casefold())
        if item.criminal_offence:
            criminal.add(item.name.casefold())
    return special, criminal


def build_document(
    register: Register, notice: int | NoticeRecord, *, now: dt.datetime | None = None
) -> NoticeDocument:
    """Load what the notice needs from the register and compose it."""
    record = load_notice(register, notice)
    if record.id is not None and not record.published:
        # A draft being edited carries no published versions; take them from the register.
        with contextlib.suppress(NotFoundError):
            stored = load_notice(register, record.id)
            record = dataclasses.replace(record, published=stored.published)
    special, criminal = flagged_data_categories(register)
    return compose(
        record,
        register.organisation.get(),
        load_covered_activities(register, record),
        special_categories=special,
        criminal_categories=criminal,
        now=now,
    )


# --- composing -------------------------------------------------------------------------------


def compose(
    notice: NoticeRecord,
    organisation: OrganisationRecord,
    activities: Sequence[ActivityRecord],
    *,
    special_categories: set[str],
    criminal_categories: set[str],
    now: dt.datetime | None = None,
) -> NoticeDocument:
    """Build the notice's sections from records alone (no register access)."""
    now = now or dt.datetime.now().replace(microsecond=0)
    builder = _Builder(organisation, special_categories, criminal_categories)
    covered = builder.drop_processor_activities(list(activities))
    sections = [
        builder.who_we_are(covered),
        builder.information(covered),
        builder.sources(covered),
        builder.purposes(covered),
        builder.lawful_bases(covered),
        builder.must_give(covered),
        builder.sharing(covered),
        builder.automated_decisions(covered),
        builder.transfers(covered),
        builder.retention(covered),
        builder.rights(covered),
        builder.dpo(notice),
        builder.complaints(),
    ]
    for position, extra in enumerate(notice.sections, start=1):
        section = Section(f"extra-{position}", extra.heading)
        add_user_text(section, extra.body)
        sections.append(section)
    if not covered:
        builder.warn(
            "gap",
            "Who we are",
            "The notice covers no activities. Choose activities or business functions for it.",
        )
    document = NoticeDocument(notice, organisation, list(covered), sections, builder.warnings, now)
    document.built_from = {a.id: a.updated_at for a in activities if a.id is not None}
    document.sections.append(changes_section(document, notice.last_published))
    updated = Section("updated", "Last updated")
    updated.paragraph(f"This notice was last updated on {document.last_updated}.")
    document.sections.append(updated)
    return document


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


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _names(activities: Iterable[ActivityRecord]) -> str:
    names = [a.name or a.reference for a in activities]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


class _Builder:
    def __init__(
        self, organisation: OrganisationRecord, special: set[str], criminal: set[str]
    ) -> None:
        self.organisation = organisation
        self.special = special
        self.criminal = criminal
        self.warnings: list[NoticeWarning] = []

    def warn(self, kind: str, section: str, message: str) -> None:
        self.warnings.append(NoticeWarning(kind, section, message))

    def gap(self, section: Section, message: str, todo: str) -> None:
        self.warn("gap", section.heading, message)
        section.todo(todo)

    def drop_processor_activities(self, activities: list[ActivityRecord]) -> list[ActivityRecord]:
        kept = []
        for activity in activities:
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
        return kept

    # --- sections ------------------------------------------------------------------------

    def who_we_are(self, activities: list[ActivityRecord]) -> Section:
        section = Section("who", "Who we are")
        org = self.organisation
        if org.name:
            section.paragraph(
                f"{org.name} is responsible for the personal information described in this "
                "notice. The law calls us the controller of this information."
            )
        else:
            self.gap(
                section,
                "The organisation's name is not recorded. Add it in the organisation details.",
                "the organisation's name and contact details.",
            )
        section.bullets(
            label + value
            for label, value in (
                ("Address: ", org.address),
                ("Email: ", org.email),
                ("Telephone: ", org.telephone),
                ("Website: ", org.website),
            )
            if value
        )
        if org.name and not (org.address or org.email or org.telephone):
            self.gap(
                section,
                "The organisation has no address, email or telephone recorded.",
                "how people can contact the organisation.",
            )
        if org.ico_registration:
            section.paragraph(
                f"We are registered with the {ICO_NAME} under number {org.ico_registration}."
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
        joint = [a for a in activities if a.role == Role.JOINT_CONTROLLER]
        for activity in joint:
            partners = activity.joint_controllers or activity.controllers
            if partners:
                section.paragraph(
                    f"For {activity.name}, we share the responsibility for your information "
                    f"with {partners.strip().rstrip('.')}. The law calls us joint controllers."
                )
            else:
                self.warn(
                    "gap",
                    section.heading,
                    f"{activity.reference} {activity.name} is a joint controller activity, but "
                    "the other controllers are not named.",
                )
        if activities:
            section.paragraph("This notice covers these services:")
            section.bullets(_unique(a.name or a.reference for a in activities))
        return section

    def information(self, activities: list[ActivityRecord]) -> Section:
        section = Section("information", "The information we use")
        individuals = _unique(n for a in activities for n in a.individuals)
        if individuals:
            section.paragraph("We hold information about these people:")
            section.bullets(individuals)
        categories = _unique(n for a in activities for n in a.data_categories)
        special = [c for c in categories if c.casefold() in self.special]
        criminal = [c for c in categories if c.casefold() in self.criminal]
        ordinary = [c for c in categories if c not in special and c not in criminal]
        if ordinary:
            section.paragraph("We use these kinds of information:")
            section.bullets(ordinary)
        if special:
            section.subheading("Special category data")
            section.paragraph(
                "The law calls the following information special category data. It is more "
                "sensitive, so the law gives it extra protection:"
            )
            section.bullets(special)
        if criminal:
            section.subheading("Criminal offence data")
            section.paragraph(
                "We also use information about criminal allegations, convictions and offences, "
                "which the law calls criminal offence data:"
            )
            section.bullets(criminal)
        if not categories:
            self.gap(
                section,
                "None of the covered activities records the categories of personal data.",
                "the kinds of information used.",
            )
        return section

    def sources(self, activities: list[ActivityRecord]) -> Section:
        section = Section("sources", "Where we get your information")
        sources = _unique(n for a in activities for n in a.sources)
        if sources:
            section.paragraph("We get information about you from:")
            section.bullets(sources)
        elif activities:
            self.gap(
                section,
                "No sources of personal data are recorded; the law asks a notice to say where "
                "information comes from when people do not give it themselves.",
                "where the information comes from.",
            )
        return section

    def purposes(self, activities: list[ActivityRecord]) -> Section:
        section = Section("purposes", "The reasons we use your data")
        purposes = _unique(n for a in activities for n in a.purposes)
        if purposes:
            section.paragraph("We use your information for these reasons:")
            section.bullets(purposes)
        else:
            self.gap(
                section,
                "None of the covered activities records its purposes.",
                "why the information is used.",
            )
        for activity in activities:
            if not activity.purposes:
                self.warn(
                    "gap",
                    section.heading,
                    f"{activity.reference} {activity.name} has no purpose recorded.",
                )
        return section

    def lawful_bases(self, activities: list[ActivityRecord]) -> Section:
        section = Section("bases", "Why we are allowed to use your data")
        bases = law.lawful_bases()
        used = {entry.basis for a in activities for entry in a.lawful_bases}
        if used:
            section.paragraph(
                "Data protection law only lets us use your information when we have a lawful "
                "reason. We rely on these reasons, set out in Article 6 of the UK GDPR:"
            )
        named_laws: set[str] = set()
        for code in [c for c in _BASIS_ORDER if c in used] + sorted(used - set(_BASIS_ORDER)):
            basis = bases.get(code)
            section.subheading(
                f"{basis.name} (UK GDPR {basis.article})" if basis else f"Article 6(1)({code})"
            )
            if basis:
                section.paragraph(basis.notice_text)
            entries = [(a, e) for a in activities for e in a.lawful_bases if e.basis == code]
            legislation = _unique(name for _a, e in entries for name in e.legislation)
            named_laws.update(name.casefold() for name in legislation)
            if legislation:
                section.paragraph("The laws that give us these duties and powers are:")
                section.bullets(legislation)
            elif code in ("c", "e"):
                self.warn(
                    "gap",
                    section.heading,
                    f"{basis.name if basis else code} is relied on, but no legislation is "
                    "recorded for it. Name the Acts that give the duty or power.",
                )
            explained = _unique(
                f"{a.name}: {_sentence(e.explanation)}" for a, e in entries if e.explanation
            )
            if explained:
                section.paragraph("How each service relies on it:")
                section.bullets(explained)
            if code == "f":
                interests = _unique(a.legitimate_interests for a in entries_activities(entries))
                if interests:
                    section.paragraph("Our legitimate interests are:")
                    section.bullets(interests)
                else:
                    self.gap(
                        section,
                        "Legitimate interests are relied on, but the interests are not described.",
                        "the legitimate interests relied on.",
                    )
            if (
                basis
                and basis.barred_for_public_authority_tasks
                and (self.organisation.is_public_authority)
            ):
                self.warn(
                    "check",
                    section.heading,
                    f"{basis.name} ({basis.article}) is relied on by "
                    f"{_names(entries_activities(entries))}, but a public authority may not "
                    "rely on it for the tasks it carries out as a public authority.",
                )
        other_laws = [
            name
            for name in _unique(n for a in activities for n in a.legislation)
            if name.casefold() not in named_laws
        ]
        if other_laws:
            section.paragraph("We also follow these laws and guidance:")
            section.bullets(other_laws)
        for activity in activities:
            if not activity.lawful_bases:
                self.warn(
                    "gap",
                    section.heading,
                    f"{activity.reference} {activity.name} has no lawful basis recorded.",
                )
        if activities and not used:
            section.todo("the lawful basis for using the information.")
        with_special = self._special_category(section, activities)
        with_criminal = self._criminal_offence(section, activities)
        self._schedule1_conditions(section, [*with_special, *with_criminal])
        return section

    def _special_category(
        self, section: Section, activities: list[ActivityRecord]
    ) -> list[ActivityRecord]:
        with_special = [
            a
            for a in activities
            if a.article9 or any(c.casefold() in self.special for c in a.data_categories)
        ]
        if not with_special:
            return []
        section.subheading("Special category data")
        section.paragraph(
            "To use special category data, the law asks for an extra reason from Article 9 of "
            "the UK GDPR and, for most of those reasons, a condition in Schedule 1 to the Data "
            "Protection Act 2018. We rely on:"
        )
        used9 = _unique(c.code for a in with_special for c in a.article9)
        section.bullets(
            f"{condition.name} ({condition.article}): {condition.notice_text}"
            if (condition := law.article9_condition(code)) is not None
            else f"Article 9(2)({code})"
            for code in sorted(used9)
        )
        for activity in with_special:
            if not activity.article9:
                self.warn(
                    "gap",
                    section.heading,
                    f"{activity.reference} {activity.name} uses special category data but no "
                    "Article 9 condition is recorded.",
                )
            missing = law.missing_schedule1_parts(
                (c.code for c in activity.article9), (c.code for c in activity.schedule1)
            )
            for condition, part in missing:
                self.warn(
                    "gap",
                    section.heading,
                    f"{activity.reference} {activity.name} relies on {condition.article}, "
                    f"which needs a Schedule 1 Part {part} condition, and none is recorded.",
                )
        return with_special

    def _criminal_offence(
        self, section: Section, activities: list[ActivityRecord]
    ) -> list[ActivityRecord]:
        with_criminal = [
            a
            for a in activities
            if a.article10_basis or any(c.casefold() in self.criminal for c in a.data_categories)
        ]
        if not with_criminal:
            return []
        section.subheading("Criminal offence data")
        codes = _unique(a.article10_basis for a in with_criminal)
        if "official_authority" in codes:
            section.paragraph(
                "We use information about criminal allegations, convictions and offences under "
                "the control of official authority, as Article 10 of the UK GDPR allows."
            )
        if "authorised_by_law" in codes:
            section.paragraph(
                "We use information about criminal allegations, convictions and offences where "
                "the law authorises it (Article 10 of the UK GDPR and section 10(5) of the Data "
                "Protection Act 2018), under the Schedule 1 conditions listed below."
            )
        for activity in with_criminal:
            if not activity.article10_basis:
                self.warn(
                    "gap",
                    section.heading,
                    f"{activity.reference} {activity.name} uses criminal offence data but no "
                    "Article 10 basis is recorded.",
                )
            elif law.needs_schedule1([], activity.article10_basis) and not any(
                law.schedule1_condition(c.code) for c in activity.schedule1
            ):
                self.warn(
                    "gap",
                    section.heading,
                    f"{activity.reference} {activity.name} uses criminal offence data because "
                    "the law authorises it, but no Schedule 1 condition is recorded.",
                )
        if not codes:
            section.todo("the Article 10 basis for using criminal offence data.")
        return with_criminal

    def _schedule1_conditions(self, section: Section, activities: list[ActivityRecord]) -> None:
        """The Schedule 1 conditions that special category and criminal offence data rest
        on, listed once, with the policy document where any condition needs one."""
        used = _unique(c.code for a in activities for c in a.schedule1)
        if not used:
            return
        section.subheading("Schedule 1 conditions")
        section.paragraph(
            "We rely on these conditions in Schedule 1 to the Data Protection Act 2018:"
        )
        section.bullets(
            f"Schedule 1, Part {condition.part}, paragraph {condition.paragraph} of the Data "
            f"Protection Act 2018: {condition.name}"
            if (condition := law.schedule1_condition(code)) is not None
            else f"Schedule 1, paragraph {code} of the Data Protection Act 2018"
            for code in sorted(used, key=lambda c: (len(c), c))
        )
        if law.apd_conditions(used):
            section.paragraph(
                "We have an appropriate policy document that explains how we protect this "
                "information and how long we keep it. Our Data Protection Officer can give you "
                "a copy."
            )

    def must_give(self, activities: list[ActivityRecord]) -> Section:
        section = Section("must_give", "Do you have to give us your information?")
        answers = _unique(
            f"{a.name}: {_sentence(a.statutory_requirement)}"
            for a in activities
            if a.statutory_requirement
        )
        if answers:
            section.paragraph(
                "Whether you must give us information, and what happens if you do not, depends "
                "on the service:"
            )
            section.bullets(answers)
        missing = [a for a in activities if not a.statutory_requirement]
        if missing:
            self.warn(
                "gap",
                section.heading,
                f"Not recorded whether people must give their information, or what happens if "
                f"they do not, for: {_names(missing)}.",
            )
        if missing and not answers:
            section.todo("whether people must give their information and what happens if not.")
        return section

    def sharing(self, activities: list[ActivityRecord]) -> Section:
        section = Section("sharing", "Who we share your data with")
        recipients = _unique(n for a in activities for n in a.recipients)
        processors = _unique(n for a in activities for n in a.processors)
        if recipients:
            section.paragraph("We share information with these organisations when we need to:")
            section.bullets(recipients)
        if processors:
            section.paragraph(
                "These organisations handle information for us, under contract and only on "
                "our instructions:"
            )
            section.bullets(processors)
        if not recipients and not processors:
            section.paragraph("We do not share this information with other organisations.")
            if activities:
                self.warn(
                    "check",
                    section.heading,
                    "No recipients or processors are recorded, so the notice says the "
                    "information is not shared. Check that this is right.",
                )
        return section

    def automated_decisions(self, activities: list[ActivityRecord]) -> Section:
        section = Section("automated", "When computers make decisions about you")
        automated = [a for a in activities if a.automated_decisions]
        if not automated:
            section.paragraph(
                "We do not make decisions about you by computer alone, without a person involved."
            )
            return section
        section.paragraph("We make these decisions by computer alone:")
        section.bullets(
            f"{a.name}: {_sentence(a.automated_decision_details)}"
            if a.automated_decision_details
            else a.name
            for a in automated
        )
        section.paragraph(
            "You can ask for a member of staff to look at any of these decisions again. Your "
            "rights are explained below."
        )
        for activity in automated:
            if not activity.automated_decision_details:
                self.gap(
                    section,
                    f"{activity.reference} {activity.name} makes automated decisions but does "
                    "not describe the logic or the effects on people.",
                    f"how the automated decision in {activity.name} works and what it means "
                    "for people.",
                )
        return section

    def transfers(self, activities: list[ActivityRecord]) -> Section:
        section = Section("transfers", "When your data is sent to other countries")
        mechanisms = law.transfer_mechanisms()
        items = []
        for activity in activities:
            for transfer in activity.transfers:
                mechanism = mechanisms.get(transfer.mechanism)
                parts = [f"{activity.name}: to {transfer.destination}."]
                if mechanism:
                    parts.append(mechanism.notice_text)
                else:
                    self.warn(
                        "gap",
                        section.heading,
                        f"{activity.reference} {activity.name} sends information to "
                        f"{transfer.destination} without a recorded transfer mechanism.",
                    )
                if transfer.safeguards:
                    parts.append(_sentence(transfer.safeguards))
                items.append(" ".join(parts))
        items = _unique(items)
        if items:
            section.paragraph("We send information outside the UK in these cases:")
            section.bullets(items)
            section.paragraph(
                "You can ask our Data Protection Officer for a copy of the safeguards we use."
            )
        else:
            section.paragraph(
                "We do not send your information to other countries or to international "
                "organisations."
            )
        return section

    def retention(self, activities: list[ActivityRecord]) -> Section:
        section = Section("retention", "How long we keep your data")
        items = []
        for activity in activities:
            for rule in activity.retention:
                text = f"{rule.applies_to or activity.name}: {rule.period.strip()}"
                if rule.trigger:
                    text += f" (counted from {_lower_first(rule.trigger.strip())})"
                items.append(_sentence(text))
        items = _unique(items)
        if items:
            section.paragraph("We keep information only for as long as we need it:")
            section.bullets(items)
        for activity in activities:
            if not activity.retention:
                self.gap(
                    section,
                    f"{activity.reference} {activity.name} has no retention period recorded.",
                    f"how long the information in {activity.name} is kept.",
                )
        return section

    def rights(self, activities: list[ActivityRecord]) -> Section:
        """The rights that apply given the bases relied on (the ICO's rights matrix)."""
        section = Section("rights", "Your rights")
        bases = law.lawful_bases()
        all_rights = law.rights()
        section.paragraph(
            "You have these rights over your information. To use any of them, contact our "
            "Data Protection Officer (details below). We will reply within one month."
        )
        for code, right in all_rights.items():
            if code == "complain":
                continue  # "How to complain" has its own section
            applies_to = self._right_applies_to(code, right.applies, activities, bases)
            if not applies_to:
                continue
            section.subheading(right.name)
            section.paragraph(right.notice_text)
            if right.applies != "always" and len(applies_to) < len(activities):
                section.paragraph(f"This applies to: {_names(applies_to)}.")
        return section

    def _right_applies_to(
        self,
        code: str,
        applies: str,
        activities: list[ActivityRecord],
        bases: dict[str, law.LawfulBasis],
    ) -> list[ActivityRecord]:
        if applies == "always":
            return activities
        if applies == "when_automated_decisions":
            return [a for a in activities if a.automated_decisions]
        if applies == "when_consent" or code == "withdraw_consent":
            return [
                a
                for a in activities
                if any(e.basis == "a" for e in a.lawful_bases)
                or any(c.code == "a" for c in a.article9)
            ]
        applying = []
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
            if answers & {"yes", "check"}:
                applying.append(activity)
        return applying

    def dpo(self, notice: NoticeRecord) -> Section:
        section = Section("dpo", "How to contact our Data Protection Officer")
        org = self.organisation
        section.paragraph(
            "Our Data Protection Officer makes sure we follow data protection law. Contact them "
            "about anything in this notice, or to use your rights:"
        )
        section.bullets(
            label + value
            for label, value in (
                ("", org.dpo_name),
                ("Post: ", org.dpo_address),
                ("Email: ", org.dpo_email),
                ("Telephone: ", org.dpo_telephone),
            )
            if value
        )
        if not (org.dpo_email or org.dpo_address or org.dpo_telephone):
            self.gap(
                section,
                "No contact details for the Data Protection Officer are recorded. Add them in "
                "the organisation details.",
                "how to contact the Data Protection Officer.",
            )
        for paragraph in split_paragraphs(notice.contact_text):
            section.paragraph(paragraph)
        return section

    def complaints(self) -> Section:
        section = Section("complain", "How to complain")
        org = self.organisation
        section.paragraph(
            "If you are unhappy with how we have used your information, please tell us first "
            "so that we can put things right."
        )
        if org.complaints_contact:
            for paragraph in split_paragraphs(org.complaints_contact):
                section.paragraph(paragraph)
        else:
            section.paragraph("Contact our Data Protection Officer, using the details above.")
        section.paragraph(
            f"If you are still unhappy, you have the right to complain to the {ICO_NAME} "
            "(ICO), the UK's independent regulator for data protection:"
        )
        section.bullets(
            [
                f"Post: {ICO_NAME}, {ICO_ADDRESS}",
                f"Helpline: {ICO_HELPLINE}",
                f"Website: {ICO_WEBSITE}",
            ]
        )
        return section


def entries_activities(entries: Iterable[tuple[ActivityRecord, Any]]) -> list[ActivityRecord]:
    seen: dict[int, ActivityRecord] = {}
    for activity, _entry in entries:
        seen.setdefault(id(activity), activity)
    return list(seen.values())


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
