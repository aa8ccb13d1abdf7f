"""The reference law shipped in resources/law: read-only facts the register builds on.

The law changes on known days (the Data (Use and Access) Act 2025 was commenced in stages:
5 February 2026, 19 June 2026, and the Information Commission on a day not yet fixed), so
what depends on a date is dated data: each rule, right and notice sentence carries the
provision it rests on and the day it applies from, and the regulator's name and contacts
are an entry with the day they take effect.  Changing the law is then a data change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from ropa.paths import resource


def _load(name: str) -> Any:
    with resource("law", name).open(encoding="utf-8") as handle:
        return json.load(handle)


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class LawfulBasis:
    code: str
    article: str
    name: str
    plain_name: str
    description: str
    notice_text: str
    barred_for_public_authority_tasks: bool
    rights: dict[str, Any]
    provision: str = ""
    in_force_from: str = ""
    # Article 6(3): the basis for (c) and (e) is laid down by law, so the record names it.
    needs_law: bool = False
    # Article 6(5): (ea) only where a condition in Annex 1 is met.
    needs_annex1_condition: bool = False
    barred_provision: str = ""
    rights_provisions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Article9Condition:
    code: str
    article: str
    name: str
    description: str
    notice_text: str
    schedule1_part_required: int | None


@dataclass(frozen=True)
class Schedule1Condition:
    paragraph: int
    part: int
    name: str
    requires_apd: bool
    apd_note: str
    description: str

    @property
    def code(self) -> str:
        return str(self.paragraph)


@dataclass(frozen=True)
class Article10Basis:
    code: str
    name: str
    description: str
    needs_schedule1: bool


@dataclass(frozen=True)
class Right:
    code: str
    name: str
    article: str
    notice_text: str
    applies: str
    provision: str = ""
    in_force_from: str = ""
    # Earlier wordings, each with the last day it applied ("until"), for dates before
    # in_force_from: {"until": "2026-06-18", "article": "Article 77", "provision": ...}.
    versions: list[dict[str, str]] = field(default_factory=list)
    # The provision in words for a notice ("section 165 of the Data Protection Act 2018").
    citation: str = ""


@dataclass(frozen=True)
class TransferMechanism:
    code: str
    name: str
    legal_reference: str
    notice_text: str
    needs_safeguard_documentation: bool
    in_force_from: str = ""
    # Article 46(1A)(a)(ii): safeguards count only once the exporter, acting reasonably and
    # proportionately, considers that the data protection test is met.
    needs_data_protection_test: bool = False
    # Said in a notice only once the data protection test is recorded as met: before that,
    # the notice must not claim the check was done.
    test_met_text: str = ""


@dataclass(frozen=True)
class Annex1Condition:
    """A recognised legitimate interest: a condition in Annex 1 to the UK GDPR (Art 6(5))."""

    code: str
    name: str
    description: str
    provision: str
    in_force_from: str


@dataclass(frozen=True)
class Regulator:
    """The UK's data protection regulator as it stands on a day."""

    name: str
    short_name: str
    office: str
    address: str
    helpline: str
    website: str
    complaint_url: str
    provision: str
    effective_from: dt.date

    @property
    def display_name(self) -> str:
        """How a notice names it: "Information Commissioner's Office (ICO)", or the name
        alone where the short name adds nothing."""
        if self.short_name and self.short_name != self.name:
            return f"{self.name} ({self.short_name})"
        return self.name


@dataclass(frozen=True)
class DpiaCriterion:
    code: str
    name: str
    description: str = ""


def _by_code(items: list[Any]) -> dict[str, Any]:
    return {item.code: item for item in items}


@cache
def lawful_bases() -> dict[str, LawfulBasis]:
    """Article 6(1) bases by code ('a' ... 'f', with 'ea'), in the Article's order."""
    return _by_code([LawfulBasis(**entry) for entry in _load("lawful_bases.json")])


@cache
def article9_conditions() -> dict[str, Article9Condition]:
    return _by_code([Article9Condition(**entry) for entry in _load("article9_conditions.json")])


@cache
def schedule1_conditions() -> dict[str, Schedule1Condition]:
    """DPA 2018 Schedule 1 conditions keyed by paragraph number as text ('18')."""
    return _by_code([Schedule1Condition(**entry) for entry in _load("schedule1_conditions.json")])


@cache
def article10_bases() -> dict[str, Article10Basis]:
    return _by_code([Article10Basis(**entry) for entry in _load("article10_bases.json")])


def _today(on: dt.date | None) -> dt.date:
    return on or dt.date.today()


@cache
def _regulators() -> list[Regulator]:
    entries = []
    for entry in _load("regulator.json")["entries"]:
        effective = _date(entry.pop("effective_from"))
        if effective is not None:  # enacted but not commenced: never used until dated
            entries.append(Regulator(**entry, effective_from=effective))
    return sorted(entries, key=lambda regulator: regulator.effective_from)


def regulator(on: dt.date | None = None) -> Regulator:
    """The regulator in office on `on` (today by default): the latest entry in force."""
    day = _today(on)
    in_force = [r for r in _regulators() if r.effective_from <= day]
    return in_force[-1] if in_force else _regulators()[0]


def _regulator_words(on: dt.date | None) -> dict[str, str]:
    office = regulator(on)
    return {
        "regulator": office.name,
        "regulator_office": office.office,
        "regulator_address": office.address,
        "regulator_helpline": office.helpline,
    }


