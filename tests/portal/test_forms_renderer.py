"""The form renderer writes inputs and error lists itself: the markup must be Django's, byte for byte."""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from portal.core.forms_renderer import FormRenderer


class EveryInput(forms.Form):
    name = forms.CharField(
        max_length=20, help_text="As on your passport", widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(required=False)
    seats = forms.IntegerField(
        min_value=0, max_value=5, widget=forms.NumberInput(attrs={"inputmode": "numeric", "max": 3})
    )
    agree = forms.BooleanField(required=True)
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    when = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date", "data-flag": True, "data-off": False})
    )
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)


def _render_all(form) -> list[str]:
    out = [str(form[name]) for name in form.fields]
    out += [str(form[name].errors) for name in form.fields]
    out.append(str(form.non_field_errors()))
    return out


def _pair(data=None, initial=None):
    renderer = FormRenderer()
    ours = EveryInput(data, initial=initial, renderer=renderer)
    django = EveryInput(data, initial=initial, renderer=DjangoTemplates())
    result = _render_all(ours), _render_all(django)
    # Written directly, not through the fallback: every shape it met agreed with the template.
    assert renderer._checked and all(renderer._checked.values()), renderer._checked
    return result


def test_unbound_bound_valid_and_invalid_forms_render_exactly_as_with_djangos_templates():
    hostile = '"><script>alert(1)</script>&amp;'
    cases = [
        {},
        {"data": {"name": hostile, "email": "not an e-mail", "seats": "9", "token": hostile, "secret": hostile}},
        {"data": {"name": "Ada", "email": "ada@example.org", "seats": "2", "agree": "on", "when": "2027-05-04"}},
        {"initial": {"name": mark_safe("<b>safe</b>"), "seats": 0, "agree": True}},
    ]
    for case in cases:
        ours, django = _pair(**case)
        assert ours == django
    # The invalid case really rendered error lists and escaped values.
    ours, _ = _pair(data=cases[1]["data"])
    assert any('<ul class="errorlist"' in html for html in ours)
    assert not any("<script>" in html for html in ours)


def test_a_renderer_that_disagrees_with_the_template_falls_back_to_it(monkeypatch):
    from portal.core import forms_renderer

    renderer = FormRenderer()
    monkeypatch.setattr(forms_renderer, "render_input", lambda widget: "<input wrong>")
    html = str(EveryInput(renderer=renderer)["name"])
    assert html.startswith('<input type="text" name="name"')


class EverySelect(forms.Form):
    country = forms.ChoiceField(
        required=False,
        choices=[("", "—"), ("BE", "Belgium"), ("FR", 'France <&> "Outre-mer"')],
        widget=forms.Select(attrs={"autocomplete": "country", "data-flag": True, "data-off": False}),
    )
    grouped = forms.ChoiceField(
        choices=[
            ("Europe", [("BE", "Belgium"), ("DE", "Germany")]),
            ("Elsewhere", [("US", "United States")]),
            ("", "—"),
        ]
    )
    several = forms.MultipleChoiceField(required=False, choices=[("1", "One"), ("2", "Two"), ("3", "Three")])
    number = forms.TypedChoiceField(coerce=int, choices=[(1, "One"), (2, "Two")], initial=2)


def test_selects_with_groups_several_values_and_hostile_labels_render_exactly_as_with_djangos_templates():
    cases = [
        {},
        {"data": {"country": "FR", "grouped": "DE", "several": ["1", "3"], "number": "1"}},
        {"data": {"country": '"><script>', "grouped": "XX", "number": "7"}},
    ]
    for case in cases:
        renderer = FormRenderer()
        ours = [str(EverySelect(renderer=renderer, **case)[name]) for name in EverySelect.base_fields]
        django = [str(EverySelect(renderer=DjangoTemplates(), **case)[name]) for name in EverySelect.base_fields]
        assert ours == django
        assert renderer._checked and all(renderer._checked.values()), renderer._checked
        assert any(shape[0].endswith("select.html") for shape in renderer._checked)
    chosen = str(EverySelect({"country": "FR", "grouped": "DE"}, renderer=FormRenderer())["country"])
    assert '<option value="FR" selected>France &lt;&amp;&gt; &quot;Outre-mer&quot;</option>' in chosen
