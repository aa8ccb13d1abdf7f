"""The legitimate interests an activity states, wherever the register keeps them.

Article 13(1)(d) and 14(2)(b) UK GDPR: where processing rests on Article 6(1)(f), the notice
must tell people "the legitimate interests pursued by the controller or by a third party".
The register has a field for them, but a DPO (or an imported workbook: "Legitimate Interest:
Protecting the platform from cyber attacks.") often states them as the reason given with the
(f) basis itself.  For that basis the reason why the processing is necessary is the interest
pursued, so it is the interests stated.  The check and the notice both ask here, so that the
check never says "not stated" of interests the notice prints.
"""

from __future__ import annotations

from ropa.records import ActivityRecord

LEGITIMATE_INTERESTS = "f"  # Article 6(1)(f)


def relies_on_legitimate_interests(record: ActivityRecord) -> bool:
    return any(e.basis.strip().lower() == LEGITIMATE_INTERESTS for e in record.lawful_bases)


def interests_in_field(record: ActivityRecord) -> str:
    """The legitimate interests as typed in their own field ("" when none)."""
    return record.legitimate_interests.strip()


def interests_in_basis(record: ActivityRecord) -> list[str]:
    """The reasons given with each Article 6(1)(f) basis, as written, once each."""
    found: list[str] = []
    for entry in record.lawful_bases:
        reason = entry.explanation.strip()
        if entry.basis.strip().lower() == LEGITIMATE_INTERESTS and reason and reason not in found:
            found.append(reason)
    return found


def interests_stated(record: ActivityRecord) -> bool:
    """Whether the record states the interests, in their field or as the (f) basis's reason."""
    return bool(interests_in_field(record) or interests_in_basis(record))
