"""Making hostile text harmless where it is shown, without changing what is stored.

The register keeps text exactly as it was typed or imported.  Each output escapes it in its
own way (HTML escaping in notices, quote prefixes in spreadsheets); this module holds what
is shared: text for a terminal, and bidirectional controls that must not run past the end
of the value they came in.
"""

from __future__ import annotations

import re

# Explicit embeddings and overrides end with PDF (U+202C); isolates with PDI (U+2069).
_EMBEDDINGS = "\u202a\u202b\u202d\u202e"
_ISOLATES = "\u2066\u2067\u2068"
_POP_EMBEDDING = "\u202c"
_POP_ISOLATE = "\u2069"
_BIDI_CONTROLS = "\u061c\u200e\u200f" + _EMBEDDINGS + _ISOLATES + _POP_EMBEDDING + _POP_ISOLATE
# C0 and C1 controls (tab kept), DEL, the bidi controls, and the line and paragraph
# separators a terminal would act on.
_UNSAFE_FOR_TERMINAL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029" + _BIDI_CONTROLS + "]")
TERMINAL_LIMIT = 2_000


def for_terminal(text: str, limit: int = TERMINAL_LIMIT) -> str:
    """One line that a terminal shows as it is: controls appear as visible escapes (\\x1b,
    \\u202e), never act, and very long text is cut short with a note of its length."""
    if len(text) > limit:
        text = f"{text[:limit]}\u2026 ({len(text):,} characters in all)"
    return _UNSAFE_FOR_TERMINAL.sub(_visible_escape, text)


def balance_bidi(text: str) -> str:
    """Close any right-to-left (or left-to-right) override or isolate the text leaves open,
    so that it cannot reverse the words that follow it in an output."""
    open_embeddings = 0
    open_isolates = 0
    for character in text:
        if character in _EMBEDDINGS:
            open_embeddings += 1
        elif character == _POP_EMBEDDING:
            open_embeddings = max(open_embeddings - 1, 0)
        elif character in _ISOLATES:
            open_isolates += 1
        elif character == _POP_ISOLATE:
            open_isolates = max(open_isolates - 1, 0)
    return text + _POP_EMBEDDING * open_embeddings + _POP_ISOLATE * open_isolates


def _visible_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
