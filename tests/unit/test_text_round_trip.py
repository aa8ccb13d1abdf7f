"""Any text a user types comes back from the register exactly as typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ropa.errors import ValidationError
from ropa.records import ActivityRecord
from ropa.register import Register
from tests.helpers.register_files import copy_register_file

# Surrogates cannot be stored as UTF-8; everything else a keyboard or a paste can produce can.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
# Hypothesis draws at most a few kB at once, so a drawn piece is repeated past 100 kB.
long_text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=500).map(
    lambda piece: piece * (100_000 // len(piece) + 1)
)


# Each example gets a register file of its own, copied from the run's new register (conftest's
# _new_register_file, only ever read) rather than migrated afresh: 60 examples in 2.6 s rather
# than 9.9 s, and still the text written, the file closed, reopened and read back.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(description=any_text, notes=any_text, name=any_text.filter(lambda t: t.strip() != ""))
def test_text_round_trips_unchanged(
    tmp_path_factory: pytest.TempPathFactory,
    _new_register_file: Path,
    description: str,
    notes: str,
    name: str,
) -> None:
    path = copy_register_file(_new_register_file, tmp_path_factory.mktemp("rt") / "register.ropa")
    with Register.open(path, daily_backup=False) as register:
        created = register.activities.create(
            ActivityRecord(name=name, description=description, notes=notes, purposes=[name])
        )
    with Register.open(path, daily_backup=False) as register:
        loaded = register.activities.get(created.id or 0)
    assert (loaded.name, loaded.description, loaded.notes) == (name, description, notes)
    assert loaded.purposes == [name.strip()]


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=long_text)
def test_100_kb_of_text_round_trips(
    tmp_path_factory: pytest.TempPathFactory, _new_register_file: Path, text: str
) -> None:
    path = copy_register_file(_new_register_file, tmp_path_factory.mktemp("big") / "register.ropa")
    with Register.open(path, daily_backup=False) as register:
        created = register.activities.create(ActivityRecord(name="Big", description=text))
        assert register.activities.get(created.id or 0).description == text


def test_quotes_newlines_and_sql_like_text(register: Register) -> None:
    text = "O'Brien said \"hello\"\r\n'; DROP TABLE activities; --\t\u202eevil\u0001end"
    created = register.activities.create(ActivityRecord(name=text, description=text))
    loaded = register.activities.get(created.id or 0)
    assert (loaded.name, loaded.description) == (text, text)


def test_a_nul_character_is_kept_in_a_file_and_refused_clearly_by_a_server(
    register: Register,
) -> None:
    """PostgreSQL's text cannot hold U+0000 (damaged pasted text can): a file keeps it, a
    team register says so and stores nothing."""
    text = "before\u0000after"
    if register.server_url is None:
        created = register.activities.create(ActivityRecord(name=text))
        assert register.activities.get(created.id or 0).name == text
        return
    with pytest.raises(ValidationError, match="The text in name holds a NUL character"):
        register.activities.create(ActivityRecord(name=text))
    assert register.activity_list.summaries() == []
    kept = register.activities.create(ActivityRecord(name="Kept", purposes=["Payroll"]))
    with pytest.raises(ValidationError, match="The text in purposes holds a NUL"):
        register.activities.update(kept.id or 0, {"purposes": [text]})
    assert register.activities.get(kept.id or 0).purposes == ["Payroll"]


def test_a_nul_character_outside_an_activity_is_refused_clearly_by_a_server(
    register: Register,
) -> None:
    """The organisation's details go through SQLAlchemy, not the activities' own check:
    psycopg refuses the text before it reaches the server, and the app tells that from the
    error's kind and the statement's values, not from psycopg's words."""
    register.organisation.update({"name": "Kept Council"})
    text = "Damaged\u0000Council"
    if register.server_url is None:
        assert register.organisation.update({"name": text}).name == text
        return
    with pytest.raises(ValidationError, match=r"holds a NUL character \(U\+0000\)"):
        register.organisation.update({"name": text})
    assert register.organisation.get().name == "Kept Council"
