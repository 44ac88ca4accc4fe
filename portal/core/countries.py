"""Countries as people write them (an English name) and as tools do (an ISO 3166-1 alpha-2 code).

Organisations and events store the country as typed, usually its English name; the API shows the code
beside it and its filters take either.
"""

from __future__ import annotations

from collections.abc import Iterable

from django_countries import countries


def country_code(value: str | None) -> str:
    """The ISO 3166-1 alpha-2 code of a country given by that code or its English name (any case), else ""."""
    value = (value or "").strip()
    if len(value) == 2:
        code = value.upper()
        return code if code in dict(countries) else ""
    if not value:
        return ""
    return countries.by_name(value, insensitive=True) or ""


def stored_values_for(wanted: str, stored: Iterable[str]) -> list[str]:
    """Which of the `stored` spellings mean the country `wanted` (a code or a name).

    A value that is no known country matches the stored text that equals it, ignoring case, so a country
    typed in an unusual way can still be found.
    """
    code = country_code(wanted)
    if code:
        return [value for value in stored if country_code(value) == code]
    return [value for value in stored if value.strip().casefold() == wanted.strip().casefold()]
