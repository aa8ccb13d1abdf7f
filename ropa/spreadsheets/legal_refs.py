"""Finding the law a line of a cell names, wherever it stands, without losing a word.

A DPO writes "Public task (Art 6(1)(e)); Art 9(2)(g) substantial public interest - DPA 2018
Sch 1 para 18 safeguarding of children" in one cell, or the same on three lines.  A line is
read as spans:

- references are found anywhere: "Art 6(1)(e)", "6.1(b)", "9(2)(h)", "Sch.1 Pt.2 para.18",
  "paragraph 18 of Schedule 1", "Article 10";
- a reference takes the words beside it that only say its name again ("Art 6(1)(f) Legit.
  Interest", "Vital interests (Article 9(2)(c))"): every word of them is the start of a word
  of the reference's title, so the title the register shows still holds them.  The reference
  decides: "Vital interests (Article 9(2)(c))" is the Article 9 condition, not Article 6(1)(d);
- a name alone ("Public task", "explicit consent") starts an item only where one can start:
  at the start of the line or after ; , / + & or "and".  A name inside an explanation
  ("Necessary for the performance of our contract") is never read as a basis;
- every other character of the line goes to the explanation of the item it stands with: the
  text after an item up to the last separator before the next item, and the text before an
  item from that separator.  Only separators, brackets and the joining words in JOINERS are
  left out.  `read_line` checks that for every line it reads (and keeps a line whole
  rather than lose a word of it); `unaccounted_words` lets the tests hold it to that.

The schemes: "article6" (UK GDPR Art 6(1)), "article9" (Art 9(2)), "schedule1" (DPA 2018
Schedule 1, by paragraph) and "article10" (Art 10, "official_authority" or
"authorised_by_law", DPA 2018 s.10(5)).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ropa import law

ARTICLE6 = "article6"
ARTICLE9 = "article9"
SCHEDULE1 = "schedule1"
ARTICLE10 = "article10"

# Words a reading may leave out because they only join items ("Art 9(2)(b), with Sch 1 para 1").
JOINERS = frozenset({"and", "with", "plus", "also", "or"})
# Words a reference may take that name the law it is in rather than say anything of their own:
# "UK GDPR Article 6(1)(e)", "DPA 2018 Sch.1 Pt.2 para.18".  The title of the item says it again.
INSTRUMENT_WORDS = frozenset(
    {
        "uk",
        "gdpr",
        "art",
        "arts",
        "article",
        "articles",
        "dpa",
        "data",
        "protection",
        "act",
        "the",
        "of",
        "sch",
        "sched",
        "schedule",
        "pt",
        "part",
        "para",
        "paras",
        "paragraph",
        "paragraphs",
    }
)


@dataclass(frozen=True)
class Found:
    """One basis or condition a line names, with the words that stand with it."""

    scheme: str
    code: str
    explanation: str = ""
    # The text after the item, when it came after a dash and names legislation.
    legislation: str = ""
    # Why the DPO should check what was read ("" when nothing is in doubt).
    doubt: str = ""


_LEGISLATION_WORDS = re.compile(
    r"\b(acts?|regulations?|order|rules|guidance|code of practice|directive|measure|"
    r"statutory instrument|section|s\.\s*\d+|(?:18|19|20)\d\d)\b",
    re.IGNORECASE,
)


def looks_like_legislation(text: str) -> bool:
    """Whether text names an Act, regulations, guidance or a section ("Children Act 1989")."""
    return bool(_LEGISLATION_WORDS.search(text))


# --- references ------------------------------------------------------------------------------

_GDPR_BEFORE = r"(?:(?:uk\s*)?gdpr\s*,?\s*)?"
_GDPR_AFTER = r"(?:\s*(?:of\s+(?:the\s+)?)?(?:uk\s*)?gdpr\b)?"
_ARTICLE = r"(?:art(?:icle)?s?\.?\s*)"
_LETTER6 = r"(?:\(\s*(?:ea|[a-f])\s*\)|(?:ea|[a-f])\b)"
_LETTER9 = r"(?:\(\s*[a-j]\s*\)|[a-j]\b)"
_MORE = r"(?:\s*(?:,|/|&|\band\b|\bor\b)\s*\(\s*(?:ea|[a-j])\s*\))*"


def _article_ref(article: int, paragraph: int, letter: str) -> re.Pattern[str]:
    """A reference to points of one paragraph of a UK GDPR article, however written:
    "Art 6(1)(b)", "article 6.1 b", "GDPR 9(2)(h) and (j)", "6(1)(e) of the UK GDPR"."""
    return re.compile(
        rf"{_GDPR_BEFORE}(?:{_ARTICLE}|(?<![\w.(])){article}\s*"
        rf"(?:\(\s*{paragraph}\s*\)|\.\s*{paragraph}\.?)\s*{letter}{_MORE}{_GDPR_AFTER}",
        re.IGNORECASE,
    )


_ARTICLE6_REF = _article_ref(6, 1, _LETTER6)
_ARTICLE9_REF = _article_ref(9, 2, _LETTER9)
_LETTERS_IN = re.compile(r"\(\s*(ea|[a-j])\s*\)|(?<=[\d.)\s])(ea|[a-j])\b", re.IGNORECASE)
_DPA = r"(?:(?:the\s+)?(?:dpa|data\s+protection\s+act)\s*(?:2018)?\s*,?\s*)"
_SCHEDULE = r"(?:sch(?:edule|ed)?\.?\s*1\b)"
_PART = r"(?:(?:part|pt)\.?\s*(?P<part>[1-3])\b)"
_PARAGRAPH = r"(?:para(?:graph)?s?\.?|§)\s*(?P<paragraph>\d{1,2})\b"
_MORE_PARAGRAPHS = r"(?P<more>(?:\s*(?:&|\band\b|/)\s*\d{1,2}\b(?!\s*\())*)"
_SCHEDULE1_REF = re.compile(
    rf"{_DPA}?(?:{_SCHEDULE}(?:\s*(?:of|to)\s+(?:the\s+)?(?:dpa|data\s+protection\s+act)"
    rf"\s*(?:2018)?)?[\s,.]*)(?:{_PART}[\s,.]*)?(?:\(\s*)?{_PARAGRAPH}{_MORE_PARAGRAPHS}"
    rf"(?:\s*\))?(?:\s*(?:of\s+(?:the\s+)?)?(?:dpa|data\s+protection\s+act)\s*2018)?",
    re.IGNORECASE,
)
# "paragraph 18 of Schedule 1", "para 6, Sch 1 DPA 2018".
_SCHEDULE1_AFTER = re.compile(
    rf"{_PARAGRAPH}{_MORE_PARAGRAPHS}\s*(?:of|,|in)?\s*(?:the\s+)?{_PART}?[\s,]*(?:of\s+)?"
    rf"(?:the\s+)?{_SCHEDULE}(?:\s*(?:of|to)?\s*(?:the\s+)?(?:dpa|data\s+protection\s+act)"
    rf"\s*(?:2018)?)?",
    re.IGNORECASE,
)
# In the Schedule 1 column "Part 2 para 6" or "para 18" is enough.
_SCHEDULE1_BARE = re.compile(rf"(?:{_PART}[\s,.]*)?{_PARAGRAPH}{_MORE_PARAGRAPHS}", re.IGNORECASE)
_ARTICLE10_REF = re.compile(
    rf"{_GDPR_BEFORE}{_ARTICLE}10\b(?!\s*\(){_GDPR_AFTER}",
    re.IGNORECASE,
)
_ARTICLE10_NAMES = (
    (
        "official_authority",
        re.compile(
            r"(?:under\s+(?:the\s+)?control\s+of\s+(?:an?\s+)?)?official\s+authority",
            re.IGNORECASE,
        ),
    ),
    (
        "authorised_by_law",
        re.compile(r"authori[sz]ed\s+by\s+(?:domestic\s+|uk\s+)?law", re.IGNORECASE),
    ),
)


@dataclass(frozen=True)
class _Reference:
    start: int
    end: int
    scheme: str
    codes: tuple[str, ...]
    part: str = ""  # the Schedule 1 part written, if any


def _references(line: str, column: str) -> list[_Reference]:
    found: list[_Reference] = []
    folded = line.casefold()
    # Each pattern only where its number or word is in the line: most lines have few.
    for pattern, scheme in ((_ARTICLE6_REF, ARTICLE6), (_ARTICLE9_REF, ARTICLE9)):
        if ("6" if scheme == ARTICLE6 else "9") not in line:
            continue
        for match in pattern.finditer(line):
            text = match.group(0)
            digit = text.find("6" if scheme == ARTICLE6 else "9")
            letters = [
                (a or b).casefold() for a, b in _LETTERS_IN.findall(text[digit + 1 :]) if a or b
            ]
            allowed = {"ea", *"abcdef"} if scheme == ARTICLE6 else set("abcdefghij")
            codes = tuple(dict.fromkeys(code for code in letters if code in allowed))
            if codes:
                found.append(_Reference(match.start(), match.end(), scheme, codes))
    schedule_patterns = [_SCHEDULE1_REF, _SCHEDULE1_AFTER]
    if "para" not in folded and "§" not in line:
        schedule_patterns = []
    elif column == SCHEDULE1:
        schedule_patterns.append(_SCHEDULE1_BARE)
    paragraphs = law.schedule1_conditions()
    for pattern in schedule_patterns:
        for match in pattern.finditer(line):
            numbers = [match.group("paragraph"), *re.findall(r"\d{1,2}", match.group("more"))]
            codes = tuple(dict.fromkeys(str(int(n)) for n in numbers if str(int(n)) in paragraphs))
            if codes:
                part = match.group("part") or ""
                found.append(_Reference(match.start(), match.end(), SCHEDULE1, codes, part))
    for match in _ARTICLE10_REF.finditer(line) if "10" in line else ():
        found.append(_Reference(match.start(), match.end(), ARTICLE10, ("",)))
    # Where two readings overlap, the one that starts first and reaches furthest stands.
    found.sort(key=lambda ref: (ref.start, -ref.end))
    kept: list[_Reference] = []
    for ref in found:
        if kept and ref.start < kept[-1].end:
            continue
        kept.append(ref)
    return kept


def has_reference(line: str, column: str) -> bool:
    """Whether a line names an article or paragraph by its number (not only by its name)."""
    return any(ref.scheme != ARTICLE10 for ref in _references(line, column))


# --- names -------------------------------------------------------------------------------------


def _words_pattern(name: str) -> str:
    """A name as a pattern that allows any spacing, "and" or "&", and an "s" at the end."""
    words = re.findall(r"[\w']+", name.casefold())
    parts = [r"(?:and|&)" if word == "and" else re.escape(word) for word in words]
    return r"[\s,/-]*".join(parts) + r"s?"


# Names that start an item anywhere an item can start, for each scheme, longest first where
# they compete ("explicit consent" before "consent").  Ambiguous names ("vital interests") are
# read in the scheme of the column they are in.
_ARTICLE6_NAMES: dict[str, tuple[str, ...]] = {
    "ea": (r"recogni[sz]ed\s+legitimate\s+interests?",),
    "a": (r"consent",),
    "b": (
        r"contract(?:ual)?(?:\s+necessity)?",
        r"(?:necessary\s+for\s+)?(?:the\s+)?performance\s+of\s+(?:a|the)\s+contract",
    ),
    "c": (
        r"legal\s+obligations?",
        r"(?:compliance\s+with\s+(?:a\s+)?)legal\s+obligations?",
        r"legal\s+dut(?:y|ies)",
        r"statutory\s+(?:obligations?|dut(?:y|ies))",
    ),
    "d": (r"vital\s+interests?",),
    "e": (
        r"public\s+tasks?",
        r"public\s+interest\s+task",
        r"(?:exercise\s+of\s+)?official\s+authority",
        r"task\s+(?:carried\s+out\s+)?in\s+the\s+public\s+interest",
        r"public\s+interest",
    ),
    "f": (r"legitimate\s+interests?", r"legit\.?\s+interests?"),
}
_ARTICLE9_NAMES: dict[str, tuple[str, ...]] = {
    "a": (r"explicit\s+consent",),
    "b": (
        r"employment[\s,]+social\s+security(?:[\s,]+(?:and|&)\s+social\s+protection)?",
        r"employment(?:\s+law)?",
        r"social\s+protection",
    ),
    "c": (r"vital\s+interests?",),
    "d": (r"not[\s-]+for[\s-]+profit(?:\s+bod(?:y|ies))?",),
    "e": (r"(?:manifestly\s+)?made\s+public(?:\s+by\s+the\s+data\s+subject)?",),
    "f": (r"legal\s+claims?(?:\s+or\s+judicial\s+acts?)?", r"judicial\s+acts?"),
    "g": (r"(?:reasons\s+of\s+)?substantial\s+public\s+interest",),
    "h": (
        r"health\s*(?:or|and|&|/)\s*social\s+care(?:\s+purposes)?",
        r"social\s+care",
        r"health\s*care",
        r"preventive\s+or\s+occupational\s+medicine",
    ),
    "i": (r"public\s+health",),
    "j": (
        r"archiving[\s,]+(?:scientific\s+or\s+historical\s+)?research(?:[\s,]+(?:and|&)"
        r"\s+statistic(?:s|al)(?:\s+purposes)?)?",
        r"archiving",
        r"research",
        r"statistic(?:s|al)",
    ),
}
# Names of Article 9 conditions that are read outside the Article 9 column: words a DPO uses
# for the condition itself, never for anything else ("employment" and "research" are not).
_ARTICLE9_ANYWHERE = {
    "a": _ARTICLE9_NAMES["a"],
    "b": _ARTICLE9_NAMES["b"][:1],
    "d": _ARTICLE9_NAMES["d"],
    "f": _ARTICLE9_NAMES["f"],
    "g": _ARTICLE9_NAMES["g"],
    "h": _ARTICLE9_NAMES["h"][:1],
    "i": _ARTICLE9_NAMES["i"],
    "j": _ARTICLE9_NAMES["j"][:1],
}
_SCHEDULE1_SYNONYMS: dict[str, tuple[str, ...]] = {
    "6": (r"statutory(?:\s+etc\.?)?(?:\s+(?:and|&)\s+government)?\s+purposes",),
    "18": (
        r"safeguarding\s+(?:of\s+)?children(?:\s+(?:and|&)\s+(?:of\s+)?individuals\s+at\s+risk)?",
        r"safeguarding\s+(?:of\s+)?individuals\s+at\s+risk",
    ),
    "10": (
        r"prevent(?:ing|ion)\s+(?:or|and|&)\s+detect(?:ing|ion)\s+(?:of\s+)?(?:unlawful\s+acts|crime)",
    ),
    "8": (r"equality\s+of\s+opportunity(?:\s+or\s+treatment)?",),
}


@functools.cache
def _schedule1_names() -> dict[str, tuple[str, ...]]:
    names = {
        code: (_words_pattern(condition.name), *_SCHEDULE1_SYNONYMS.get(code, ()))
        for code, condition in law.schedule1_conditions().items()
    }
    return names


# Schedule 1 names read outside the Schedule 1 column: those no basis or condition shares.
_SCHEDULE1_ANYWHERE = ("6", "18", "10", "8")


@functools.cache
def _name_patterns(column: str) -> tuple[tuple[re.Pattern[str], str, str], ...]:
    """(pattern, scheme, code) for the names that start an item in a column, the column's
    own scheme first (so "Vital interests" in the Article 9 column is 9(2)(c)), then longest
    first."""
    schedule1 = _schedule1_names()
    tables: list[tuple[str, dict[str, tuple[str, ...]]]] = [
        (ARTICLE6, _ARTICLE6_NAMES),
        (ARTICLE9, _ARTICLE9_NAMES if column == ARTICLE9 else _ARTICLE9_ANYWHERE),
        (
            SCHEDULE1,
            schedule1
            if column == SCHEDULE1
            else {code: schedule1[code] for code in _SCHEDULE1_ANYWHERE},
        ),
    ]
    if column == ARTICLE9:
        # Article 6 names in the Article 9 column only where no condition has them.
        tables[0] = (ARTICLE6, {k: v for k, v in _ARTICLE6_NAMES.items() if k not in ("a", "d")})
    if column == SCHEDULE1:
        tables[0] = (ARTICLE6, {})
    order = {column: 0}
    entries = [
        (pattern, scheme, code)
        for scheme, table in tables
        for code, patterns in table.items()
        for pattern in patterns
    ]
    entries.sort(key=lambda entry: (order.get(entry[1], 1), -len(entry[0])))
    return tuple(
        (re.compile(rf"(?:{pattern})(?![\w])", re.IGNORECASE), scheme, code)
        for pattern, scheme, code in entries
    )


def _name_at(line: str, position: int, column: str) -> tuple[int, str, str] | None:
    """(end, scheme, code) of the longest name starting at `position`, within the column's
    own scheme first."""
    best: tuple[int, str, str] | None = None
    best_rank = 2
    for pattern, scheme, code in _name_patterns(column):
        match = pattern.match(line, position)
        if match is None:
            continue
        rank = 0 if scheme == column else 1
        if best is None or rank < best_rank or (rank == best_rank and match.end() > best[0]):
            best, best_rank = (match.end(), scheme, code), rank
    return best


# --- titles: what a name beside a reference may say -------------------------------------------


@functools.cache
def title(scheme: str, code: str) -> str:
    """The item as the register writes it: "Article 6(1)(e) Public task"."""
    if scheme == ARTICLE6:
        basis = law.lawful_bases()[code]
        return f"{basis.article} {basis.name}"
    if scheme == ARTICLE9:
        condition = law.article9_conditions()[code]
        return f"{condition.article} {condition.name}"
    if scheme == SCHEDULE1:
        paragraph = law.schedule1_conditions()[code]
        return f"Schedule 1 Part {paragraph.part} paragraph {paragraph.paragraph} {paragraph.name}"
    return f"Article 10 {law.article10_bases()[code].name}"


_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    return [word.casefold() for word in _WORD.findall(text)]


# Words that join the words of a name and say nothing of their own: "Health and social care"
# only says "Health or social care" again.
_NEUTRAL = frozenset({"and", "or", "of", "the", "a", "an", "etc"})


@functools.cache
def _title_words(scheme: str, code: str) -> frozenset[str]:
    return frozenset(words(title(scheme, code)))


def only_restates(text: str, scheme: str, code: str) -> bool:
    """Whether every word of `text` is the start of a word of the item's title, so that
    leaving the text out loses nothing the title does not say: "Legit. Interest" beside
    Art 6(1)(f), "Health/Social Care" beside 9(2)(h).  "Legitimate interests" beside
    Art 6(1)(ea) (recognised legitimate interest) says more, and is kept."""
    found = [word for word in words(text) if word not in _NEUTRAL]
    if not found:
        return False
    known = _title_words(scheme, code)
    return all(
        word in known
        or (len(word) >= 3 and any(title_word.startswith(word) for title_word in known))
        for word in found
    )


# --- separators ------------------------------------------------------------------------------

_SEPARATOR = re.compile(r"\s*(?:;|,|/|\+|&|\band\b)\s*", re.IGNORECASE)
# What may stand between a reference and the words naming it: "Public task (Art 6(1)(e))",
# "Art 6(1)(f) Legit. Interest", "Legal obligation - Art 6(1)(c)", "Health/Social Care: 9(2)(h)".
_BESIDE = " \t()[]:-–—."
# Where the words naming a reference end: "Art 6(1)(b) Contract: we sell tickets".
_LABEL_END = re.compile(r"[;,/+&:()\[\]–—]|\s-\s|\s-$|\band\b", re.IGNORECASE)
# Words that join a name to the next ("Health/Social Care", "health and social care").
_NAME_JOIN = re.compile(r"\s*(?:/|&|\band\b|\bor\b)\s*$", re.IGNORECASE)


def _outside_brackets(line: str) -> list[bool]:
    """For each character, whether it stands outside round or square brackets."""
    if "(" not in line and "[" not in line:
        return [True] * len(line)
    depth = 0
    result = []
    for char in line:
        if char in "([":
            depth += 1
            result.append(False)
        elif char in ")]":
            result.append(False)
            depth = max(0, depth - 1)
        else:
            result.append(depth == 0)
    return result


def _separators(line: str, start: int, end: int, top: list[bool]) -> list[tuple[int, int]]:
    found = []
    for match in _SEPARATOR.finditer(line, start, end):
        text = match.group(0)
        if text and top[match.start() + len(text) - len(text.lstrip())]:
            found.append((match.start(), match.end()))
    return found


# --- reading a line -------------------------------------------------------------------------------


@dataclass
class _Item:
    start: int
    end: int
    scheme: str
    codes: tuple[str, ...]
    doubt: str = ""
    # A name that says more than the title ("Performance of a contract"): its words are kept
    # at the start of the explanation.
    says_more: bool = False


def _label_before(line: str, start: int, floor: int) -> int:
    """Where the words naming a reference that starts at `start` begin (== start if none)."""
    position = start
    while position > floor and line[position - 1] in _BESIDE:
        position -= 1
    chunk_start = floor
    for match in _LABEL_END.finditer(line, floor, position):
        chunk_start = match.end()
    return chunk_start if line[chunk_start:position].strip() else start


def _label_after(line: str, end: int, ceiling: int, scheme: str, code: str) -> int:
    """Where the words after a reference that only say its name again end (== end if none):
    the longest run up to a delimiter that only restates the title, so "Statutory and
    government purposes" after "Sch 1 para 6" is taken whole."""
    position = end
    while position < ceiling and line[position] in _BESIDE:
        position += 1
    best = end
    for match in [*_LABEL_END.finditer(line, position, ceiling), None]:
        chunk_end = match.start() if match is not None else ceiling
        if not only_restates(line[position:chunk_end], scheme, code):
            break
        best = chunk_end
        if match is not None and match.group(0).strip() in (";", ":", "(", ")", "[", "]"):
            break
    return best