@cache
def _rights_as_stored() -> list[Right]:
    return [Right(**entry) for entry in _load("rights.json")]


def rights(on: dt.date | None = None) -> dict[str, Right]:
    """The rights as the law stands on `on` (today by default): each with the article it
    rests on that day and its notice wording, naming the regulator in office that day."""
    return _rights_on(_today(on))


@lru_cache(maxsize=32)
def _rights_on(day: dt.date) -> dict[str, Right]:
    # Cached by day: an export of thousands of activities asks for the rights of each.
    words = _regulator_words(day)
    found = []
    for right in _rights_as_stored():
        current = right
        for version in sorted(right.versions, key=lambda v: v["until"]):
            if day <= dt.date.fromisoformat(version["until"]):
                current = dataclasses.replace(
                    right,
                    article=version["article"],
                    provision=version.get("provision", right.provision),
                    citation=version.get("citation", right.citation),
                    in_force_from="",
                )
                break
        found.append(dataclasses.replace(current, notice_text=current.notice_text.format(**words)))
    return _by_code(found)


def transfer_mechanisms(on: dt.date | None = None) -> dict[str, TransferMechanism]:
    """The transfer mechanisms, with the regulator in office on `on` named in their wording."""
    return _mechanisms_on(_today(on))


@lru_cache(maxsize=32)
def _mechanisms_on(day: dt.date) -> dict[str, TransferMechanism]:
    words = _regulator_words(day)
    return _by_code(
        [
            dataclasses.replace(m, notice_text=m.notice_text.format(**words))
            for m in _mechanisms_as_stored()
        ]
    )


@cache
def _mechanisms_as_stored() -> list[TransferMechanism]:
    return [TransferMechanism(**entry) for entry in _load("transfer_mechanisms.json")]


@cache
def annex1_conditions() -> dict[str, Annex1Condition]:
    """The recognised legitimate interests of Annex 1, keyed by paragraph ('1', '2', ...)."""
    return _by_code([Annex1Condition(**entry) for entry in _load("annex1_conditions.json")])


def annex1_condition(code: str) -> Annex1Condition | None:
    return annex1_conditions().get(code.strip())


@cache
def dpia_criteria() -> dict[str, DpiaCriterion]:
    """The ICO's list of processing likely to be high risk: any one calls for a DPIA."""
    return _by_code([DpiaCriterion(**entry) for entry in _load("dpia_criteria.json")["criteria"]])


def forget_cached_law() -> None:
    """Read resources/law again (a commencement date typed in while the app runs, or a test
    that changes the data)."""
    for cached in (
        _regulators,
        _rights_as_stored,
        _mechanisms_as_stored,
        _rights_on,
        _mechanisms_on,
    ):
        cached.cache_clear()


def in_force(since: str, on: dt.date) -> bool:
    """Whether something that applies from `since` (ISO date, "" = always) applies on `on`."""
    return not since or dt.date.fromisoformat(since) <= on


@cache
def adequacy_countries() -> frozenset[str]:
    return frozenset(name.casefold() for name in _load("adequacy_countries.json")["countries"])


# --- what the tables mean for a record ------------------------------------------------------
# Codes are read the same way wherever they come from (typed, imported or stored): Article 9
# letters trimmed and case-insensitive, Schedule 1 paragraph numbers trimmed.


def article9_condition(code: str) -> Article9Condition | None:
    return article9_conditions().get(code.strip().casefold())


def schedule1_condition(paragraph: str) -> Schedule1Condition | None:
    return schedule1_conditions().get(paragraph.strip())


def schedule1_part_required(article9_code: str) -> int | None:
    """The Schedule 1 part (1 or 2) an Article 9(2) condition also needs (DPA 2018 s.10), or
    None when it needs none."""
    condition = article9_condition(article9_code)
    return condition.schedule1_part_required if condition else None


def missing_schedule1_parts(
    article9_codes: Iterable[str], schedule1_paragraphs: Iterable[str]
) -> list[tuple[Article9Condition, int]]:
    """Each Article 9 condition relied on whose required Schedule 1 part has no recorded
    condition, with that part."""
    recorded_parts = {
        paragraph.part
        for code in schedule1_paragraphs
        if (paragraph := schedule1_condition(code)) is not None
    }
    missing = []
    for code in article9_codes:
        condition = article9_condition(code)
        part = condition.schedule1_part_required if condition else None
        if condition and part is not None and part not in recorded_parts:
            missing.append((condition, part))
    return missing


def needs_schedule1(article9_codes: Iterable[str], article10_basis: str) -> bool:
    """Whether the record must name a Schedule 1 condition: an Article 9 condition that needs
    one, or criminal offence data handled because the law authorises it (s.10(5))."""
    basis = article10_bases().get(article10_basis.strip())
    return any(schedule1_part_required(code) is not None for code in article9_codes) or bool(
        basis and basis.needs_schedule1
    )


def requires_apd(paragraph: str) -> bool:
    """Whether relying on this Schedule 1 paragraph needs an appropriate policy document."""
    condition = schedule1_condition(paragraph)
    return bool(condition and condition.requires_apd)


def apd_conditions(paragraphs: Iterable[str]) -> list[Schedule1Condition]:
    """The known Schedule 1 conditions among these paragraphs that need an appropriate policy
    document, in the order given."""
    return [
        condition
        for paragraph in paragraphs
        if (condition := schedule1_condition(paragraph)) is not None and condition.requires_apd
    ]
