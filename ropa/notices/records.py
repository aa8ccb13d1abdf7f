"""Plain records for notices: what the service takes and returns, never ORM objects."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

# Audience codes as stored, with the words people see.
AUDIENCES: dict[str, str] = {
    "adults": "Adults",
    "children": "Children and young people",
    "staff": "Staff",
}

# A children's notice covering at most this many activities has a section for each (the
# first choice below says it in words: change both together).
FEW_ACTIVITIES = 5

# How the full notice divides into per-service sections, with the words people see.
GROUPINGS: dict[str, str] = {
    "": "Per business function (per activity in a children's notice of five or fewer)",
    "function": "One section per business function",
    "activity": "One section per activity",
}

# The layers of a notice (ICO's layered approach), with the words people see.
LAYERS: dict[str, str] = {
    "full": "Full notice",
    "short": "Short first layer",
    "just-in-time": "Just-in-time text for forms",
}


@dataclass
class NoticeSectionEntry:
    """A section the DPO writes by hand, such as one about the MASH or CP-IS."""

    heading: str
    body: str = ""


@dataclass(frozen=True)
class PublishedVersion:
    """A frozen, published version of a notice."""

    number: int
    published_at: dt.datetime
    published_by: str
    content: dict[str, Any]
    text: str


@dataclass
class NoticeRecord:
    """A notice as kept in the register. With `id` None it is an unsaved draft, which can
    still be previewed and rendered (the CLI's ad-hoc notices are drafts)."""

    title: str = ""
    audience: str = "adults"
    introduction: str = ""
    contact_text: str = ""
    # Path of a DPO's own Jinja2 template ("" = the built-in one).
    template: str = ""
    # "function" or "activity": what each per-service section of the full notice covers;
    # "" chooses for the audience (see `sections_by`).
    grouping: str = ""
    # Where the full notice is published, for the short layer's link and the text for forms
    # ("" = not set: those layers then show a gap, never the website's home page).
    full_notice_url: str = ""
    business_functions: list[str] = field(default_factory=list)
    activity_ids: list[int] = field(default_factory=list)
    # The people it is for (categories of individuals, as the register names them); empty =
    # everyone the covered activities hold data about, or for a children's notice the
    # children and young people among them (see `for_children`).
    individuals: list[str] = field(default_factory=list)
    # Register text -> the words this notice says instead: plain words a child reads, for
    # purposes, statutory requirements, automated decisions and the like.
    plain_wording: dict[str, str] = field(default_factory=dict)
    # Choices and opt-outs beyond the statutory rights ("NHS national data opt-out:
    # https://..."): one per paragraph or "- " line.
    choices: str = ""
    # Where to make a subject access request, and where the retention schedule is published.
    sar_url: str = ""
    retention_schedule_url: str = ""
    sections: list[NoticeSectionEntry] = field(default_factory=list)
    # Set by the register; ignored when creating.
    id: int | None = None
    version: int = 0
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    published: list[PublishedVersion] = field(default_factory=list)

    def sections_by(self, activities: int) -> str:
        """What each per-service section covers, for a notice covering this many activities.
        A child recognises the service they use ("Youth justice service") more readily than
        a council department, so a children's notice about a few activities has a section
        for each; about more, a section per activity would repeat what they share, making
        the notice longer than a child will read (the example register's 15 activities:
        5,096 words against 3,272 by business function)."""
        if self.grouping in ("function", "activity"):
            return self.grouping
        few = activities <= FEW_ACTIVITIES
        return "activity" if self.audience == "children" and few else "function"

    @property
    def last_published(self) -> PublishedVersion | None:
        return self.published[-1] if self.published else None


# The notice's own columns; the rest of what may be edited lives in rows of their own.
SCALAR_FIELDS = (
    "title",
    "audience",
    "introduction",
    "contact_text",
    "template",
    "grouping",
    "full_notice_url",
    "choices",
    "sar_url",
    "retention_schedule_url",
)
EDITABLE_FIELDS = (
    *SCALAR_FIELDS,
    "business_functions",
    "activity_ids",
    "sections",
    "individuals",
    "plain_wording",
)

# Words in a category of individuals that name children ("Children and young people",
# "Pupils", "Looked after children", "Care leavers"): a children's notice covers these
# people unless the DPO chooses others.
_CHILD_WORDS = re.compile(
    r"\b(child|children|young (?:people|person)|pupils?|students?|care leavers?|teenagers?|"
    r"youths?|bab(?:y|ies)|infants?|minors?|under[- ]18s?)\b",
    re.IGNORECASE,
)


def for_children(individual: str) -> bool:
    """Whether a category of individuals names children ("Parents of children" does not:
    it names parents)."""
    found = _CHILD_WORDS.search(individual)
    if found is None:
        return False
    before = individual[: found.start()].casefold()
    return not re.search(r"\b(parents?|carers?|adopters?|teachers?|staff|of|about|for)\b", before)
