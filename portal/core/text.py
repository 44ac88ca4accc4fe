"""Names people type are plain text: no character that reorders, hides or controls what is shown.

    from portal.core.text import validate_plain_text
    name = models.CharField(max_length=200, validators=[validate_plain_text])

A right-to-left override (U+202E) makes "Acme‮gpj.exe" read as "Acmeexe.jpg" in a page, a title, an
e-mail subject or a spreadsheet; other control and format characters hide text or break layouts.
Refused: the bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) and every other
character of Unicode category Cc or Cf, except ordinary whitespace (space, tab, newline, carriage
return) and the joiners that scripts need to be spelled right (U+200C, U+200D).
"""

import unicodedata

from django.core.exceptions import ValidationError

BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c",
)
ALLOWED_CONTROLS = frozenset(" \t\n\r\u200c\u200d")


def forbidden_character(text: str) -> str | None:
    """The first character of `text` that plain text may not hold, or None."""
    for character in text:
        if character in ALLOWED_CONTROLS:
            continue
        if character in BIDI_CONTROLS or unicodedata.category(character) in ("Cc", "Cf"):
            return character
    return None


def validate_plain_text(value) -> None:
    """Refuses bidi controls and other control or format characters, naming the one found."""
    if not isinstance(value, str):
        return
    found = forbidden_character(value)
    if found is None:
        return
    raise ValidationError(
        "This text contains an invisible control character (%(character)s); please remove it.",
        code="control_character",
        params={"character": f"U+{ord(found):04X} {unicodedata.name(found, '')}".strip()},
    )
