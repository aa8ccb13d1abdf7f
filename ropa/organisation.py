"""The organisation's own details: controller, DPO, representative, ICO registration."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Organisation
from ropa import law
from ropa.errors import ConflictError, ValidationError
from ropa.history import ChangeLog
from ropa.records import OrganisationRecord

if TYPE_CHECKING:
    from ropa.store import Store

EDITABLE = [f.name for f in fields(OrganisationRecord) if f.name != "version"]


def load_organisation(session: Session) -> Organisation:
    organisation = session.scalar(select(Organisation).order_by(Organisation.id).limit(1))
    if organisation is None:
        organisation = Organisation()
        session.add(organisation)
        session.flush()
    return organisation


def apply_organisation(session: Session, changes: dict[str, Any], log: ChangeLog) -> None:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"The organisation has no field {sorted(unknown)[0]!r}.")
    organisation = load_organisation(session)
    changed = False
    for name, value in changes.items():
        if name == "is_public_authority":
            if value is not None and not isinstance(value, bool):
                raise ValidationError(
                    f"{_label(name)} must be yes, no or not yet known.", field=name
                )
        elif not isinstance(value, str):
            raise ValidationError(f"{_label(name)} must be text.", field=name)
        old = getattr(organisation, name)
        if old != value:
            setattr(organisation, name, value)
            log.add("organisation", organisation.id, "Organisation", "update", name, old, value)
            changed = True
    if changed:
        organisation.version += 1


def _label(field: str) -> str:
    """'dpo_email' -> 'DPO email', as the Organisation page names it."""
    if field == "ico_registration":
        # The regulator's name is dated data (ropa.law.regulator): it changes on a day.
        return f"{law.regulator().short_name} registration number"
    words = [{"dpo": "DPO"}.get(word, word) for word in field.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


class OrganisationService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self) -> OrganisationRecord:
        with self.store.reading() as session:
            organisation = session.scalar(select(Organisation).order_by(Organisation.id).limit(1))
            if organisation is None:
                return OrganisationRecord()
            values = {name: getattr(organisation, name) for name in EDITABLE}
            return OrganisationRecord(**values, version=organisation.version)

    def update(
        self, changes: dict[str, Any], expected_version: int | None = None
    ) -> OrganisationRecord:
        with self.store.transaction() as session:
            organisation = load_organisation(session)
            if expected_version is not None and organisation.version != expected_version:
                raise ConflictError(
                    "The organisation's details were changed by someone else since you opened "
                    "them. Reload them to see the change, then make yours again."
                )
            apply_organisation(session, changes, ChangeLog(session))
        return self.get()
