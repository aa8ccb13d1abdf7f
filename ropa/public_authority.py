"""Whether the organisation is likely to be a public authority, guessed from its name.

A public authority cannot rely on legitimate interests for its tasks (UK GDPR Article
6(1), last paragraph), so the checks need to know which it is.  The register never assumes
it: the Organisation page shows this guess and the DPO confirms it or says otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Suggestion:
    """A guess for the DPO to confirm: the likely answer and the words that led to it."""

    is_public_authority: bool
    because: str

    @property
    def wording(self) -> str:
        answer = "likely to be" if self.is_public_authority else "not likely to be"
        return f"From its name ({self.because}), your organisation is {answer} a public authority."


def _words(*phrases: str) -> re.Pattern[str]:
    """Whole words or phrases, in any case, with any spacing or a full stop after them."""
    alternatives = "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)
    return re.compile(rf"(?<!\w)({alternatives})\.?(?!\w)", re.IGNORECASE)


# Academy trusts are charitable companies limited by guarantee, and public authorities all
# the same: they are looked for before the company endings.
_ACADEMY_TRUST = _words("academy trust", "academies trust", "multi-academy trust")
_COMPANY = _words("Ltd", "Limited", "plc", "LLP", "CIC", "Community Interest Company")
_PUBLIC = _words(
    "Council",
    "School",
    "Academy",
    "NHS",
    "Police",
    "Fire and Rescue",
    "University",
    "Integrated Care Board",
    "Combined Authority",
)


def suggest_public_authority(name: str) -> Suggestion | None:
    """The likely answer for an organisation called `name`, or None when its name gives
    no sign either way (a charity, a partnership without a legal ending, no name yet)."""
    for pattern, answer in ((_ACADEMY_TRUST, True), (_COMPANY, False), (_PUBLIC, True)):
        found = pattern.search(name)
        if found is not None:
            return Suggestion(answer, f"\u201c{found.group(1)}\u201d")
    return None
