"""A package's contract terms: staff write text with named placeholders, filled by plain substitution.

Never Django template rendering: the terms are staff text printed in a contract, so `{{ settings }}` or
`{% debug %}` in them is printed as typed, and a value (a sponsor's legal name) is inserted once, never
read again for placeholders. A placeholder the portal does not know is refused when the terms are saved.
"""

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError

PLACEHOLDERS = {
    "sponsor_legal_name": "the sponsor's legal name, as on the invoice (its name when none is given)",
    "package": "the package's name",
    "price": "the package's price with its currency",
    "event": "the event's name",
    "dates": "the event's dates, in its time zone",
}
# One name between single braces; `{{ x }}` (with spaces) and `{% x %}` are not placeholders.
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

HELP_TEXT = (
    "The sponsorship contract's terms, printed below the parties and the price. Placeholders, filled in "
    "when the contract is generated at approval: "
    + ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    + ". Empty: the package has no contract to sign."
)


def unknown_placeholders(text: str) -> list[str]:
    """The placeholders in `text` the portal cannot fill, each once, in the order they appear."""
    found = [match.group(1) for match in PLACEHOLDER.finditer(text or "")]
    return list(dict.fromkeys(name for name in found if name not in PLACEHOLDERS))


def validate_contract_terms(text: str) -> None:
    """Terms may use only the known placeholders; an unknown one is named so staff can fix the typo."""
    unknown = unknown_placeholders(text)
    if unknown:
        known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        raise ValidationError(
            "Unknown placeholder%(plural)s %(unknown)s. The contract can fill only %(known)s.",
            code="unknown_placeholder",
            params={
                "plural": "s" if len(unknown) > 1 else "",
                "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                "known": known,
            },
        )


def fill_contract_terms(text: str, values: Mapping[str, str]) -> str:
    """Each known placeholder replaced by its value in one pass; anything else stays as written."""
    return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), text or "")
