"""What the person signed in may do in the open register, and why not, in one place.

The app greys out what the signed-in person may not do and says why in the tooltip; the
command line refuses an import the same way.  Both ask `capabilities_of`, so the matrix of
roles and actions and its sentences are written once, here, and a test
(tests/unit/test_capabilities.py) holds it against the grants a real PostgreSQL server
enforces (db/team_security.py): what is allowed here the server lets through, and what is
refused here the server refuses too.  The server stays the authority; this only spares the
user a refusal they could have been told about before they tried.

A register file has no roles: its user may do everything the file itself allows, so a file
opened read-only allows no change at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ropa.register import Register
from ropa.team import Membership, TeamPermissionError, membership_of


@dataclass(frozen=True)
class Capability:
    """One thing the user may or may not do; `refusal` says why not ("" when allowed)."""

    allowed: bool
    refusal: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Capability(True)
READ_ONLY = Capability(False, "The register is read-only: save a copy to make changes.")


def _refused(membership: Membership, rule: str) -> Capability:
    return Capability(False, f"{rule}; you are signed in as {membership.describe()}.")


@dataclass(frozen=True)
class Capabilities:
    """Everything the UI gates, for one membership of one register."""

    membership: Membership
    read_only: bool
    add_activities: Capability
    import_workbook: Capability
    approve: Capability
    edit_organisation: Capability
    edit_libraries: Capability
    edit_notices: Capability
    publish_notices: Capability
    # What the status bar says of all of it.
    state: str

    def may_edit_function(self, business_function: str) -> bool:
        """Whether an activity of `business_function` may be changed (edited, duplicated,
        retired, deleted, submitted or marked as reviewed) by this person."""
        return not self.read_only and self.membership.may_edit_function(business_function)

    def functions_to_add_to(self, known: Iterable[str]) -> list[str]:
        """The business functions a new activity may be put in: any (the `known` ones offered)
        for a DPO or on a file, an editor's own otherwise."""
        if self.membership.is_dpo:
            return list(known)
        return list(self.membership.functions)

    def edit_activities(self, business_functions: Iterable[str]) -> Capability:
        """Whether every one of the activities of these business functions may be changed:
        an editor changes the activities of their own business functions only."""
        if self.read_only:
            return READ_ONLY
        if not self.membership.may_write:
            return _refused(self.membership, "Only a DPO or an editor may change activities")
        others = sorted(
            {name for name in business_functions if not self.membership.may_edit_function(name)}
        )
        if not others:
            return ALLOWED
        named = ", ".join(f"\u201c{name}\u201d" for name in others)
        return _refused(
            self.membership, f"Only a DPO or an editor of {named} may change these activities"
        )


def capabilities_of(membership: Membership, *, read_only: bool = False) -> Capabilities:
    """What `membership` may do in a register that is (or is not) open read-only.

    The roles (db/team_security.py): a viewer reads everything; an editor also adds and
    changes the activities of their own business functions (and submits them or marks them
    as reviewed), but does not approve; a DPO does everything.  Outside a team register
    (`membership.team` False) nothing is held back but what a read-only file forbids."""

    def rule(allowed: bool, sentence: str) -> Capability:
        if read_only:
            return READ_ONLY
        return ALLOWED if allowed else _refused(membership, sentence)

    dpo = membership.is_dpo
    if read_only:
        state = "Read-only: save a copy to make changes"
    elif not membership.may_write:
        state = "Your role may read this register, not change it"
    else:
        state = "Changes are saved as you work"
    return Capabilities(
        membership=membership,
        read_only=read_only,
        add_activities=rule(
            membership.may_write,
            "Only a DPO, or an editor given a business function, may add activities",
        ),
        import_workbook=rule(dpo, "Only a DPO may import into the register"),
        approve=rule(dpo, "Only a DPO may approve activities"),
        edit_organisation=rule(dpo, "Only a DPO may change the organisation's details"),
        edit_libraries=rule(dpo, "Only a DPO may change the libraries"),
        edit_notices=rule(dpo, "Only a DPO may change notices"),
        publish_notices=rule(dpo, "Only a DPO may publish notices"),
        state=state,
    )


def require_import_allowed(register: Register) -> None:
    """On a team register only a DPO imports a workbook (as the app's Import action says):
    an import creates activities in many business functions at once and is the DPO's to
    review.  A file opened read-only refuses the import itself, in its own words."""
    if register.server_url is None:
        return
    may = capabilities_of(membership_of(register)).import_workbook
    if not may.allowed:
        raise TeamPermissionError(
            f"{may.refusal} Nothing was imported. Ask a DPO of the register to import the workbook."
        )
