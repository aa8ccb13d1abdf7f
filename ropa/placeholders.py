"""Whether a piece of text is a template's placeholder rather than somebody's answer.

Registers are often started from a template: a tool's ("{{ platform_name }} Ltd",
"{{ dpo_name }}") or the ICO's own, whose Example sheet shows "Street, city, postcode",
"Email address" and "Tel. number" where the organisation's details go.  Left in place, such
text is not the organisation's name or contact details, and saying it is would be untrue:
the checks treat it as missing and the notice does not print it.  One function decides, so
the checks, the notice and the import cannot disagree about what a placeholder is.
"""

from __future__ import annotations

import re

# A template variable left unfilled, anywhere in the text: Jinja or Mustache "{{ name }}",
# a Jinja statement "{% if %}", a mail-merge field "«Name»" or "<<Name>>", "${name}".
_TEMPLATE_VARIABLE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|«[^»]+»|<<[^<>]+>>|\$\{[^}]+\}")

# Whole texts that only say what belongs in the cell.  The ICO's Article 30 templates (their
# Example sheets, cells B3 to D6) fill the organisation and DPO blocks with these sample
# words; the labels themselves ("Name", "Address") are what a template prints beside the
# cell.  Compared case-insensitively, with spacing and a closing full stop ignored.
_PROMPT_WORDS = frozenset(
    {
        "example controller",
        "example processor",
        "example organisation",
        "example organization",
        "example dpo",
        "example representative",
        "street, city, postcode",
        "email address",
        "e-mail address",
        "tel. number",
        "tel number",
        "telephone number",
        "phone number",
        "name",
        "address",
        "email",
        "e-mail",
        "telephone",
        "name and contact details",
        "organisation name",
        "organization name",
        "company name",
        "dpo name",
    }
)


def template_marker(text: str) -> str | None:
    """The first unfilled template variable in the text ("{{ dpo_name }}"), or None."""
    found = _TEMPLATE_VARIABLE.search(text)
    return found.group(0) if found else None


def is_prompt_wording(text: str) -> bool:
    """Whether the whole text is only the words a template shows where the answer goes."""
    return " ".join(text.split()).rstrip(".").casefold() in _PROMPT_WORDS


def is_placeholder(text: str) -> bool:
    """True when `text` is a template's placeholder (an unfilled template variable, or only
    the words a template shows where the answer goes), not an answer.  Empty text is not a
    placeholder: it is simply empty."""
    return template_marker(text) is not None or is_prompt_wording(text)
