"""The reference law shipped in resources/law: read-only facts the register builds on."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from ropa.paths import resource


def _load(name: str) -> Any:
    with resource("law", name).open(encoding="utf-8") as handle:
        return json.load(handle)


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


@dataclass(frozen=True)
class TransferMechanism:
    code: str
    name: str
    legal_reference: str
    notice_text: str
    needs_safeguard_documentation: bool


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


@cache
def rights() -> dict[str, Right]:
    return _by_code([Right(**entry) for entry in _load("rights.json")])


@cache
def transfer_mechanisms() -> dict[str, TransferMechanism]:
    return _by_code([TransferMechanism(**entry) for entry in _load("transfer_mechanisms.json")])


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
