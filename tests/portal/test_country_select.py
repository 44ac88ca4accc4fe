"""The country select writes its options once per list, in exactly Django's select.html markup."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.translation import override

from portal.core.countries import CountryChoiceField


class _Billing(forms.Form):
    country = CountryChoiceField(required=False, autocomplete="country")
    chosen = CountryChoiceField(label="Where", blank_label="Choose a country")


def _as_django_renders_it(field: forms.BoundField) -> str:
    """The same widget rendered by Django's own Select, through the select templates."""
    widget = forms.Select(choices=field.field.choices, attrs=field.field.widget.attrs)
    return widget.render(
        field.html_name,
        field.value(),
        attrs=field.build_widget_attrs({}) | {"id": field.auto_id},
        renderer=DjangoTemplates(),
    )


@pytest.mark.parametrize(
    "data",
    [
        None,  # unbound: the blank choice is selected
        {"country": "", "chosen": ""},
        {"country": "FR", "chosen": "DE"},
        {"country": "BE", "chosen": "not a country"},  # an unknown value selects nothing
        {"country": '"><script>', "chosen": "US"},
    ],
)
def test_the_markup_is_djangos_byte_for_byte(data):
    form = _Billing(data=data) if data is not None else _Billing()
    for name in ("country", "chosen"):
        assert str(form[name]) == _as_django_renders_it(form[name])


def test_the_chosen_country_is_selected_once_and_labels_follow_the_language():
    html = str(_Billing(data={"country": "FR", "chosen": "FR"})["country"])
    assert html.count(" selected") == 1
    assert '<option value="FR" selected>France</option>' in html
    assert 'autocomplete="country"' in html
    with override("fr"):
        french = str(_Billing(data={"country": "DE", "chosen": "DE"})["country"])
    assert '<option value="DE" selected>Allemagne</option>' in french
    assert '<option value="DE" selected>Germany</option>' in str(_Billing(data={"country": "DE"})["country"])
