"""Rows of a name and its text into the mapping the register keeps (ropa/own_fields.py), and
what the register then says of the result (ropa.validation)."""

from __future__ import annotations

import pytest

from ropa.errors import ValidationError
from ropa.own_fields import fields_from_rows, reasons_from_rows, rows_from_fields
from ropa.register import Register
from tests.helpers.activities import sample_activity


def test_rows_keep_their_order_and_names_are_trimmed() -> None:
    rows = [("  System supplier ", "Servelec"), ("Information asset owner", "Head of Early Help")]
    assert list(fields_from_rows(rows).items()) == [
        ("System supplier", "Servelec"),
        ("Information asset owner", "Head of Early Help"),
    ]


def test_a_name_given_twice_holds_both_texts_one_line_each() -> None:
    rows = [("Owner", "Finance"), ("Notes", "x"), (" Owner", "Payroll team")]
    assert fields_from_rows(rows) == {"Owner": "Finance\nPayroll team", "Notes": "x"}
    assert list(fields_from_rows(rows)) == ["Owner", "Notes"]  # where it was first given


def test_a_row_with_no_name_is_kept_for_validation_to_ask_for_its_name(
    register: Register,
) -> None:
    fields = fields_from_rows([("Owner", "Finance"), ("   ", "typed before the name")])
    assert fields == {"Owner": "Finance", "": "typed before the name"}
    created = register.activities.create(sample_activity())
    assert created.id is not None
    with pytest.raises(ValidationError, match="needs a name"):
        register.activities.update(created.id, {"extra_fields": fields})
    assert register.activities.get(created.id).extra_fields == {}


def test_a_reason_is_kept_only_for_a_named_recipient_once_it_is_given() -> None:
    # An empty reason is not kept: it would differ from what the register stores and be
    # wiped from the row while the DPO is typing it.
    rows = [("HMRC", "Tax and National Insurance"), ("", "half typed"), ("Pension fund", "")]
    assert reasons_from_rows(rows) == {"HMRC": "Tax and National Insurance"}


def test_stored_fields_come_back_as_the_same_rows() -> None:
    stored = {"Owner": "Finance", "Supplier": "Servelec"}
    assert rows_from_fields(stored) == [("Owner", "Finance"), ("Supplier", "Servelec")]
    assert fields_from_rows(rows_from_fields(stored)) == stored
    assert rows_from_fields(None) == []
