"""A stored value the app has no meaning for, named with the activity that holds it.

ROPA desk never writes such a value, but another program can: a script on the register
file, or a team register's owner role (which the server's checks do not hold).  Export and
check read every activity, so one such value stopped them for everyone with an error that
named nothing (security review 3, finding 2).  Instead the reader says which activity holds
which value, and what to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, String, or_, select, type_coerce
from sqlalchemy.orm import Session

from db.enums import Role, Status
from db.models import Activity
from ropa import law
from ropa.errors import RopaError
from ropa.records import ActivityRecord


class UnreadableValueError(RopaError):
    """An activity holds a value outside the app's vocabularies: nothing was read."""


class UnknownRowValueError(LookupError):
    """Raised while an activity's rows are read, where only its id is at hand: `column`
    of one of its rows holds `value`, none of `choices` (load_records names the activity)."""

    def __init__(self, activity_id: int, column: str, value: str, choices: Sequence[str]):
        super().__init__(f"{column} of activity {activity_id} is {value!r}")
        self.activity_id = activity_id
        self.column = column
        self.value = value
        self.choices = tuple(choices)

    def named(self, reference: str, name: str) -> UnreadableValueError:
        return _unreadable(reference, name, self.column, self.value, self.choices)


def unreadable_choice(session: Session, which: Sequence[ColumnElement[bool]]) -> RopaError | None:
    """The first activity of `which` whose role or status is none of the app's choices (read
    as plain text, which the columns' enum type cannot do), as an error; None if none is."""
    for field, column, choices in (
        ("role", Activity.role, [member.value for member in Role]),
        ("status", Activity.status, [member.value for member in Status]),
    ):
        stored = type_coerce(column, String)
        found = session.execute(
            select(Activity.reference, Activity.name, stored)
            .where(*which, or_(stored.is_(None), stored.not_in(choices)))
            .order_by(Activity.reference)
            .limit(1)
        ).first()
        if found is not None:
            reference, name, value = found
            return _unreadable(reference, name, field, value, choices)
    return None


def unreadable_listed(
    rows: Iterable[tuple[str, str, str | None, str | None]],
) -> UnreadableValueError | None:
    """The first of `rows` (reference, name, status, role, as stored) whose status or role is
    none of the app's choices, as an error; None if none is."""
    statuses = [member.value for member in Status]
    roles = [member.value for member in Role]
    for reference, name, status, role in rows:
        if status not in statuses:
            return _unreadable(reference, name, "status", status, statuses)
        if role not in roles:
            return _unreadable(reference, name, "role", role, roles)
    return None


def refuse_unknown_codes(records: Iterable[ActivityRecord]) -> None:
    """Raise UnreadableValueError for the first record holding a code the reference law does
    not have (a lawful basis, an Article 10 basis, a transfer mechanism): the export and the
    checks look each one up."""
    bases = law.lawful_bases()
    article10 = law.article10_bases()
    mechanisms = law.transfer_mechanisms()
    for record in records:
        for scheme, known in (
            ("Article 9 condition", law.article9_conditions()),
            ("Schedule 1 condition", law.schedule1_conditions()),
        ):
            entries = record.article9 if scheme.startswith("Article") else record.schedule1
            for condition in entries:
                if condition.code not in known:
                    raise _unreadable(
                        record.reference, record.name, scheme, condition.code, list(known)
                    )
        for entry in record.lawful_bases:
            if entry.basis not in bases:
                raise _unreadable(
                    record.reference, record.name, "lawful basis", entry.basis, list(bases)
                )
        if record.article10_basis and record.article10_basis not in article10:
            raise _unreadable(
                record.reference,
                record.name,
                "Article 10 basis",
                record.article10_basis,
                list(article10),
            )
        for transfer in record.transfers:
            if transfer.mechanism and transfer.mechanism not in mechanisms:
                raise _unreadable(
                    record.reference,
                    record.name,
                    f"transfer mechanism for “{transfer.destination}”",
                    transfer.mechanism,
                    list(mechanisms),
                )


def _unreadable(
    reference: str, name: str, field: str, value: object, choices: Sequence[str]
) -> UnreadableValueError:
    shown = "nothing" if value is None else f"“{value}”"
    return UnreadableValueError(
        f"ROPA desk cannot read activity {reference} “{name}”: its {field} is {shown}, which "
        f"is none of {', '.join(choices)}. It was written by another program, not by ROPA "
        "desk; nothing was changed. Correct that value in the register (for a team register "
        "the IT team can, with psql), then try again."
    )