def _take_labels(line: str, item: _Item, floor: int, ceiling: int) -> _Item:
    """The reference with the words beside it that only say its name again."""
    scheme, code = item.scheme, item.codes[-1]
    start, end = item.start, item.end
    begin = _label_before(line, start, floor)
    while begin < start and only_restates(line[begin:start], scheme, code):
        start = begin
        # "Health/Social Care": the name may be joined to more of itself.
        joined = _NAME_JOIN.search(line, floor, start)
        if joined is None or joined.start() <= floor:
            break
        earlier = _label_before(line, joined.start(), floor)
        if earlier < joined.start() and only_restates(line[earlier : joined.start()], scheme, code):
            begin = earlier
        else:
            break
    end = _label_after(line, end, ceiling, scheme, code)
    # A reference in brackets takes its brackets: "Legitimate interests (Art. 6(1)(f))".
    while True:
        before = line[floor:start].rstrip()
        after = line[end:ceiling].lstrip()
        if before.endswith("(") and after.startswith(")"):
            start = floor + len(before) - 1
            end = ceiling - len(after) + 1
            continue
        break
    return _Item(start, end, item.scheme, item.codes, item.doubt)


def _article10_code(line: str, end: int, ceiling: int, has_schedule1: bool) -> tuple[str, int]:
    """(code, end of the words naming it) for an "Article 10" at `end`; code "" when the line
    does not say which."""
    position = end
    while position < ceiling and line[position] in _BESIDE + ",":
        position += 1
    for code, pattern in _ARTICLE10_NAMES:
        match = pattern.match(line, position)
        if match is not None:
            return code, match.end()
    if has_schedule1:
        # DPA 2018 s.10(5): criminal offence data is authorised by law when a Schedule 1
        # condition is met.
        return "authorised_by_law", end
    return "", end


