"""Guessing from its name whether the organisation is a public authority, for the DPO to
confirm, and the register leaving it unknown until they do."""

from __future__ import annotations

import pytest

from ropa.public_authority import suggest_public_authority
from ropa.register import Register


@pytest.mark.parametrize(
    ("name", "likely", "because"),
    [
        ("Northfield Borough Council", True, "Council"),
        ("St Mary's C of E Primary School", True, "School"),
        ("Riverside Academy Trust Limited", True, "Academy Trust"),
        ("Northfield NHS Foundation Trust", True, "NHS"),
        ("Brightside Care Ltd", False, "Ltd"),
        ("Brightside Care Ltd.", False, "Ltd"),
        ("Harbour Homes Limited", False, "Limited"),
        ("Acme Holdings PLC", False, "PLC"),
        ("Smith & Jones LLP", False, "LLP"),
        ("Green Spaces CIC", False, "CIC"),
        ("School Meals Direct Ltd", False, "Ltd"),
    ],
)
def test_the_name_suggests_an_answer(name: str, likely: bool, because: str) -> None:
    suggestion = suggest_public_authority(name)
    assert suggestion is not None
    assert suggestion.is_public_authority is likely
    assert suggestion.because == f"\u201c{because}\u201d"


@pytest.mark.parametrize("name", ["", "Friends of Northfield Park", "Councillors' Club Ltda"])
def test_no_sign_in_the_name_suggests_nothing(name: str) -> None:
    assert suggest_public_authority(name) is None


def test_a_new_register_does_not_know_until_the_dpo_says(register: Register) -> None:
    assert register.organisation.get().is_public_authority is None
    register.organisation.update({"is_public_authority": False})
    assert register.organisation.get().is_public_authority is False
    register.organisation.update({"is_public_authority": None})
    assert register.organisation.get().is_public_authority is None
