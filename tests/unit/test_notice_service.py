"""The notice service: one transaction per call, history written, conflicts refused."""

from __future__ import annotations

import pytest

from ropa.errors import ConflictError, NotFoundError, ValidationError
from ropa.notices import NoticeRecord, NoticeSectionEntry, NoticeService
from ropa.records import ActivityRecord, ConditionEntry
from ropa.register import Register
from tests.helpers.activities import sample_activity

# Everything a notice needs from the organisation, so that only what a test leaves out is a gap.
ORGANISATION = {
    "name": "Riverside City Council",
    "address": "Civic Centre, Riverside, RV1 2AB",
    "dpo_name": "Sam Okafor",
    "dpo_email": "dpo@riverside.example",
    "is_public_authority": True,
    # DPA 2018 s.164A (from 19 June 2026): how people complain to the council first.
    "complaints_contact": "Write to the Data Protection Officer at dpo@riverside.example.",
}


@pytest.fixture
def service(register: Register) -> NoticeService:
    return register.notices


def ready(register: Register, **overrides: object) -> ActivityRecord:
    """An activity with nothing missing for its notice, in a register with a complete
    organisation."""
    register.organisation.update(ORGANISATION)
    values: dict[str, object] = {
        "statutory_requirement": "Families do not have to give us information."
    }
    values.update(overrides)
    return register.activities.create(sample_activity(**values))


def test_create_get_list_and_delete(register: Register, service: NoticeService) -> None:
    activity = register.activities.create(sample_activity())
    assert activity.id is not None
    created = service.create(
        NoticeRecord(
            title="  Children and families privacy notice ",
            audience="Children and young people",
            introduction="How we use information about children.",
            business_functions=["Children's social care", "children's social care", "Early help"],
            activity_ids=[activity.id, activity.id],
            sections=[NoticeSectionEntry("The MASH", "About the MASH.")],
        )
    )
    assert created.id is not None
    assert created.title == "Children and families privacy notice"
    assert created.audience == "children"
    assert created.business_functions == ["Children's social care", "Early help"]
    assert created.activity_ids == [activity.id]
    assert service.get(created.id) == created
    assert [n.id for n in service.list()] == [created.id]
    service.delete(created.id)
    assert service.list() == []
    with pytest.raises(NotFoundError):
        service.get(created.id)
    actions = [c.action for c in register.history.changes(entity_type="notice")]
    assert actions == ["delete", "create"]