def _items(line: str, column: str) -> list[_Item]:
    top = _outside_brackets(line)
    references = _references(line, column)
    has_schedule1 = any(ref.scheme == SCHEDULE1 for ref in references)
    items: list[_Item] = []
    for index, ref in enumerate(references):
        floor = items[-1].end if items else 0
        ceiling = references[index + 1].start if index + 1 < len(references) else len(line)
        if ref.scheme == ARTICLE10:
            code, named_end = _article10_code(line, ref.end, ceiling, has_schedule1)
            if not code:
                continue  # "Article 10" alone: its words stay in the explanation
            item = _Item(ref.start, named_end, ARTICLE10, (code,))
        else:
            doubt = ""
            if ref.scheme == SCHEDULE1 and ref.part:
                wrong = [
                    c for c in ref.codes if str(law.schedule1_conditions()[c].part) != ref.part
                ]
                if wrong:
                    doubt = (
                        f"Part {ref.part} is written, but paragraph {wrong[0]} is in Part "
                        f"{law.schedule1_conditions()[wrong[0]].part}; the paragraph was taken"
                    )
            item = _Item(ref.start, ref.end, ref.scheme, ref.codes, doubt)
        items.append(_take_labels(line, item, floor, ceiling))
    # Names alone, where an item can start and no reference has taken the words.
    for position in _item_starts(line, top):
        while position < len(line) and line[position] in " \t(":
            position += 1
        if any(item.start <= position < item.end for item in items):
            continue
        found = _name_at(line, position, column)
        if found is None:
            continue
        end, scheme, code = found
        if any(position < item.end and item.start < end for item in items):
            continue
        beside = _reference_beside(line, position, end, items)
        if beside is not None and {scheme, beside.scheme} != {ARTICLE9, SCHEDULE1}:
            # A name beside a reference that means something else: the reference decides and
            # the name stays in the explanation, for the DPO to check.
            beside.doubt = beside.doubt or (
                f"“{line[position:end]}” is written beside "
                f"{title(beside.scheme, beside.codes[-1])}; the reference was taken"
            )
            continue
        if _starts_a_title(line, end):
            continue
        name_start = position
        # The name's words go into the title only when the title says every one of them.
        says_more = not only_restates(line[name_start:end], scheme, code)
        items.append(_Item(name_start, end, scheme, (code,), says_more=says_more))
    items.sort(key=lambda item: (item.start, item.end))
    return items


