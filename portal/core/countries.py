"""Countries as people write them (an English name) and as tools do (an ISO 3166-1 alpha-2 code).

Organisations and events store the country as typed, usually its English name; the API shows the code
beside it and its filters take either.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from functools import cache

from django import forms
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, override
from django_countries import countries

from portal.core.forms_renderer import attrs_text, escape_text, value_text


def country_code(value: str | None) -> str:
    """The ISO 3166-1 alpha-2 code of a country given by that code or its English name (any case), else ""."""
    value = (value or "").strip()
    if len(value) == 2:
        code = value.upper()
        return code if code in countries else ""
    if not value:
        return ""
    return _codes_by_english_name().get(value.lower(), "")


@cache
def _codes_by_english_name() -> dict[str, str]:
    # What `countries.by_name(value)` answers, built once: it translates and compares every name on each
    # call (about 5 ms, and the order path asks several times per order). The first name wins, as there.
    names: dict[str, str] = {}
    with override("en"):
        for code, entry in countries.countries.items():
            listed = entry.get("names", [entry.get("name")]) if isinstance(entry, dict) else [entry]
            for name in [*listed, *countries.shadowed_names.get(code, [])]:
                names.setdefault(str(name).lower(), code)
    return names


@cache
def _choices(blank_label: str, language: str | None) -> list[tuple[str, str]]:
    return [("", blank_label), *countries]


class CountrySelect(forms.Select):
    """A select whose copies share its choices (a copied Select re-checks every choice, about 1 ms), and
    whose ~250 options are written once per list: Django builds a dict and renders a template per option
    on every render (about 3 ms a page). The markup is Django's select.html, byte for byte (a test
    compares them)."""

    def __deepcopy__(self, memo):
        result = copy.copy(self)
        result.attrs = self.attrs.copy()
        memo[id(self)] = result
        return result

    def render(self, name, value, attrs=None, renderer=None):
        wanted = self.format_value(value)
        parts = [f'<select name="{escape_text(name)}"{attrs_text(self.build_attrs(self.attrs, attrs))}>']
        selected = False
        for option_value, opening, rest in _options_markup(self.choices):
            if not selected and option_value in wanted:
                selected = True
                parts.append(f"{opening} selected{rest}")
            else:
                parts.append(f"{opening}{rest}")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped


# id(choices) → (the list itself, which keeps the id from being reused, and its options' markup)
_MARKUP: dict[int, tuple[list, list[tuple[str, str, str]]]] = {}


def _options_markup(choices) -> list[tuple[str, str, str]]:
    """Per option: its value as compared, `<option value="…"` and `>label</option>`."""
    found = _MARKUP.get(id(choices))
    if found is not None and found[0] is choices:
        return found[1]
    markup = [
        (str(value), f'\n  <option value="{value_text(value)}"', f">{escape_text(label)}</option>\n")
        for value, label in choices
    ]
    if isinstance(choices, list):  # the shared lists of _choices; anything else is written each time
        _MARKUP[id(choices)] = (choices, markup)
    return markup


class CountryChoiceField(forms.ChoiceField):
    """A choice of country (its code), in the language of the request, with a blank choice first.

    Every form copies its fields, and a copied ChoiceField deep-copies its ~250 choices (about 2 ms a
    form); here each copy takes the one list of its language instead, which nothing changes in place.
    `autocomplete="country"` where the country asked is the person's own (a billing address).
    """

    def __init__(self, *, blank_label: str = "—", autocomplete: str = "", **kwargs):
        self.blank_label = blank_label
        kwargs.setdefault("widget", CountrySelect(attrs={"autocomplete": autocomplete} if autocomplete else None))
        super().__init__(choices=_choices(blank_label, get_language()), **kwargs)

    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = result.widget._choices = _choices(self.blank_label, get_language())
        return result


@receiver(setting_changed)
def _forget_names(*, setting: str, **kwargs) -> None:
    if setting.startswith("COUNTRIES_"):
        _codes_by_english_name.cache_clear()
        _choices.cache_clear()
        _MARKUP.clear()


def stored_values_for(wanted: str, stored: Iterable[str]) -> list[str]:
    """Which of the `stored` spellings mean the country `wanted` (a code or a name).

    A value that is no known country matches the stored text that equals it, ignoring case, so a country
    typed in an unusual way can still be found.
    """
    code = country_code(wanted)
    if code:
        return [value for value in stored if country_code(value) == code]
    return [value for value in stored if value.strip().casefold() == wanted.strip().casefold()]
