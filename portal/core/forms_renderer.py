"""Django's form renderer, with the templates every form field renders drawn in Python.

Each <input> and each error list (usually empty) is a template render of its own: about a fifth
of a form page's CPU; a <select> includes one template per option, so a country list (250 options)
cost more than the rest of the order page together. Here they are written directly, in exactly the
markup of Django's django/forms/widgets/input.html (and the widgets that only include it),
select.html with select_option.html, and errors/list/*.html.
Each template name is checked once per process against the template itself, on its first render;
if they differ (a new Django, or an app overriding the template) that template renders as usual.

Worth keeping: the sign-up page (four inputs) through the test client, 40 requests a round, 7 and
11 rounds alternating with Django's DjangoTemplates renderer, took 18 % and 23 % longer (median)
with Django's (measured on the 2-core development machine under a load average of about 10).
"""

import html

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe

WIDGETS = "django/forms/widgets/"
# The widget templates that are `{% include "django/forms/widgets/input.html" %}` and nothing else.
INPUT_TEMPLATES = frozenset(
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "email",
        "number",
        "hidden",
        "password",
        "url",
        "tel",
        "search",
        "date",
        "datetime",
        "time",
        "color",
        "checkbox",
    )
)
SELECTS = frozenset({f"{WIDGETS}select.html"})
OPTION = f"{WIDGETS}select_option.html"
ERROR_LISTS = frozenset({"django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"})


def escape_text(text) -> str:
    # django.utils.html.conditional_escape, less its lazy-string wrapper (which cost more than the
    # escaping itself: a country list is 500 calls).
    if isinstance(text, Promise):
        text = str(text)
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


def value_text(value) -> str:
    # `{{ value|stringformat:'s' }}` under autoescape: str(), escaped unless already safe.
    return escape_text(value) if hasattr(value, "__html__") else escape_text(str(value))


def attrs_text(attrs: dict) -> str:
    # django/forms/widgets/attrs.html: True is a bare name, False is left out.
    return "".join(
        f" {escape_text(name)}" if value is True else f' {escape_text(name)}="{value_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def render_input(widget: dict) -> SafeString:
    parts = [f'<input type="{escape_text(widget["type"])}" name="{escape_text(widget["name"])}"']
    if widget["value"] is not None:
        parts.append(f' value="{value_text(widget["value"])}"')
    parts.append(attrs_text(widget["attrs"]))
    parts.append(">")
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


def render_select(widget: dict) -> SafeString | None:
    """select.html; None when an option has a template of its own (it renders as usual)."""
    parts = [f'<select name="{escape_text(widget["name"])}"{attrs_text(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{escape_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                return None
            parts.append(
                f'\n  <option value="{value_text(option["value"])}"{attrs_text(option["attrs"])}>'
                f"{escape_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


def render_errors(errors) -> SafeString:
    if not errors:
        return mark_safe("")
    field_id = getattr(errors, "field_id", None)
    opening = f'<ul class="{escape_text(errors.error_class)}"'
    if field_id:
        opening += f' id="{escape_text(field_id)}_error"'
    items = "".join(f"<li>{escape_text(error)}</li>" for error in errors)
    return mark_safe(f"{opening}>{items}</ul>")  # noqa: S308 - escaped above


def _shape(template_name: str, context: dict) -> bool:
    widget = context.get("widget")
    if widget is None:
        return bool(context.get("errors"))
    if template_name in SELECTS:
        return any(group_name for group_name, _choices, _index in widget["optgroups"])
    return widget["value"] is None


class FormRenderer(DjangoTemplates):
    def __init__(self):
        super().__init__()
        self._checked: dict[tuple[str, bool], bool] = {}

    def render(self, template_name, context, request=None):
        direct = self._direct(template_name, context)
        if direct is not None:
            # Checked once per template and shape (an input with or without a value, a select with or
            # without groups, errors or none).
            shape = (template_name, _shape(template_name, context))
            verdict = self._checked.get(shape)
            if verdict is None:
                verdict = self._checked[shape] = direct == super().render(template_name, context, request)
            if verdict:
                return direct
        return super().render(template_name, context, request)

    @staticmethod
    def _direct(template_name: str, context: dict) -> str | None:
        if template_name in INPUT_TEMPLATES and "widget" in context:
            return render_input(context["widget"])  # the renderer strips the templates' newlines too
        if template_name in SELECTS and "widget" in context:
            return render_select(context["widget"])
        if template_name in ERROR_LISTS and "errors" in context:
            return render_errors(context["errors"])
        return None