_STRONG = re.compile(r"[;/+&]")
_INTRODUCES = re.compile(r":|\s[-–—]\s|[–—]")


def _item_starts(line: str, top: list[bool]) -> list[int]:
    """Where a name may start an item: the start of the line and after each separator, but
    after a colon or a dash that introduces an explanation only after ; / + & ("Legal
    obligation: HMRC requires this, and consent is not needed" names one basis, not two).
    One pass over the line, however many separators it has."""
    marks = sorted(
        [(m.start(), False) for m in _STRONG.finditer(line) if top[m.start()]]
        + [(m.start(), True) for m in _INTRODUCES.finditer(line) if top[m.start()]]
    )
    starts = [0]
    introduced = False
    next_mark = 0
    for start, end in _separators(line, 0, len(line), top):
        while next_mark < len(marks) and marks[next_mark][0] < start:
            introduced = marks[next_mark][1]
            next_mark += 1
        if _STRONG.search(line, start, end) or not introduced:
            starts.append(end)
    return starts


def _reference_beside(line: str, start: int, end: int, items: list[_Item]) -> _Item | None:
    """The reference the words from `start` to `end` stand beside, if any."""
    for item in items:
        if item.start == item.end:
            continue
        if item.start >= end and not line[end : item.start].strip(_BESIDE):
            return item
        if item.end <= start and not line[item.end : start].strip(_BESIDE):
            return item
    return None


