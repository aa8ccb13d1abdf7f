"""What a register's column headings mean: the words DPOs, templates and tools really use.

The variants below were collected from real registers (the ICO's controller and processor
templates, published Article 30 records, a GRC tool's exports) and from the headings DPOs
write by hand.  A heading is matched with a certainty the DPO can be shown:

- EXACT: the ICO's own heading, or the register's own column, word for word;
- VARIANT: a known re-wording ("Recipients/processors", "Int'l Transfer?"), or a known
  heading with a remark in brackets added ("Lawful basis (proposed)");
- WORD: a word in the heading points at a field ("Retention (years)"); the preview asks the
  DPO to confirm these, and the report names them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import IntEnum

import ropa.spreadsheets.layout as layout


class Certainty(IntEnum):
    WORD = 1
    VARIANT = 2
    EXACT = 3

    @property
    def words(self) -> str:
        return {
            Certainty.WORD: "unsure (a word in the heading)",
            Certainty.VARIANT: "likely (a known wording)",
            Certainty.EXACT: "sure (the ICO's heading)",
        }[self]


@functools.lru_cache(maxsize=4_096)
def header_key(text: str) -> str:
    """A heading as it is compared: case, spacing, punctuation and "(if applicable)" folded."""
    folded = text.casefold().replace("’", "'").replace("‘", "'").replace("&", " and ")
    folded = re.sub(
        r"\((?:if applicable|if possible|optional|if any|where applicable)\)", " ", folded
    )
    folded = folded.replace("(s)", "s").replace("'s", "s").replace("'", "").replace("_", " ")
    folded = re.sub(r"[^\w]+", " ", folded)
    words = folded.split()
    # "the" and "a" carry no meaning in a heading: "Purposes of the processing".
    return " ".join(word for word in words if word not in {"the", "a", "an"})


def without_remarks(text: str) -> str:
    """A heading without what is in brackets: "Lawful basis (proposed)" -> "Lawful basis"."""
    return re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text)


# Re-worded headings, by the field they mean.  Keys not in a sheet's layout (a processor
# record has no recipients column) are kept as the organisation's own columns there.
VARIANTS: dict[str, tuple[str, ...]] = {
    "business_function": (
        "department",
        "service",
        "service area",
        "business area",
        "business unit",
        "directorate",
        "function",
        "team",
        "domain",
    ),
    "purposes": (
        "purposes of processing",
        "purposes of the processing",
        "purpose of the processing",
        "purposes",
        "purpose",
        "purpose s of processing",
        "purpose for processing",
        "why we process it",
    ),
    "individuals": (
        "categories of data subjects",
        "categories of data subject",
        "data subjects",
        "data subject",
        "data subject categories",
        "categories of individual",
        "individuals",
        "whose data",
        "data subjects categories",
    ),
    "data_categories": (
        "personal data",
        "categories of data",
        "types of personal data",
        "type of personal data",
        "data categories",
        "personal data categories",
        "personal data held",
        "categories",
        "data type",
        "data types",
        "type of data",
        "data held",
        "data items",
        "categories of personal data processed",
    ),
    "recipients": (
        "recipients",
        "recipients of personal data",
        "who data is shared with",
        "recipients processors",
        "recipients/processors",
        "third party recipients",
        "data recipients",
        "recipient",
        "shared with",
        "disclosed to",
        "categories of recipient",
    ),
    "processors": (
        "processors",
        "data processors",
        "processor",
        "sub processors",
        "subprocessors",
        "sub processors involved",
        "processors used",
        "processors involved",
        "suppliers",
    ),
    "transfer_destinations": (
        "international transfers",
        "international transfer",
        "intl transfer",
        "intl transfers",
        "third countries",
        "transfers to third countries",
        "transfers outside uk",
        "transfers",
        "transfer",
        "overseas transfers",
        "restricted transfers",
    ),
    "transfer_safeguards": (
        "transfer safeguards",
        "safeguards",
        "transfer mechanism",
        "international transfer safeguards",
    ),
    "retention": (
        "retention",
        "retention period",
        "retention periods",
        "how long it is kept",
        "retention schedule",
        "retention policy",
    ),
    "security_measures": (
        "security measures",
        "technical and organisational security measures",
        "technical and organisational measures",
        "security",
        "toms",
        "security measures summary",
        "safeguards and security",
    ),
    "lawful_bases": (
        "lawful basis",
        "lawful bases",
        "lawful basis for processing",
        "article 6 lawful basis",
        "article 6 basis",
        "art 6 basis",
        "legal basis",
        "legal bases",
        "lawful basis article 6",
        "basis for processing",
        "legal basis for processing",
    ),
    "article9": (
        "article 9 condition",
        "article 9 basis",
        "art 9 condition",
        "art 9 basis",
        "special category condition",
        "condition for processing special category data",
        "article 9 basis for processing special category data",
        "article 9 condition for special category data",
        "special category data condition",
        "article 9 condition if applicable",
        "article 9 condition",
    ),
    "schedule1": (
        "schedule 1 condition",
        "dpa 2018 schedule 1 condition",
        "schedule 1 condition dpa 2018",
        "dpa schedule 1 condition",
    ),
    "article10_basis": ("article 10 basis", "criminal offence data basis", "article 10 condition"),
    "legitimate_interests": ("legitimate interests", "legitimate interest"),
    "sources": ("source of personal data", "source of data", "sources", "source", "data source"),
    "systems": ("systems", "system", "where data is held", "information systems", "assets"),
    "automated_decisions": (
        "automated decision making",
        "automated decision making including profiling",
        "automated decisions",
        "profiling",
    ),
    "joint_controllers": ("joint controller", "joint controllers"),
    "dpia_required": ("dpia required", "is a dpia required", "dpia needed"),
    "dpia_link": ("link to dpia", "dpia link", "dpia reference", "dpia"),
    "name": (
        "activity name",
        "processing activity",
        "name of processing activity",
        "activity",
        "processing",
        "process",
        "processing name",
        "asset",
    ),
    "reference": ("ref", "ref no", "reference number", "ref id", "id"),
    "description": ("description", "what happens", "details", "description of processing"),
    "owner": ("owner", "assigned to", "process owner", "activity owner"),
    "status": ("status",),
    "controllers": (
        "controller",
        "name of controller",
        "controllers",
        "client",
        "clients",
        "on behalf of",
        "controller client",
    ),
    "location_of_data": ("location", "where the records are kept", "storage location"),
}

# A word in a heading that points at a field, tried in this order when no wording matches.
_WORDS: tuple[tuple[str, str], ...] = (
    (r"\b(?:article|art) ?9\b|special categor", "article9"),
    (r"\bschedule ?1\b|\bsch ?1\b", "schedule1"),
    (r"\b(?:article|art) ?10\b|criminal", "article10_basis"),
    (r"legitimate interest", "legitimate_interests"),
    (r"\blawful\b|\blegal basis|\bbasis\b", "lawful_bases"),
    (r"retention|\bretain|how long", "retention"),
    (r"sub ?processor|\bprocessors?\b", "processors"),
    (r"recipient|shared with|disclos|third part", "recipients"),
    (r"safeguard|mechanism", "transfer_safeguards"),
    (r"transfer|third countr|international|overseas", "transfer_destinations"),
    (r"security|\bmeasures\b", "security_measures"),
    (r"subject|individual", "individuals"),
    (r"personal data|data categor|data type|categor|data held", "data_categories"),
    (r"purpose", "purposes"),
    (r"\bsources?\b", "sources"),
    (r"\bsystems?\b", "systems"),
    (r"automated|profiling", "automated_decisions"),
    (r"\bdpia\b|impact assessment", "dpia_progress"),
    (r"\bcontrollers?\b", "controllers"),
    (r"department|function|directorate|service area", "business_function"),
    (r"\bactivit", "name"),
)


@dataclass(frozen=True)
class Meaning:
    key: str
    certainty: Certainty
    how: str  # why it was matched, in words for the report and the mapping step


def _exact_headings() -> dict[str, str]:
    found: dict[str, str] = {}
    for spec in layout.LAYOUTS.values():
        for column in spec.columns:
            found.setdefault(header_key(column.header), column.key)
    return found


_EXACT = _exact_headings()
_VARIANT_KEYS = {
    header_key(variant): key for key, variants in VARIANTS.items() for variant in variants
}


@functools.lru_cache(maxsize=4_096)
def meaning_of(heading: str) -> Meaning | None:
    """What a heading means, how sure that is, and why; None when nothing points anywhere."""
    key = header_key(heading)
    if not key:
        return None
    if key in _EXACT:
        return Meaning(_EXACT[key], Certainty.EXACT, "the ICO's heading")
    if key in _VARIANT_KEYS:
        return Meaning(_VARIANT_KEYS[key], Certainty.VARIANT, "a known wording")
    bare = header_key(without_remarks(heading))
    if bare and bare != key:
        if bare in _EXACT:
            return Meaning(_EXACT[bare], Certainty.VARIANT, "the ICO's heading with a remark")
        if bare in _VARIANT_KEYS:
            return Meaning(_VARIANT_KEYS[bare], Certainty.VARIANT, "a known wording with a remark")
    for pattern, field in _WORDS:
        if re.search(pattern, key):
            return Meaning(field, Certainty.WORD, "a word in the heading")
    return None


# Fields that say a sheet is a record of processing when they stand together.
CORE_KEYS = frozenset(
    {
        "name",
        "business_function",
        "purposes",
        "individuals",
        "data_categories",
        "lawful_bases",
        "recipients",
        "retention",
        "controllers",
        "security_measures",
        "transfer_destinations",
        "article9",
        "processors",
    }
)

# Words for a field the DPO can pick in the mapping step and name in `--map`.
OWN = "own"  # keep as the organisation's own column
IGNORE = "ignore"  # do not read the column (its cells are reported as not read)


def field_label(key: str) -> str:
    """A field's name as the DPO knows it: the ICO heading, or the register's."""
    for spec in layout.LAYOUTS.values():
        for column in spec.columns:
            if column.key == key:
                return column.header
    return key


def choosable_keys(kind: layout.Kind) -> list[str]:
    """The fields a column of a sheet in this layout may be mapped to."""
    keys: list[str] = []
    for column in layout.LAYOUTS[kind].columns:
        if column.key not in keys and column.key not in {"rights", "apd_lawful_bases"}:
            keys.append(column.key)
    return keys


def resolve_choice(text: str) -> str:
    """A field named in `--map` or a mapping file: its key, its ICO heading, or a known
    wording; "own" and "ignore" as themselves.  ValueError names what was not understood."""
    words = text.strip()
    if words.casefold() in {OWN, "own column", "keep"}:
        return OWN
    if words.casefold() in {IGNORE, "skip"}:
        return IGNORE
    keys = {key for spec in layout.LAYOUTS.values() for key in (c.key for c in spec.columns)}
    if words in keys:
        return words
    meaning = meaning_of(words)
    if meaning is not None and meaning.certainty >= Certainty.VARIANT:
        return meaning.key
    raise ValueError(
        f"“{words}” is not a field of the register. Use one of: "
        + ", ".join(sorted(keys))
        + f", or “{OWN}” or “{IGNORE}”."
    )
