"""Forms of company ticket bundles: parse input only; the rules live in events/services/bundles.py."""

from django import forms

from events.models import TicketType
from events.services.bundles import BUNDLE_MAX_TICKETS
from portal.core.money import format_money
from portal.core.text import validate_plain_text
from portal.payments.models import PAYER_METHOD_CHOICES, PaymentMethod


class BundleForm(forms.Form):
    """Which organisation buys how many tickets of which type, who receives the invoice, how it pays."""

    organization = forms.ModelChoiceField(queryset=None, label="Organisation", empty_label=None)
    ticket_type = forms.ModelChoiceField(queryset=None, label="Ticket", empty_label=None)
    quantity = forms.IntegerField(
        label="Number of tickets",
        min_value=1,
        max_value=BUNDLE_MAX_TICKETS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    buyer_name = forms.CharField(
        validators=[validate_plain_text],
        max_length=200,
        label="Your name",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    buyer_email = forms.EmailField(
        label="Invoice and receipt go to", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    billing_address = forms.CharField(required=False, label="Billing address", widget=forms.Textarea(attrs={"rows": 3}))
    billing_vat_id = forms.CharField(max_length=40, required=False, label="VAT number")
    payment_method = forms.ChoiceField(
        label="Pay by", choices=PAYER_METHOD_CHOICES, initial=PaymentMethod.CARD, widget=forms.RadioSelect
    )

    def __init__(self, *args, organizations, ticket_types: list[TicketType], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["ticket_type"].queryset = TicketType.objects.filter(pk__in=[tt.pk for tt in ticket_types])
        prices = {tt.pk: tt for tt in ticket_types}
        # The page's event's types, with their price and seats left as the page read them (no query each).
        self.fields["ticket_type"].label_from_instance = lambda tt: _ticket_label(prices.get(tt.pk, tt))

    def billing(self) -> dict:
        return {"address": self.cleaned_data["billing_address"], "vat_id": self.cleaned_data["billing_vat_id"]}


def _ticket_label(ticket_type: TicketType) -> str:
    left = getattr(ticket_type, "available", None)
    seats = f" ({left} left)" if left is not None else ""
    return f"{ticket_type.name}: {format_money(ticket_type.price, ticket_type.event.currency)} each{seats}"


class AssignForm(forms.Form):
    """The attendee of one ticket of a bundle: their ticket goes to this address."""

    attendee_name = forms.CharField(validators=[validate_plain_text], max_length=200, label="Attendee's name")
    attendee_email = forms.EmailField(label="Attendee's e-mail")
    company = forms.CharField(validators=[validate_plain_text], max_length=200, required=False, label="Company")
    job_title = forms.CharField(
        validators=[validate_plain_text], max_length=200, required=False, label="Job title (badge)"
    )