_CAPITAL_WORD = re.compile(r"\s+[A-Z][a-z]")


def _starts_a_title(line: str, end: int) -> bool:
    """A name followed by a capitalised word, in a line naming legislation: "Public Health
    Act 1984" is an Act, not the public health condition."""
    return bool(_CAPITAL_WORD.match(line, end)) and looks_like_legislation(line)


_TRIM_START = " \t:;,/+&-–—.)]"
_TRIM_END = " \t:;,/+&-–—(["
_LEADING_JOINERS = re.compile(r"^(?:(?:and|or)\b[\s,]*)+", re.IGNORECASE)
_TRAILING_JOINERS = re.compile(r"(?:[\s,]*\b(?:and|or))+$", re.IGNORECASE)


def tidy(text: str) -> str:
    """Text with the separators and joining words around it taken off, and the brackets
    round all of it: what the DPO wrote as the explanation."""
    previous = None
    while previous != text:
        previous = text
        text = text.lstrip(_TRIM_START).rstrip(_TRIM_END)
        text = _LEADING_JOINERS.sub("", text)
        text = _TRAILING_JOINERS.sub("", text)
        if text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
            text = text[1:-1]
    # Joining words alone ("with" in "Art 9(2)(b), with Sch 1 para 1") say nothing.
    return "" if set(words(text)) <= JOINERS else text.strip()


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if depth < 0:
            return False
    return depth == 0


