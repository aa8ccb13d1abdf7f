"""Checking and normalising the values of an activity before they are stored.

Messages name the field as the user sees it and say what to do.  Text is stored exactly as
given: validation never trims or rewrites what a user typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ropa import law
from ropa.errors import ValidationError
from ropa.fields import Kind, fields_of_kind, label
from ropa.records import (
    LINK_FIELDS,
    ActivityRecord,
    ConditionEntry,
    LawfulBasisEntry,
    RetentionEntry,
    Role,
    Status,
    TransferEntry,
)

MAX_REFERENCE_LENGTH = 64
_TRI_STATE = fields_of_kind(Kind.TRI_STATE)
_BOOLEAN = fields_of_kind(Kind.YES_NO)
_DATES = fields_of_kind(Kind.DATE)
_EDITABLE = set(ActivityRecord.editable_fields())


def normalise_changes(changes: dict[str, Any]) -> dict[str, Any]:
    return {name: normalise(name, value) for name, value in changes.items()}


def normalise(name: str, value: Any) -> Any:
    handler = _NORMALISERS.get(name)
    if handler is None:
        raise ValidationError(f"Activities have no field called {name!r}.", field=name)
    return handler(name, value)


def _text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{label(name)} must be text.", field=name)
    return value


def _reference(name: str, value: Any) -> str:
    text = _text(name, value).strip()
    if not text:
        raise ValidationError("Give the activity a reference, such as CS-014.", field=name)
    if len(text) > MAX_REFERENCE_LENGTH:
        raise ValidationError(
            f"The reference is {len(text)} characters long; keep it to "
            f"{MAX_REFERENCE_LENGTH} or fewer.",
            field=name,
        )
    return text


def _required_text(name: str, value: Any) -> str:
    text = _text(name, value)
    if not text.strip():
        raise ValidationError(f"{label(name)} cannot be empty.", field=name)
    return text


def _enum(enum_type: type[Role] | type[Status]) -> Callable[[str, Any], Any]:
    def convert(name: str, value: Any) -> Any:
        try:
            return enum_type(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum_type)
            raise ValidationError(
                f"{label(name)} cannot be {value!r}; choose one of {allowed}.", field=name
            ) from None

    return convert


def _date(name: str, value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError(
        f"{label(name)} must be a date such as 2026-11-21; {value!r} is not one.", field=name
    )


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValidationError(f"{label(name)} must be yes or no.", field=name)


def _tri_state(name: str, value: Any) -> bool | None:
    return None if value is None else _boolean(name, value)


def _names(name: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not all(isinstance(item, str) for item in value):
        raise ValidationError(f"{label(name)} must be a list of names.", field=name)
    return list(value)


def _entries(entry_type: type, name: str, value: Any) -> list[Any]:
    if value is None:
        return []
    result = []
    for entry in value:
        if isinstance(entry, dict):
            entry = entry_type(**entry)
        if not isinstance(entry, entry_type):
            raise ValidationError(f"{label(name)} holds something unexpected.", field=name)
        result.append(entry)
    return result


def _lawful_bases(name: str, value: Any) -> list[LawfulBasisEntry]:
    entries = _entries(LawfulBasisEntry, name, value)
    known = law.lawful_bases()
    for entry in entries:
        if entry.basis not in known:
            raise ValidationError(
                f"{entry.basis!r} is not an Article 6(1) lawful basis; choose one of "
                f"{', '.join(known)}.",
                field=name,
            )
        entry.legislation = _names(name, entry.legislation)
        entry.annex1_condition = str(entry.annex1_condition or "").strip()
        if entry.annex1_condition and law.annex1_condition(entry.annex1_condition) is None:
            raise ValidationError(
                f"{entry.annex1_condition!r} is not a condition in Annex 1 to the UK GDPR; "
                f"choose one of {', '.join(law.annex1_conditions())}.",
                field=name,
            )
    return entries


def _conditions(name: str, value: Any) -> list[ConditionEntry]:
    entries = _entries(ConditionEntry, name, value)
    known = law.article9_conditions() if name == "article9" else law.schedule1_conditions()
    what = "an Article 9(2) condition" if name == "article9" else "a Schedule 1 paragraph"
    for entry in entries:
        entry.code = str(entry.code)
        if entry.code not in known:
            raise ValidationError(f"{entry.code!r} is not {what}.", field=name)
    return entries


def _transfers(name: str, value: Any) -> list[TransferEntry]:
    entries = _entries(TransferEntry, name, value)
    mechanisms = law.transfer_mechanisms()
    for entry in entries:
        if not entry.destination.strip():
            raise ValidationError("Each transfer needs a country or organisation.", field=name)
        if entry.mechanism and entry.mechanism not in mechanisms:
            raise ValidationError(
                f"{entry.mechanism!r} is not a transfer mechanism; choose one of "
                f"{', '.join(mechanisms)}.",
                field=name,
            )
        if entry.data_protection_test not in ("", "yes", "no"):
            raise ValidationError(
                f"Whether the data protection test is met for {entry.destination} must be "
                "yes, no or not recorded.",
                field=name,
            )
    return entries


def _dpia_criteria(name: str, value: Any) -> str:
    """Codes of the ICO's DPIA list, one a line, each known and given once."""
    codes = [line.strip() for line in _text(name, value).splitlines() if line.strip()]
    known = law.dpia_criteria()
    for code in codes:
        if code not in known:
            raise ValidationError(
                f"{code!r} is not on the ICO's DPIA list; choose from {', '.join(known)}.",
                field=name,
            )
    return "\n".join(dict.fromkeys(codes))


