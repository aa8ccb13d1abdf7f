"""The activity service against a real register file."""

from __future__ import annotations

import datetime as dt

import pytest

from db.raw import stored_date
from ropa.dates import add_months
from ropa.errors import ConflictError, NotFoundError, ValidationError
from ropa.records import (
    ActivityRecord,
    ConditionEntry,
    LawfulBasisEntry,
    RetentionEntry,
    Status,
    TransferEntry,
)
from ropa.register import Register
from tests.helpers.activities import sample_activity


def test_create_and_read_back_every_kind_of_field(register: Register) -> None:
    record = sample_activity(
        article9=[ConditionEntry("g", "Safeguarding")],
        schedule1=[ConditionEntry("18", "Safeguarding children")],
        transfers=[TransferEntry("United States", "idta", "IDTA signed 2025")],
        retention=[RetentionEntry("6 years", "end of involvement", "Case files")],
        dpia_required=True,
        breach_occurred=None,
        automated_decisions=True,
        next_review=dt.date(2027, 1, 31),
        extra_fields={"Information asset owner": "Head of Service", "System supplier": ""},
    )
    created = register.activities.create(record)
    loaded = register.activities.get(created.id or 0)
    for name in ActivityRecord.editable_fields():
        assert getattr(loaded, name) == getattr(record, name), name
    assert loaded.version == 1


def test_new_activity_gets_a_reference_and_a_review_date(register: Register) -> None:
    first = register.activities.create(ActivityRecord(name="First"))
    second = register.activities.create(ActivityRecord(name="Second"))
    assert (first.reference, second.reference) == ("ACT-0001", "ACT-0002")
    assert first.next_review == add_months(dt.date.today(), 12)


def test_library_items_are_shared_and_matched_case_insensitively(register: Register) -> None:
    register.activities.create(sample_activity(reference="A", recipients=["police"]))
    register.activities.create(sample_activity(reference="B", recipients=["  POLICE "]))
    from ropa.records import LibraryKind

    police = [
        item
        for item in register.library.items(LibraryKind.RECIPIENT)
        if item.name.casefold() == "police"
    ]
    assert len(police) == 1
    assert police[0].usage_count == 2


def test_update_records_each_changed_field_in_history(register: Register) -> None:
    created = register.activities.create(sample_activity())
    updated = register.activities.update(
        created.id or 0, {"name": "Section 47 enquiries", "purposes": ["Safeguarding children"]}
    )
    assert updated.version == 2
    changes = register.history.changes(entity_type="activity", entity_id=created.id)
    fields = {change.field: change for change in changes if change.action == "update"}
    assert fields["name"].old_value == "Child protection enquiries"
    assert fields["name"].new_value == "Section 47 enquiries"
    assert fields["purposes"].old_value == "Safeguarding children\nStatutory reporting"
    assert all(change.changed_by for change in changes)


def test_update_with_no_real_change_keeps_version(register: Register) -> None:
    created = register.activities.create(sample_activity())
    again = register.activities.update(created.id or 0, {"name": created.name})
    assert again.version == created.version


