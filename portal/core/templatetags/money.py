"""`{{ amount|money:currency }}` in every template: the one way an amount is shown ("1,198.40 EUR")."""

from django import template

from portal.core.money import format_money

register = template.Library()


@register.filter
def money(value, currency: str = "") -> str:
    """An amount with its currency's decimals and code, kept on one line; empty for no amount."""
    if value is None or value == "":
        return ""
    return format_money(value, currency, nbsp=True)