def test_update_changes_fields_logs_them_and_bumps_the_version(
    register: Register, service: NoticeService
) -> None:
    first = register.activities.create(sample_activity())
    second = register.activities.create(sample_activity(reference="CS-002", name="Fostering"))
    notice = service.create(title="Notice", activity_ids=[first.id, second.id])
    assert notice.id is not None
    updated = service.update(
        notice.id,
        {
            "activity_ids": [second.id, first.id],
            "sections": [{"heading": "CP-IS", "body": "Sharing with the NHS."}],
            "contact_text": "Ask at any library.",
        },
        expected_version=notice.version,
    )
    assert updated.activity_ids == [second.id, first.id]
    assert updated.sections == [NoticeSectionEntry("CP-IS", "Sharing with the NHS.")]
    assert updated.version == notice.version + 1
    logged = register.history.changes(entity_type="notice", entity_id=notice.id)
    assert {"activity_ids", "sections", "contact_text"} <= {c.field for c in logged}
    # The same action names as every other part of the register's history.
    assert {c.action for c in logged} == {"create", "update"}
    with pytest.raises(ConflictError):
        service.update(notice.id, {"title": "Late"}, expected_version=notice.version)
    assert service.get(notice.id).title == "Notice"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"audience": "pensioners"}, "audience"),
        ({"activity_ids": [999]}, "activity_ids"),
        ({"activity_ids": ["1"]}, "activity_ids"),
        ({"sections": [{"heading": "", "body": "text"}]}, "sections"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_changes_are_refused_and_nothing_changes(
    service: NoticeService, changes: dict[str, object], field: str
) -> None:
    notice = service.create(title="Notice", introduction="Kept")
    assert notice.id is not None
    with pytest.raises(ValidationError) as raised:
        service.update(notice.id, {"introduction": "Changed", **changes})
    assert raised.value.field == field
    assert service.get(notice.id) == notice


def test_publish_freezes_numbered_versions(register: Register, service: NoticeService) -> None:
    activity = ready(register)
    notice = service.create(title="Notice", activity_ids=[activity.id])
    assert notice.id is not None
    first = service.publish(notice.id, published_by="Priya")
    second = service.publish(notice.id)
    assert (first.number, second.number) == (1, 2)
    assert first.published_by == "Priya"
    assert "Child protection enquiries" in first.text
    assert "This is the first version of this notice." in first.text
    assert "Nothing has changed since the version published on" in second.text
    stored = service.get(notice.id)
    assert [v.number for v in stored.published] == [1, 2]
    assert stored.last_published is not None
    assert stored.last_published.content["title"] == "Notice"


def test_deleting_an_activity_drops_it_from_the_notice(
    register: Register, service: NoticeService
) -> None:
    activity = register.activities.create(sample_activity())
    assert activity.id is not None
    notice = service.create(title="Notice", activity_ids=[activity.id])
    assert notice.id is not None
    register.activities.delete([activity.id])
    assert service.get(notice.id).activity_ids == []


def test_publishing_is_logged_like_every_other_change(
    register: Register, service: NoticeService
) -> None:
    from ropa.history_export import to_rows

    activity = ready(register)
    notice = service.create(title="Notice", activity_ids=[activity.id])
    assert notice.id is not None
    service.publish(notice.id)
    changes = register.history.changes(entity_type="notice", entity_id=notice.id)
    assert [c.action for c in changes] == ["publish", "create"]
    assert [row.action for row in to_rows(changes)] == ["Published", "Created"]


@pytest.mark.parametrize("change", ["update", "new_in_function", "retire"])
def test_an_activity_changed_while_publishing_refuses_the_version(
    register: Register,
    service: NoticeService,
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    """The version must be what the register said at one moment: a change saved between
    building the notice and storing it is refused, and nothing is stored."""
    from ropa.notices import content
    from ropa.notices import service as service_module

    activity = ready(register)
    activity_id = activity.id
    assert activity_id is not None
    notice = service.create(title="Notice", business_functions=["children's social care"])
    assert notice.id is not None
    build = service_module.build_document

    def build_then_someone_saves(*args: object, **kwargs: object) -> content.NoticeDocument:
        document = build(*args, **kwargs)  # type: ignore[arg-type]
        if change == "update":
            register.activities.update(
                activity_id, {"recipients": ["Ofsted"]}, expected_version=activity.version
            )
        elif change == "new_in_function":
            register.activities.create(
                sample_activity(
                    reference="CS-002", name="Fostering", statutory_requirement="Optional."
                )
            )
        else:
            register.activities.update(
                activity_id, {"status": "retired"}, expected_version=activity.version
            )
        return document

    monkeypatch.setattr(service_module, "build_document", build_then_someone_saves)
    with pytest.raises(ConflictError, match="changed while it was being published; publish again"):
        service.publish(notice.id)
    assert service.get(notice.id).published == []
    monkeypatch.undo()
    # Once the activity is retired the notice covers nothing, a gap only a reason overrides.
    reason = "Retired on purpose" if change == "retire" else ""
    assert service.publish(notice.id, override_reason=reason).number == 1


def test_publish_is_refused_while_the_notice_has_gaps_and_lists_them(
    register: Register, service: NoticeService
) -> None:
    from ropa.notices import PublishRefused

    # Article 9(2)(g) with no Schedule 1 Part 2 condition: an error `ropa check` reports.
    activity = ready(
        register,
        article9=[ConditionEntry("g")],
        schedule1=[],
        retention=[],
    )
    notice = service.create(title="Notice", activity_ids=[activity.id])
    assert notice.id is not None
    with pytest.raises(PublishRefused) as refused:
        service.publish(notice.id)
    blockers = refused.value.blockers
    assert [heading for heading, _todo in blockers] == ["Children's social care"] * 2
    text = " ".join(todo for _heading, todo in blockers)
    assert "Article 9(2)(g) needs a DPA 2018 Schedule 1 Part 2 condition" in text
    assert "No retention period is recorded" in text
    assert "2 gaps to complete" in str(refused.value)
    assert service.get(notice.id).published == []
    assert [c.action for c in register.history.changes(entity_type="notice")] == ["create"]
    # A blank reason is no reason.
    with pytest.raises(PublishRefused):
        service.publish(notice.id, override_reason="   ")
    assert service.blockers(notice.id) == blockers


def test_a_reason_overrides_the_gate_is_recorded_and_no_marker_is_published(
    register: Register, service: NoticeService
) -> None:
    activity = ready(register, retention=[])
    notice = service.create(title="Notice", activity_ids=[activity.id])
    assert notice.id is not None
    version = service.publish(
        notice.id, published_by="Priya", override_reason="Retention agreed at panel, 3 Dec"
    )
    assert version.number == 1
    assert "[To complete" not in version.text
    assert "To complete" not in str(version.content)
    override = [
        c
        for c in register.history.changes(entity_type="notice", entity_id=notice.id)
        if c.field == "override"
    ]
    assert len(override) == 1
    assert override[0].new_value == "Retention agreed at panel, 3 Dec"
    assert "No retention period is recorded" in override[0].old_value
    # The draft still marks the gap.
    section = service.document(notice.id).section("service-1")
    assert section is not None and "[To complete:" in section.lines()[-1]


def test_a_notice_with_nothing_missing_publishes_without_a_reason(
    register: Register, service: NoticeService
) -> None:
    activity = ready(register)
    notice = service.create(title="Notice", activity_ids=[activity.id])
    assert notice.id is not None
    assert service.blockers(notice.id) == []
    service.publish(notice.id)
    fields = {c.field for c in register.history.changes(entity_type="notice")}
    assert "override" not in fields


def test_how_the_notice_divides_and_where_it_is_published_are_kept(
    register: Register, service: NoticeService
) -> None:
    activity = ready(register)
    notice = service.create(title="Notice", activity_ids=[activity.id])
    assert notice.id is not None and notice.grouping == "" and notice.sections_by(1) == "function"
    changed = service.update(
        notice.id,
        {"grouping": "One section per activity", "full_notice_url": "https://x.example/privacy"},
    )
    assert (changed.grouping, changed.full_notice_url) == ("activity", "https://x.example/privacy")
    assert service.get(notice.id).sections_by(20) == "activity"
    short = service.document(notice.id, layer="short")
    link = [b for s in short.sections for b in s.blocks if b.kind == "link"]
    assert link[0].entries == ["https://x.example/privacy"]
    for field, value in (("grouping", "by colour"), ("full_notice_url", "javascript:alert(1)")):
        with pytest.raises(ValidationError) as refused:
            service.update(notice.id, {field: value})
        assert refused.value.field == field
    assert service.get(notice.id).full_notice_url == "https://x.example/privacy"