def _retention(name: str, value: Any) -> list[RetentionEntry]:
    entries = _entries(RetentionEntry, name, value)
    for entry in entries:
        if not entry.period.strip():
            raise ValidationError("Each retention rule needs a period.", field=name)
    return entries


def _extra_fields(name: str, value: Any) -> dict[str, str]:
    """The organisation's own fields: named by a non-empty header, each named once, with
    text values.  Headers are kept as written (trimmed), in the order given."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(f"{label(name)} must be headers with their text.", field=name)
    result: dict[str, str] = {}
    seen: set[str] = set()
    for header, text in value.items():
        if not isinstance(header, str) or not header.strip():
            raise ValidationError(f"Each of {label(name).lower()} needs a name.", field=name)
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise ValidationError(f"\u201c{header.strip()}\u201d must be text.", field=name)
        key = " ".join(header.split()).casefold()
        if key in seen:
            raise ValidationError(
                f"\u201c{header.strip()}\u201d is named twice; give each of "
                f"{label(name).lower()} its own name.",
                field=name,
            )
        seen.add(key)
        result[header.strip()] = text
    return result


def _article10(name: str, value: Any) -> str:
    text = _text(name, value)
    if text and text not in law.article10_bases():
        raise ValidationError(
            f"{text!r} is not an Article 10 basis; choose one of "
            f"{', '.join(law.article10_bases())}.",
            field=name,
        )
    return text


_HANDLERS: dict[str, Callable[[str, Any], Any]] = {
    "reference": _reference,
    "name": _required_text,
    "role": _enum(Role),
    "status": _enum(Status),
    "lawful_bases": _lawful_bases,
    "article9": _conditions,
    "schedule1": _conditions,
    "transfers": _transfers,
    "retention": _retention,
    "article10_basis": _article10,
    "extra_fields": _extra_fields,
    "dpia_criteria": _dpia_criteria,
    # Recipient -> why it gets the data: the same shape, a name once with its text.
    "recipient_reasons": _extra_fields,
}


def _normaliser(name: str) -> Callable[[str, Any], Any]:
    if name in _HANDLERS:
        return _HANDLERS[name]
    if name in LINK_FIELDS:
        return _names
    if name in _DATES:
        return _date
    if name in _BOOLEAN:
        return _boolean
    if name in _TRI_STATE:
        return _tri_state
    return _text


# Each field's check, chosen once: an import of 10,000 activities checks half a million values.
_NORMALISERS = {name: _normaliser(name) for name in _EDITABLE}
