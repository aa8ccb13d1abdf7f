"""Plain-English help: a reading-ease score for the audience, and vague words.

The Flesch reading ease score is 206.835 - 1.015 x (words per sentence) - 84.6 x
(syllables per word): higher is easier.  Flesch's own scale reads 70-80 as fairly easy
(ages 12 to 13) and 60-70 as plain English (ages 13 to 15).  The score measures prose:
sentences end at a full stop, question or exclamation mark, and each paragraph or list item
ends one; a piece of two words or fewer ("Police", "Date of birth") is a label, not a
sentence, and is left out (textstat, for one, does not count such pieces as sentences).
Syllables are counted by rule of thumb: groups of vowels, less a silent final "e" and the
silent "-es" and "-ed" endings.  The tests check the score against textstat's on the same
text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

# The score each audience's notice should reach: plain English (60) for adults; for children
# and young people, the ICO's Children's code asks for language they understand, and 65 is
# in the middle of Flesch's band for ages 13 to 15, above what 12 to 13 year olds read at 70.
TARGETS: dict[str, float] = {"adults": 60.0, "children": 65.0, "staff": 50.0}

# Qualifiers the ICO's transparency guidance asks notices to avoid.
VAGUE_WORDS = ("may", "might", "some", "often", "possible", "possibly")

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
# Vowel pairs read as two syllables ("vir-tu-al", "sup-pli-er", "ra-di-o").
# ("special", "information" and "quality" keep theirs as one).
_TWO_SYLLABLE_PAIRS = re.compile(r"(?:(?<![ctsgx])i[aou]|(?<![qg])ua|uo|(?<=[^aeiou])ie(?=r|t))")
# Shortest piece of text counted as a sentence.
MIN_SENTENCE_WORDS = 3
# First words of compounds that end in a silent "e" ("some" in "sometimes"), when a word of
# three letters or more follows that starts with a consonant ("carers" is not a compound).
_COMPOUND_SILENT_E = re.compile(
    r"^(som|saf|hous|hom|lif|car|tim|whol|cas|sid|wid|lik|fir|nam|plac|stat)e"
    r"(?=[^aeiouy][a-z]{2,})"
)
_VAGUE = re.compile(r"\b(" + "|".join(VAGUE_WORDS) + r")\b", re.IGNORECASE)


def count_syllables(word: str) -> int:
    word = word.lower().strip("'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 3:
        return 1
    # A silent "e" before a suffix ("placement", "safely", "useful") is not a syllable, nor
    # the one ending the first word of a compound ("safeguarding", "household", "sometimes").
    word = re.sub(r"(?<=[^aeiouy])e(?=(?:ments?|ly|ful|fully|less|ness)$)", "", word)
    word = _COMPOUND_SILENT_E.sub(r"\1", word)
    # "u" after "q" is a consonant's sound ("unique", "require").
    word = word.replace("qu", "q")
    if len(word) > 4:
        # "-es" is silent but after a hissing sound ("closes", "places", "judges"); "-ed"
        # is silent but after t or d ("decided").
        silent_es = word.endswith("es") and not re.search(r"(?:[sxz]|ch|sh|[cg])es$", word)
        silent_ed = word.endswith("ed") and not re.search(r"[td]ed$", word)
        if silent_es or silent_ed:
            word = word[:-2]
    # A final "e" is silent ("while", "safe") but in "-le" after a consonant ("table").
    syllabic_le = re.search(r"[^aeiouy]le$", word)
    if word.endswith("e") and not word.endswith(("ee", "ye")) and not syllabic_le:
        word = word[:-1]
    groups = len(_VOWEL_GROUPS.findall(word)) + len(_TWO_SYLLABLE_PAIRS.findall(word))
    return max(1, groups)


def flesch_reading_ease(texts: Iterable[str]) -> float:
    """The Flesch score of some paragraphs (each one ends a sentence even without a full
    stop: list items are read as separate statements)."""
    sentences, words, syllables = _counts(texts)
    if words == 0:
        return 100.0
    return round(206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words), 1)


def _counts(texts: Iterable[str]) -> tuple[int, int, int]:
    """Sentences, words and syllables of the prose, as both reading scores count them."""
    sentences = words = syllables = 0
    for sentence in prose_sentences(texts):
        found = _WORD.findall(sentence)
        words += len(found)
        syllables += sum(count_syllables(word) for word in found)
        sentences += 1
    return sentences, words, syllables


def prose_sentences(texts: Iterable[str]) -> list[str]:
    """The sentences the score reads, each ending in a full stop, question or exclamation
    mark (one is added where a paragraph or list item has none); labels are left out."""
    found = []
    for text in texts:
        start = 0
        pieces = []
        for end in _SENTENCE_END.finditer(text):
            pieces.append(text[start : end.end()])
            start = end.end()
        pieces.append(text[start:])
        for piece in pieces:
            piece = " ".join(piece.split())
            if len(_WORD.findall(piece)) >= MIN_SENTENCE_WORDS:
                found.append(piece if piece[-1] in ".!?" else piece + ".")
    return found


# The school grade a children's notice keeps each paragraph at or below: grade 9 (ages 14
# to 15, the top of the ICO Children's code's 13 to 15 band) on the Flesch-Kincaid scale.
CHILDREN_GRADE = 9.0


def reading_grade(text: str) -> float:
    """The Flesch-Kincaid school grade of a paragraph: 0.39 x (words per sentence) + 11.8 x
    (syllables per word) - 15.59, counted as `flesch_reading_ease` counts them (the tests
    check it against textstat's on the same text)."""
    sentences, words, syllables = _counts([text])
    if words == 0:
        return 0.0
    return round(0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59, 1)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


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
