"""The reference law shipped in resources/law: read-only facts the register builds on."""

from __future__ import annotations

import json
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
