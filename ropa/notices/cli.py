"""`ropa notice FILE.(md|html|txt|pdf|docx) [--function NAME]... [--title TEXT] [--layer L]
[--audience A] [--by function|activity] [--full-url URL]`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from ropa.errors import RopaError
from ropa.library import name_key
from ropa.notice_writers import NoticeWriters
from ropa.notices.content import without_placeholders
from ropa.notices.records import NoticeRecord
from ropa.register import Register
from ropa.sanitise import for_terminal
from ropa.wording import count_of

DEFAULT_TITLE = "Privacy notice"


def run_notice(
    register: Register,
    path: Path,
    writers: NoticeWriters,
    *,
    functions: Sequence[str] = (),
    title: str | None = None,
    layer: str = "full",
    audience: str = "adults",
    grouping: str = "",
    full_notice_url: str = "",
) -> int:
    """Write a notice covering all activities, or those of the named business functions,
    with the writer `writers` has for the file's suffix."""
    path = Path(path)
    writers.writer_for(path.suffix)  # refuse an unknown format before any work
    draft = adhoc_notice(register, functions, title)
    draft.audience = audience
    draft.grouping = grouping
    draft.full_notice_url = full_notice_url
    document = register.notices.document(draft, layer=layer)
    writers.write_file(document, path)
    gaps = [w for w in document.warnings if w.kind == "gap"]
    # Titles, paths and warnings quote what users typed: escape any terminal controls in it.
    print(
        for_terminal(
            f"Wrote “{document.title}” covering "
            f"{count_of(len(document.activities), 'activity', 'activities')} to {path}"
            + (
                f" ({count_of(len(gaps), 'gap')} to complete, marked “[To complete: …]”)."
                if gaps
                else "."
            )
        )
    )
    for warning in gaps:
        print(f"  {for_terminal(f'{warning.section}: {warning.message}')}", file=sys.stderr)
    return 0


def adhoc_notice(
    register: Register, functions: Sequence[str] = (), title: str | None = None
) -> NoticeRecord:
    """A notice not kept in the register: every current activity, or those of the named
    business functions (each name must match one in the register)."""
    known = {name_key(name): name for name in register.activity_list.business_functions()}
    unknown = [name for name in functions if name_key(name) not in known]
    if unknown:
        listing = "; ".join(sorted(known.values())) or "none recorded yet"
        raise RopaError(
            f"No activity has the business function “{unknown[0]}”. The register's business "
            f"functions are: {listing}."
        )
    chosen = list(dict.fromkeys(known[name_key(name)] for name in functions))
    organisation = without_placeholders(register.organisation.get()).name
    if title is None or not title.strip():
        # The business functions keep their own capitals ("SEND", "Children's social care").
        subject = " and ".join(chosen)
        title = f"{subject[:1].upper()}{subject[1:]} privacy notice" if subject else DEFAULT_TITLE
        if organisation:
            title = f"{organisation}: {title if subject else 'privacy notice'}"
    if chosen:
        return NoticeRecord(title=title.strip(), business_functions=chosen)
    ids = [summary.id for summary in register.activity_list.summaries(include_retired=False)]
    return NoticeRecord(title=title.strip(), activity_ids=ids)
