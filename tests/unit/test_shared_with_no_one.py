"""The answer that an activity's data is shared with no one (Article 30(1)(d)): stored and
read back by every way into the register, unknown until given, and unknown after an upgrade
(an activity listing no recipients is never taken to share with no one)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ropa.fields import FIELDS, Kind, label
from ropa.records import ActivityRecord
from ropa.register import Register
from tests.helpers.activities import sample_activity

DATA = Path(__file__).resolve().parents[1] / "data"

pytestmark = pytest.mark.both_backends


def test_the_answer_is_unknown_until_given_and_kept_by_every_path(register: Register) -> None:
    assert ActivityRecord().shared_with_no_one is None
    unanswered = register.activities.create(sample_activity(reference="A", recipients=[]))
    answered = register.activities.create(
        sample_activity(reference="B", recipients=[], shared_with_no_one=True)
    )
    assert unanswered.shared_with_no_one is None  # through the ORM after the fast insert
    assert answered.shared_with_no_one is True
    assert register.activities.get(answered.id or 0).shared_with_no_one is True  # bulk read
    loaded = {r.reference: r.shared_with_no_one for r in register.activities.load()}
    assert loaded == {"A": None, "B": True}
    many = register.activities.create_many(
        [sample_activity(reference="C", shared_with_no_one=False)]
    )
    assert register.activities.get(many[0]).shared_with_no_one is False

    changed = register.activities.update(unanswered.id or 0, {"shared_with_no_one": False})
    assert changed.shared_with_no_one is False
    back = register.activities.update(unanswered.id or 0, {"shared_with_no_one": None})
    assert back.shared_with_no_one is None
    lines = [
        line
        for line in register.history.changes(entity_type="activity", entity_id=unanswered.id)
        if line.field == "shared_with_no_one"
    ]
    assert len(lines) == 2


def test_it_is_described_as_a_question_of_article_30_1_d() -> None:
    info = FIELDS["shared_with_no_one"]
    assert info.kind is Kind.TRI_STATE and info.article == "Article 30(1)(d)"
    assert label("shared_with_no_one") == "Shared with no one?"


@pytest.mark.file_only
def test_an_upgraded_register_has_not_answered_it(tmp_path: Path) -> None:
    """Activities kept before the question existed, with recipients or without, are not
    answered: the upgrade assumes nothing."""
    path = tmp_path / "old.ropa"
    shutil.copyfile(DATA / "register-schema-0007.ropa", path)
    with Register.open(path, create=False, daily_backup=False) as register:
        activities = register.activities.load(include_retired=True)
    assert activities and {a.shared_with_no_one for a in activities} == {None}


def test_the_example_register_answers_it_where_no_recipient_is_named(
    demo_register: Register,
) -> None:
    """Where the example names no recipient it says whether anyone gets the data: its
    newsletter's survey platform does, as a processor (Art 4(9)), so the answer is No."""
    from ropa.checks import run_checks

    activities = demo_register.activities.load(include_retired=True)
    without = [a for a in activities if not a.recipients]
    assert without and all(a.shared_with_no_one is not None for a in without)
    assert all(a.shared_with_no_one is False for a in without if a.processors)
    assert "A30-SHARED-WITH-NO-ONE" not in {f.rule_id for f in run_checks(demo_register)}
