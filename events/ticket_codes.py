"""Short ticket codes a person can read aloud and type: 8 characters of Crockford's base32.

The QR code carries the ticket's long, unguessable code; the short code printed under it is for
the door when a scan fails. Crockford's alphabet leaves out I, L, O and U, and reading a typed code
folds case and maps the look-alikes (O to 0, I and L to 1), so "7kq4-m2xp" is "7KQ4M2XP".
"""

import secrets

from django.db.models import Q

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_short_code() -> str:
    """Eight random characters (40 bits): collisions are refused by the column's unique index."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_short_code(code: str) -> str:
    """`7KQ4M2XP` as `7KQ4-M2XP`: two groups of four are easier to read out."""
    return f"{code[:4]}-{code[4:]}" if len(code) == LENGTH else code


def normalize_short_code(text: str) -> str | None:
    """The stored form of a typed short code (any case, dashes and spaces ignored), or None if it is not one."""
    cleaned = "".join(char for char in (text or "").upper() if char not in " -").translate(_LOOK_ALIKES)
    if len(cleaned) != LENGTH or any(char not in ALPHABET for char in cleaned):
        return None
    return cleaned


def ticket_code_q(text: str) -> Q:
    """Tickets whose QR code is exactly `text`, or whose short code `text` spells."""
    text = (text or "").strip()
    query = Q(code=text)
    short = normalize_short_code(text)
    if short:
        query |= Q(short_code=short)
    return query
