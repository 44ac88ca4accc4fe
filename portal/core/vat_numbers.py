"""VAT numbers: the name each country gives them, an offline check of format and check digit, and VIES.

The offline check is python-stdnum's (each member state's format and check digit). The online check against the
European Commission's VIES runs only when VIES_CHECK is on; a number it cannot confirm is treated as
unconfirmed, so tax is charged and the sale goes on.
"""

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from stdnum.eu import vat as stdnum_vat

# Member states of the EU VAT area, by their ISO code (Greece's VAT prefix is EL, Northern Ireland's XI).
EU_COUNTRIES = frozenset("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())
VAT_PREFIX = {"GR": "EL"}
_PREFIXES = frozenset(VAT_PREFIX.get(country, country) for country in EU_COUNTRIES) | {"XI"}

LABELS = {
    "AT": "UID-Nummer",
    "BE": "BTW-nummer / numéro de TVA",
    "CH": "UID / MWST-Nummer",
    "DE": "USt-IdNr.",
    "ES": "NIF-IVA",
    "FR": "TVA intracommunautaire",
    "GB": "VAT registration number",
    "IT": "Partita IVA",
    "LU": "Numéro d'identification à la TVA",
    "NL": "btw-identificatienummer",
    "PL": "NIP",
    "PT": "NIF",
    "SE": "Momsregistreringsnummer",
}


@dataclass(frozen=True)
class VatCheck:
    """What we know of a buyer's VAT number: `valid` only when it may be relied on for a reverse charge."""

    number: str  # compact, with its country prefix
    country: str  # ISO code of the country it belongs to
    valid: bool
    message: str
    consultation: str = ""  # VIES's consultation number, kept as proof of the check


def label(country: str) -> str:
    """What the buyer's country calls a VAT number ("USt-IdNr." in Germany), "VAT ID" elsewhere."""
    return LABELS.get((country or "").upper(), "VAT ID")


def compact(number: str) -> str:
    """Upper case, without spaces, dots, dashes or slashes."""
    return re.sub(r"[\s.\-/]", "", number or "").upper()


def _split(number: str, country: str) -> tuple[str, str]:
    """(VAT prefix, national part) of a number written with or without its prefix."""
    prefix = VAT_PREFIX.get(country, country)
    if number[:2].isalpha() and number[:2] in _PREFIXES:
        return number[:2], number[2:]
    return prefix, number


def _offline_valid(prefix: str, rest: str) -> bool:
    return bool(stdnum_vat.is_valid(prefix + rest))


def vat_number_check(number: str, country: str, *, online: bool | None = None) -> VatCheck:
    """Check a number for `country` (ISO code): offline format and check digit, then VIES when VIES_CHECK is on.

    An unreachable or unconfirming VIES makes the number unconfirmed (tax is charged), never an error.
    """
    country = (country or "").upper()
    text = compact(number)
    if not text:
        return VatCheck("", country, False, "No VAT number given.")
    prefix, rest = _split(text, country)
    owner = "GR" if prefix == "EL" else prefix
    full = prefix + rest
    if owner not in EU_COUNTRIES:
        return VatCheck(full, owner, False, "Only EU VAT numbers can be checked; VAT is charged.")
    if country and owner != country:
        return VatCheck(full, owner, False, f"This VAT number belongs to another country than {country}.")
    if not _offline_valid(prefix, rest):
        return VatCheck(full, owner, False, f"{full} is not a valid {label(owner)}: VAT is charged.")
    if not (settings.VIES_CHECK if online is None else online):
        return VatCheck(full, owner, True, f"{full}: format and check digit are valid.")
    answer = vies_lookup(prefix, rest)
    if answer is None:
        return VatCheck(full, owner, False, "The EU's VIES service could not be reached: VAT is charged.")
    valid, consultation = answer
    if not valid:
        return VatCheck(full, owner, False, f"VIES does not know {full}: VAT is charged.", consultation)
    return VatCheck(full, owner, True, f"{full} confirmed by VIES ({consultation}).", consultation)


def vies_lookup(prefix: str, rest: str) -> tuple[bool, str] | None:
    """Ask VIES (its REST API) whether a number is registered: (valid, consultation number), None if it cannot say."""
    requester = compact(settings.INVOICE_SELLER.get("vat_id", ""))
    body = {"countryCode": prefix, "vatNumber": rest}
    if requester[:2].isalpha() and len(requester) > 2:
        body |= {"requesterMemberStateCode": requester[:2], "requesterNumber": requester[2:]}
    request = urllib.request.Request(  # noqa: S310 - the URL comes from settings, https in production
        settings.VIES_URL, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.VIES_TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = json.loads(response.read())
    except (urllib.error.URLError, TimeoutError, ValueError, OSError):
        return None
    if (
        not isinstance(answer, dict)
        or "valid" not in answer
        or answer.get("userError") not in (None, "VALID", "INVALID")
    ):
        return None
    return bool(answer["valid"]), str(answer.get("requestIdentifier") or "")
