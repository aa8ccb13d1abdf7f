"""A complete, realistic activity for tests to start from."""

from __future__ import annotations

from ropa.records import ActivityRecord, LawfulBasisEntry, RetentionEntry


def sample_activity(**overrides: object) -> ActivityRecord:
    """A complete, realistic activity; tests override what they are about."""
    values: dict[str, object] = {
        "reference": "CS-001",
        "name": "Child protection enquiries",
        "business_function": "Children's social care",
        "description": "Section 47 enquiries when a child is suspected to be at risk of harm.",
        "owner": "Head of Safeguarding",
        "purposes": ["Safeguarding children", "Statutory reporting"],
        "individuals": ["Children", "Parents and carers"],
        "data_categories": ["Name and contact details", "Health"],
        "recipients": ["Police", "NHS bodies"],
        "security_measures": ["Role-based access control"],
        "lawful_bases": [LawfulBasisEntry("e", "Statutory duty", ["Children Act 1989"])],
        "retention": [RetentionEntry("Until the child's 25th birthday", "case closure")],
        # Its yes/no questions answered, as a complete record has them (unanswered is None).
        "automated_decisions": False,
        "involves_children": True,
        "large_scale": False,
    }
    values.update(overrides)
    return ActivityRecord(**values)  # type: ignore[arg-type]