_DASH_BEFORE = re.compile(r"^\s*[\-–—]")


@functools.lru_cache(maxsize=16_384)  # by line: the lines of law cells repeat down a register
def read_line(line: str, column: str) -> tuple[Found, ...]:
    """Every basis and condition `line` names, each with the words that stand with it; ()
    when it names none, or (never seen, but text is worth more than a guess) when the reading
    would lose a word: the caller then keeps the line whole."""
    items = _items(line, column)
    if not items:
        return ()
    found = _read_items(line, items)
    return () if _lost_words(line, items, list(found)) else found


def _read_items(line: str, items: list[_Item]) -> tuple[Found, ...]:
    """The items of a line with the text around them shared out as their explanations."""
    if not items:
        return ()
    top = _outside_brackets(line)
    # Split the text between items: after an item up to the last separator is its own; from
    # there to the next item is the next one's.
    before = ["" for _ in items]
    after = ["" for _ in items]
    before[0] = line[: items[0].start]
    for index in range(len(items) - 1):
        gap_start, gap_end = items[index].end, items[index + 1].start
        separators = _separators(line, gap_start, gap_end, top)
        cut = separators[-1][0] if separators else gap_end
        after[index] = line[gap_start:cut]
        before[index + 1] = line[cut:gap_end]
    after[-1] = line[items[-1].end :]
    found: list[Found] = []
    for index, item in enumerate(items):
        lead, tail = tidy(before[index]), tidy(after[index])
        if item.says_more:
            lead = " ".join(part for part in (lead, line[item.start : item.end]) if part)
        legislation = ""
        if item.scheme == ARTICLE6 and _is_legislation(after[index], tail):
            legislation, tail = tail, ""
        explanation = " ".join(part for part in (lead, tail) if part)
        for code in item.codes:
            found.append(Found(item.scheme, code, explanation, legislation, item.doubt))
    return tuple(found)


