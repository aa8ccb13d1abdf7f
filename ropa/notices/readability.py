"""Plain-English help: a reading-ease score for the audience, and vague words.

The Flesch reading ease score is 206.835 - 1.015 x (words per sentence) - 84.6 x
(syllables per word): higher is easier.  Syllables are counted by a small rule of thumb
(groups of vowels, less a silent final "e"), which is close enough to rank drafts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

# The score each audience's notice should reach (60-70 is plain English for adults; the
# ICO asks for language children understand, hence a higher target for them).
TARGETS: dict[str, float] = {"adults": 60.0, "children": 70.0, "staff": 50.0}

# Qualifiers the ICO's transparency guidance asks notices to avoid.
VAGUE_WORDS = ("may", "might", "some", "often", "possible", "possibly")

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_SENTENCE_END = re.compile(r"[.!?:;]+(?:\s|$)")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_VAGUE = re.compile(r"\b(" + "|".join(VAGUE_WORDS) + r")\b", re.IGNORECASE)


def count_syllables(word: str) -> int:
    word = word.lower().strip("'")
    if len(word) <= 3:
        return 1
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")):
        word = word[:-1]
    word = re.sub(r"(?:es|ed)$", "", word) if len(word) > 4 else word
    return max(1, len(_VOWEL_GROUPS.findall(word)))


def flesch_reading_ease(texts: Iterable[str]) -> float:
    """The Flesch score of some paragraphs (each one ends a sentence even without a full
    stop: list items and headings are read as separate statements)."""
    sentences = words = syllables = 0
    for text in texts:
        found = _WORD.findall(text)
        if not found:
            continue
        words += len(found)
        syllables += sum(count_syllables(word) for word in found)
        ends = len(_SENTENCE_END.findall(text.strip()))
        sentences += max(1, ends)
    if words == 0:
        return 100.0
    return round(206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words), 1)


@dataclass(frozen=True)
class VagueWord:
    word: str
    section: str
    excerpt: str


@dataclass(frozen=True)
class ReadabilityReport:
    score: float
    target: float
    audience: str
    vague_words: list[VagueWord]

    @property
    def meets_target(self) -> bool:
        return self.score >= self.target

    def summary(self) -> str:
        verdict = "meets" if self.meets_target else "is below"
        target = f"{self.target:.0f}"
        score = f"{self.score:.0f}"
        if score == target and not self.meets_target:
            # 59.6 shown as 60 "is below the target of 60": show the decimal that is short.
            score = f"{math.floor(self.score * 10) / 10:.1f}"
        return (
            f"Reading ease {score} {verdict} the target of {target} for "
            f"{self.audience.lower()} (higher is easier)."
        )


def find_vague_words(texts: Iterable[tuple[str, str]], context: int = 40) -> list[VagueWord]:
    """Each vague word in (section, text) pairs, with the words around it."""
    found = []
    for section, text in texts:
        for match in _VAGUE.finditer(text):
            start = max(0, match.start() - context)
            end = min(len(text), match.end() + context)
            excerpt = (
                ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
            )
            found.append(VagueWord(match.group(0).lower(), section, excerpt))
    return found


def assess(texts: list[tuple[str, str]], audience: str, audience_label: str) -> ReadabilityReport:
    return ReadabilityReport(
        score=flesch_reading_ease(text for _section, text in texts),
        target=TARGETS.get(audience, TARGETS["adults"]),
        audience=audience_label,
        vague_words=find_vague_words(texts),
    )
