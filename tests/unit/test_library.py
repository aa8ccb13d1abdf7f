"""Library items: rename reaches every activity, delete in use refused, merge."""

from __future__ import annotations

import pytest

from ropa.errors import InUseError, ValidationError
from ropa.records import LawfulBasisEntry, LibraryItemRecord, LibraryKind
from ropa.register import Register
from tests.helpers.activities import sample_activity


def _item(register: Register, kind: LibraryKind, name: str) -> LibraryItemRecord:
    return next(item for item in register.library.items(kind) if item.name == name)


def test_rename_reaches_every_activity(register: Register) -> None:
    a = register.activities.create(sample_activity(reference="A", recipients=["Police"]))
    b = register.activities.create(sample_activity(reference="B", recipients=["Police"]))
    police = _item(register, LibraryKind.RECIPIENT, "Police")
    register.library.update(police.id or 0, {"name": "Police forces"})
    for activity in (a, b):
        assert "Police forces" in register.activities.get(activity.id or 0).recipients
    history = register.history.changes(entity_type="library_item", entity_id=police.id)
    assert history[0].action == "rename"
    assert (history[0].old_value, history[0].new_value) == ("Police", "Police forces")


def test_rename_onto_an_existing_name_is_refused(register: Register) -> None:
    register.activities.create(sample_activity(recipients=["Police", "NHS bodies"]))
    police = _item(register, LibraryKind.RECIPIENT, "Police")
    with pytest.raises(ValidationError, match="already a recipient called"):
        register.library.update(police.id or 0, {"name": "nhs BODIES"})


def test_deleting_an_item_in_use_names_the_activities(register: Register) -> None:
    register.activities.create(sample_activity(reference="CS-001", name="Enquiries"))
    act = _item(register, LibraryKind.LEGISLATION, "Children Act 1989")
    with pytest.raises(InUseError, match=r"1 activity \(CS-001 Enquiries\)"):
        register.library.delete(act.id or 0)
    assert _item(register, LibraryKind.LEGISLATION, "Children Act 1989").usage_count == 1


def test_deleting_an_unused_item(register: Register) -> None:
    created = register.library.create(LibraryItemRecord(LibraryKind.PURPOSE, "Unused purpose"))
    register.library.delete(created.id or 0)
    assert all(
        item.name != "Unused purpose" for item in register.library.items(LibraryKind.PURPOSE)
    )


def test_merge_moves_every_use_without_duplicates(register: Register) -> None:
    a = register.activities.create(
        sample_activity(
            reference="A",
            recipients=["Police", "Constabulary"],
            lawful_bases=[LawfulBasisEntry("e", "", ["CA 1989"])],
        )
    )
    b = register.activities.create(sample_activity(reference="B", recipients=["Constabulary"]))
    police = _item(register, LibraryKind.RECIPIENT, "Police")
    constabulary = _item(register, LibraryKind.RECIPIENT, "Constabulary")
    merged = register.library.merge(constabulary.id or 0, police.id or 0)
    assert merged.usage_count == 2
    assert register.activities.get(a.id or 0).recipients == ["Police"]
    assert register.activities.get(b.id or 0).recipients == ["Police"]
    assert all(i.name != "Constabulary" for i in register.library.items(LibraryKind.RECIPIENT))

    short = _item(register, LibraryKind.LEGISLATION, "CA 1989")
    full = _item(register, LibraryKind.LEGISLATION, "Children Act 1989")
    register.library.merge(short.id or 0, full.id or 0)
    assert register.activities.get(a.id or 0).lawful_bases[0].legislation == ["Children Act 1989"]


def test_merge_across_kinds_is_refused(register: Register) -> None:
    register.activities.create(sample_activity())
    police = _item(register, LibraryKind.RECIPIENT, "Police")
    purpose = _item(register, LibraryKind.PURPOSE, "Safeguarding children")
    with pytest.raises(ValidationError, match="different kinds"):
        register.library.merge(police.id or 0, purpose.id or 0)


def test_organisation_details_round_trip_with_history(register: Register) -> None:
    register.organisation.update({"name": "Northfield Borough Council", "dpo_email": "dpo@x.uk"})
    organisation = register.organisation.get()
    assert organisation.name == "Northfield Borough Council"
    # Asked, never assumed, even of a council: the DPO confirms it on the Organisation page.
    assert organisation.is_public_authority is None
    fields = {c.field for c in register.history.changes(entity_type="organisation")}
    assert fields == {"name", "dpo_email"}


def test_an_editor_holding_the_old_name_cannot_put_it_back(register: Register) -> None:
    """A rename changes every activity using the item, so a stale save is a conflict."""
    from ropa.errors import ConflictError

    created = register.activities.create(sample_activity(recipients=["Police"]))
    police = _item(register, LibraryKind.RECIPIENT, "Police")
    register.library.update(police.id or 0, {"name": "Police forces"})
    with pytest.raises(ConflictError):
        register.activities.update(
            created.id or 0,
            {"recipients": ["Police", "NHS bodies"]},
            expected_version=created.version,
        )
    reloaded = register.activities.get(created.id or 0)
    assert reloaded.recipients == ["Police forces"]
    assert reloaded.updated_at is not None and created.updated_at is not None
    assert reloaded.updated_at > created.updated_at


def test_merging_changes_the_activities_that_used_the_source(register: Register) -> None:
    created = register.activities.create(sample_activity(recipients=["Constabulary"]))
    register.activities.create(sample_activity(reference="B", recipients=["Police"]))
    source = _item(register, LibraryKind.RECIPIENT, "Constabulary")
    target = _item(register, LibraryKind.RECIPIENT, "Police")
    register.library.merge(source.id or 0, target.id or 0)
    assert register.activities.get(created.id or 0).version == created.version + 1


def test_saving_an_item_unchanged_keeps_its_version(register: Register) -> None:
    created = register.library.create(LibraryItemRecord(LibraryKind.PURPOSE, "Audit"))
    again = register.library.update(created.id or 0, {"name": "Audit"}, created.version)
    assert again.version == created.version


def test_items_typed_into_an_activity_are_in_the_history(register: Register) -> None:
    created = register.activities.create(sample_activity())
    register.activities.update(created.id or 0, {"recipients": ["Youth offending team"]})
    lines = [
        (change.action, change.entity_label)
        for change in register.history.changes(entity_type="library_item")
    ]
    assert ("create", "recipient: Youth offending team") in lines
    assert ("create", "purpose: Statutory reporting") in lines  # made with the activity


def test_items_without_usage_counts_are_the_same_items(register: Register) -> None:
    register.activities.create(sample_activity())
    counted = register.library.items(LibraryKind.RECIPIENT)
    plain = register.library.items(LibraryKind.RECIPIENT, with_usage=False)
    assert [i.name for i in plain] == [i.name for i in counted]
    assert {i.usage_count for i in plain} == {0}
    assert max(i.usage_count for i in counted) == 1


def test_a_wrong_organisation_value_names_the_field_as_the_page_does(register: Register) -> None:
    with pytest.raises(ValidationError, match=r"^DPO email must be text\.$"):
        register.organisation.update({"dpo_email": 42})
    with pytest.raises(
        ValidationError, match=r"^Is public authority must be yes, no or not yet known\.$"
    ):
        register.organisation.update({"is_public_authority": "no"})
    assert register.organisation.get().dpo_email == ""
