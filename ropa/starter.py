"""What every new register starts with: the organisation row and the starter libraries."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from db.models import LibraryItem, LibraryKind
from ropa.library import ITEM_FIELDS, name_key
from ropa.organisation import load_organisation
from ropa.paths import resource


def ensure_organisation_row(session: Session) -> None:
    load_organisation(session)


def seed_new_register(session: Session) -> None:
    ensure_organisation_row(session)
    with resource("starter", "library.json").open(encoding="utf-8") as handle:
        starter = json.load(handle)
    for kind_name, items in starter.items():
        kind = LibraryKind(kind_name)
        seen: set[str] = set()
        for entry in items:
            key = name_key(entry["name"])
            if key in seen:
                continue
            seen.add(key)
            values = {k: entry[k] for k in ITEM_FIELDS if k in entry}
            session.add(LibraryItem(kind=kind, name=entry["name"].strip(), name_key=key, **values))