def unaccounted_words(line: str, column: str) -> list[str]:
    """The words of `line` that a reading of it would lose; [] by construction (the tests
    hold the reader to it on every cell they build)."""
    items = _items(line, column)
    if not items:
        return []  # a line that names nothing is kept whole
    return _lost_words(line, items, list(_read_items(line, items)))


_NAMES_AN_ACT = re.compile(
    r"\b(?:acts?|regulations?|order|rules|measure|directive|code of practice|"
    r"statutory instrument)\b",
    re.IGNORECASE,
)


def _is_legislation(written: str, tail: str) -> bool:
    """Whether the text after a basis is the legislation it rests on: after a dash, when it
    names an Act, regulations, guidance or a section ("Legal obligation - Children Act
    1989"); in brackets, when it names an Act or regulations ("Public task (Local Government
    Act 1972 s.111)", but not "(LIA completed 2023)")."""
    if not tail or len(tail) > 200:
        return False
    stripped = written.strip()
    if _DASH_BEFORE.match(stripped):
        return looks_like_legislation(tail)
    if stripped.startswith("(") and stripped.endswith(")"):
        return bool(_NAMES_AN_ACT.search(tail))
    return False


def _lost_words(line: str, items: list[_Item], found: list[Found]) -> list[str]:
    """Words of the line in no explanation or legislation, nor in an item's span that only
    restates its title or names the law it is in."""
    kept = " ".join(f"{entry.explanation} {entry.legislation}" for entry in found)
    spans: set[str] = set()
    titles: set[str] = set()
    for item in items:
        spans.update(words(line[item.start : item.end]))
        for code in item.codes:
            titles.update(_title_words(item.scheme, code))
    available = set(words(kept)) | JOINERS | _NEUTRAL
    lost = []
    for word in words(line):
        if word in available:
            continue
        if word not in spans:
            lost.append(word)
            continue
        bare = word.strip("0123456789")
        if bare in INSTRUMENT_WORDS or len(bare) <= 2:
            continue
        if not any(known.startswith(word) for known in titles):
            lost.append(word)
    return lost