def test_stale_version_is_refused_and_nothing_changes(register: Register) -> None:
    created = register.activities.create(sample_activity())
    register.activities.update(created.id or 0, {"name": "Theirs"}, expected_version=1)
    with pytest.raises(ConflictError, match="changed by someone else"):
        register.activities.update(created.id or 0, {"name": "Mine"}, expected_version=1)
    assert register.activities.get(created.id or 0).name == "Theirs"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "   "}, "name"),
        ({"reference": ""}, "reference"),
        ({"status": "finished"}, "status"),
        ({"lawful_bases": [LawfulBasisEntry("z")]}, "lawful_bases"),
        ({"article9": [ConditionEntry("k")]}, "article9"),
        ({"schedule1": [ConditionEntry("5")]}, "schedule1"),
        ({"transfers": [TransferEntry("India", "handshake")]}, "transfers"),
        ({"next_review": "next Tuesday"}, "next_review"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_invalid_values_are_refused_naming_the_field(
    register: Register, changes: dict[str, object], field: str
) -> None:
    created = register.activities.create(sample_activity())
    with pytest.raises(ValidationError) as caught:
        register.activities.update(created.id or 0, changes)
    assert caught.value.field == field
    assert register.activities.get(created.id or 0) == created


def test_duplicate_references_are_refused(register: Register) -> None:
    register.activities.create(sample_activity(reference="CS-001"))
    with pytest.raises(ValidationError, match="already has the reference"):
        register.activities.create(sample_activity(reference="CS-001"))
    assert len(register.activity_list.summaries()) == 1


def test_duplicate_makes_a_draft_copy(register: Register) -> None:
    created = register.activities.create(sample_activity(status=Status.APPROVED))
    copy = register.activities.duplicate(created.id or 0)
    assert copy.name == "Child protection enquiries (copy)"
    assert copy.status == Status.DRAFT
    assert copy.reference != created.reference
    assert copy.purposes == created.purposes
    assert copy.lawful_bases == created.lawful_bases


def test_retire_keeps_the_activity_but_hides_it_from_exports(register: Register) -> None:
    created = register.activities.create(sample_activity())
    register.activities.retire([created.id or 0])
    assert register.activities.load() == []
    assert [r.status for r in register.activity_list.summaries()] == [Status.RETIRED]
    assert len(register.activities.load(include_retired=True)) == 1


def test_delete_removes_it_and_keeps_a_history_line(register: Register) -> None:
    created = register.activities.create(sample_activity())
    register.activities.delete([created.id or 0])
    with pytest.raises(NotFoundError):
        register.activities.get(created.id or 0)
    [deletion, *_] = register.history.changes(entity_id=created.id)
    assert deletion.action == "delete"
    import json

    kept = json.loads(deletion.old_value)  # what was deleted can still be shown
    assert (kept["reference"], kept["recipients"]) == ("CS-001", ["Police", "NHS bodies"])
    assert kept["lawful_bases"][0]["legislation"] == ["Children Act 1989"]


def test_a_failed_batch_changes_nothing(register: Register) -> None:
    good = sample_activity(reference="OK-1")
    bad = sample_activity(reference="OK-2", lawful_bases=[LawfulBasisEntry("nonsense")])
    with pytest.raises(ValidationError):
        register.activities.create_many([good, bad])
    assert register.activity_list.summaries() == []


def test_summaries_flag_special_category_data(register: Register) -> None:
    from ropa.records import LibraryItemRecord, LibraryKind

    register.library.create(
        LibraryItemRecord(LibraryKind.DATA_CATEGORY, "Medical history", special_category=True)
    )
    register.activities.create(sample_activity(reference="A", data_categories=["Medical history"]))
    register.activities.create(sample_activity(reference="B", data_categories=["Address"]))
    flags = {row.reference: row.has_special_category for row in register.activity_list.summaries()}
    assert flags == {"A": True, "B": False}


def test_search_texts_cover_linked_items(register: Register) -> None:
    created = register.activities.create(sample_activity(recipients=["Ofsted"]))
    assert "ofsted" in register.activity_list.search_texts()[created.id or 0]


def test_bulk_load_gives_the_same_records_as_the_orm(demo_register: Register) -> None:
    """Reads go through plain queries, writes through the ORM: both must see one record."""
    from ropa.activities import _load, to_record

    bulk = demo_register.activities.load(include_retired=True)
    with demo_register.reading() as session:
        through_orm = [to_record(_load(session, r.id or 0, full=True)) for r in bulk]
    assert bulk == through_orm
    assert [demo_register.activities.get(r.id or 0) for r in bulk] == bulk
    assert len(bulk) >= 12


def test_load_filters_by_business_function_and_ids(demo_register: Register) -> None:
    everything = demo_register.activities.load()
    function = everything[0].business_function
    chosen = demo_register.activities.load(business_functions=[f"  {function.upper()} "])
    assert chosen and all(r.business_function == function for r in chosen)
    assert [r.id for r in demo_register.activities.load(ids=[everything[1].id or 0])] == [
        everything[1].id
    ]


def test_the_fast_insert_stores_what_the_orm_would(register: Register) -> None:
    """insert_activity writes the row itself; the ORM must read back the same values and the
    models' defaults (version, timestamps) must be applied."""
    created = register.activities.create(
        sample_activity(
            status=Status.IN_REVIEW,
            dpia_required=False,
            breach_occurred=None,
            next_review=dt.date(2027, 3, 1),
            automated_decisions=True,
        )
    )
    with register.plain_reading() as connection:
        row = connection.execute(
            "SELECT status, role, dpia_required, breach_occurred, next_review, version,"
            " created_at IS NOT NULL, automated_decisions FROM activities"
        ).fetchone()
    # Flags come back as 0/1 from SQLite and as booleans from PostgreSQL, which compare equal.
    assert (*row[:4], stored_date(row[4]), *row[5:]) == (
        "in_review",
        "controller",
        False,
        None,
        dt.date(2027, 3, 1),
        1,
        True,
        True,
    )
    assert created.created_at is not None and created.updated_at is not None


def test_load_matches_business_functions_in_any_alphabet_and_spacing(register: Register) -> None:
    register.activities.create(sample_activity(reference="A", business_function="Éducation"))
    register.activities.create(
        sample_activity(reference="B", business_function="Adult  social care")
    )
    assert [r.reference for r in register.activities.load(business_functions=["ÉDUCATION"])] == [
        "A"
    ]
    assert [
        r.reference for r in register.activities.load(business_functions=["adult social care"])
    ] == ["B"]


def test_find_by_reference_prefers_the_exact_reference(register: Register) -> None:
    register.activities.create(sample_activity(reference="CS-001", name="Upper"))
    register.activities.create(sample_activity(reference="cs-001", name="Lower"))
    register.activities.create(sample_activity(reference="HR-7", name="Only one"))
    assert (register.activities.find_by_reference("cs-001") or ActivityRecord()).name == "Lower"
    assert (register.activities.find_by_reference("CS-001") or ActivityRecord()).name == "Upper"
    assert (register.activities.find_by_reference(" hr-7 ") or ActivityRecord()).name == "Only one"
    assert register.activities.find_by_reference("XX-1") is None


def test_own_fields_are_kept_in_order_edited_searched_and_in_the_history(
    register: Register,
) -> None:
    created = register.activities.create(
        sample_activity(extra_fields={"System supplier": "Capita", "Asset owner": "Head of EH"})
    )
    activity_id = created.id or 0
    # Reordered, one changed, one added, one removed: each read back as given.
    register.activities.update(
        activity_id,
        {"extra_fields": {"Asset owner": "Head of EH", "System supplier": "Servelec", "RAG": "G"}},
    )
    for loaded in (register.activities.get(activity_id), register.activities.load()[0]):
        assert list(loaded.extra_fields.items()) == [
            ("Asset owner", "Head of EH"),
            ("System supplier", "Servelec"),
            ("RAG", "G"),
        ]
    register.activities.update(activity_id, {"extra_fields": {"Asset owner": "Head of EH"}})
    assert register.activities.get(activity_id).extra_fields == {"Asset owner": "Head of EH"}
    lines = [
        (change.old_value, change.new_value)
        for change in register.history.changes(entity_type="activity")
        if change.field == "extra_fields"
    ]
    assert sorted(lines) == sorted(
        [
            ("", "RAG: G"),
            ("System supplier: Capita", "System supplier: Servelec"),
            ("RAG: G", ""),
            ("System supplier: Servelec", ""),
        ]
    )
    texts = register.activity_list.search_texts()
    assert "head of eh" in texts[activity_id]


def test_own_fields_need_a_name_each_named_once(register: Register) -> None:
    with pytest.raises(ValidationError, match="needs a name"):
        register.activities.create(sample_activity(extra_fields={" ": "x"}))
    with pytest.raises(ValidationError, match="named twice"):
        register.activities.create(
            sample_activity(extra_fields={"System supplier": "a", "system  SUPPLIER": "b"})
        )
    assert register.activities.load() == []


def test_each_recipient_keeps_why_it_gets_the_data(register: Register) -> None:
    created = register.activities.create(
        sample_activity(recipient_reasons={"police": "To investigate a crime"})
    )
    assert created.id is not None
    # Matched to the recipient as the register spells it, and read back by every reader.
    assert created.recipient_reasons == {"Police": "To investigate a crime"}
    assert register.activities.get(created.id).recipient_reasons == created.recipient_reasons
    updated = register.activities.update(
        created.id,
        {
            "recipients": ["Police", "NHS bodies", "Ofsted"],
            "recipient_reasons": {
                "Police": "To investigate a crime",
                "Ofsted": "To inspect our services",
                "Nobody": "A reason for a recipient the activity does not have",
            },
        },
    )
    assert updated.recipient_reasons == {
        "Police": "To investigate a crime",
        "Ofsted": "To inspect our services",
    }
    changes = register.history.changes(entity_type="activity", entity_id=created.id)
    assert any(c.field == "recipient_reasons" for c in changes if c.action == "update")
    # Removing a recipient takes its reason with it.
    again = register.activities.update(created.id, {"recipients": ["Ofsted"]})
    assert again.recipient_reasons == {"Ofsted": "To inspect our services"}
