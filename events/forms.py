"""Registration forms: parse input only; the rules live in events/services.py."""

import json

from django import forms

from events.models import TicketType
from portal.core import vat_numbers
from portal.core.countries import CountryChoiceField
from portal.core.text import validate_plain_text
from portal.payments.models import PAYER_METHOD_CHOICES


class TicketChoiceForm(forms.Form):
    """Step 1: how many of each ticket type, and a promo code (a GET form: no cookie, no token)."""

    promo_code = forms.CharField(required=False, max_length=40, label="Promo code")

    def __init__(self, *args, ticket_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket_types = list(ticket_types)
        for ticket_type in self.ticket_types:
            # Seats left are known on the choice page only (selectors.ticket_types_on_sale).
            limit = min(ticket_type.max_per_order, getattr(ticket_type, "available", ticket_type.max_per_order))
            self.fields[f"qty_{ticket_type.pk}"] = forms.IntegerField(
                label=ticket_type.name,
                min_value=0,
                max_value=ticket_type.max_per_order,
                initial=0,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "max": limit, "min": 0}),
            )

    def quantity_fields(self):
        return [(ticket_type, self[f"qty_{ticket_type.pk}"]) for ticket_type in self.ticket_types]

    def quantities(self) -> dict[int, int]:
        data = self.cleaned_data
        return {tt.pk: data.get(f"qty_{tt.pk}") or 0 for tt in self.ticket_types if data.get(f"qty_{tt.pk}")}


class OrderDetailsForm(forms.Form):
    """Step 2: who buys, who attends (or "name later"), billing details, the code of conduct."""

    buyer_name = forms.CharField(
        validators=[validate_plain_text],
        max_length=200,
        label="Your name",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    buyer_email = forms.EmailField(label="Your e-mail", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    billing_company = forms.CharField(
        validators=[validate_plain_text], max_length=200, required=False, label="Company (for the invoice)"
    )
    billing_address = forms.CharField(required=False, label="Billing address", widget=forms.Textarea(attrs={"rows": 3}))
    billing_country = CountryChoiceField(required=False, label="Country", autocomplete="country")
    billing_vat_id = forms.CharField(
        max_length=40,
        required=False,
        label="VAT number",
        help_text="A business in the EU with a valid number is not charged VAT where the reverse charge applies.",
    )

    def __init__(self, *args, ticket_labels: list[str], code_of_conduct_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # The number's name in the buyer's country ("USt-IdNr.", "TVA intracommunautaire"), once it is known.
        country = (self.data.get(self.add_prefix("billing_country")) or "") if self.is_bound else ""
        if country:
            self.fields["billing_vat_id"].label = f"VAT number ({vat_numbers.label(country)})"
        self.fields["billing_vat_id"].widget.attrs["data-vat-labels"] = json.dumps(vat_numbers.LABELS)
        self.ticket_labels = ticket_labels
        for index, _label in enumerate(ticket_labels, start=1):
            self.fields[f"attendee_{index}_name"] = forms.CharField(
                validators=[validate_plain_text], max_length=200, required=False, label="Name"
            )
            self.fields[f"attendee_{index}_email"] = forms.EmailField(required=False, label="E-mail")
            self.fields[f"attendee_{index}_company"] = forms.CharField(
                validators=[validate_plain_text], max_length=200, required=False, label="Company"
            )
        if code_of_conduct_url:
            self.fields["accept_code_of_conduct"] = forms.BooleanField(
                required=True,
                label="I have read and accept the code of conduct",
                error_messages={"required": "Please accept the code of conduct to register."},
            )

    def buyer_fields(self):
        return [self["buyer_name"], self["buyer_email"]]

    def billing_fields(self):
        return [self[name] for name in ("billing_company", "billing_address", "billing_country", "billing_vat_id")]

    def attendee_fieldsets(self):
        return [
            (index, label, [self[f"attendee_{index}_{part}"] for part in ("name", "email", "company")])
            for index, label in enumerate(self.ticket_labels, start=1)
        ]

    def attendees(self) -> list[dict]:
        """One dict per ticket; blank names are named later. A single ticket with no name is the buyer's."""
        data = self.cleaned_data
        people = [
            {part: data.get(f"attendee_{i}_{part}") or "" for part in ("name", "email", "company")}
            for i in range(1, len(self.ticket_labels) + 1)
        ]
        if len(people) == 1 and not people[0]["name"]:
            people[0] = {"name": data["buyer_name"], "email": data["buyer_email"], "company": data["billing_company"]}
        return people

    def billing(self) -> dict:
        data = self.cleaned_data
        return {
            "company": data["billing_company"],
            "address": data["billing_address"],
            "vat_id": data["billing_vat_id"],
            "country": data["billing_country"],
        }

    def order_details(self) -> dict:
        """The buyer, attendees, billing and code-of-conduct answer as order_create takes them."""
        return {
            "buyer_name": self.cleaned_data["buyer_name"],
            "buyer_email": self.cleaned_data["buyer_email"],
            "attendees": self.attendees(),
            "billing": self.billing(),
            "accepted_code_of_conduct": self.cleaned_data.get("accept_code_of_conduct", False),
        }


class TicketForm(forms.Form):
    attendee_name = forms.CharField(validators=[validate_plain_text], max_length=200, label="Name")
    attendee_email = forms.EmailField(required=False, label="E-mail")
    company = forms.CharField(validators=[validate_plain_text], max_length=200, required=False, label="Company")
    job_title = forms.CharField(
        validators=[validate_plain_text], max_length=200, required=False, label="Job title (badge)"
    )
    pronouns = forms.CharField(
        validators=[validate_plain_text], max_length=40, required=False, label="Pronouns (badge)"
    )


class WaitingListForm(forms.Form):
    ticket_type = forms.ModelChoiceField(queryset=None, label="Ticket", empty_label=None)
    email = forms.EmailField(label="Your e-mail")
    quantity = forms.IntegerField(label="Seats", min_value=1, max_value=10, initial=1)

    def __init__(self, *args, ticket_types=(), **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["ticket_type"].queryset = TicketType.objects.filter(pk__in=[tt.pk for tt in ticket_types])
        # The page's event's types: the name alone (str() adds the event's name).
        self.fields["ticket_type"].label_from_instance = lambda ticket_type: ticket_type.name


CONTACT_ROLES = (("billing", "Billing contact"), ("marketing", "Marketing contact"), ("logistics", "Logistics contact"))


class SponsorApplicationForm(forms.Form):
    """The application before its review: the package, who applies, three contacts, billing, how to pay."""

    package = forms.ModelChoiceField(queryset=None, label="Package", empty_label=None, widget=forms.RadioSelect)
    organization = forms.ModelChoiceField(
        queryset=None, label="Organisation", required=False, empty_label="Another company (give its name below)"
    )
    organization_name = forms.CharField(
        label="Your company's name", max_length=200, required=False, validators=[validate_plain_text]
    )
    billing_contact_name = forms.CharField(
        label="Billing contact: name", max_length=200, validators=[validate_plain_text]
    )
    billing_contact_email = forms.EmailField(label="Billing contact: e-mail (the invoice goes here)")
    marketing_contact_name = forms.CharField(
        label="Marketing contact: name", max_length=200, validators=[validate_plain_text]
    )
    marketing_contact_email = forms.EmailField(label="Marketing contact: e-mail")
    logistics_contact_name = forms.CharField(
        label="Logistics contact: name", max_length=200, validators=[validate_plain_text]
    )
    logistics_contact_email = forms.EmailField(label="Logistics contact: e-mail")
    billing_name = forms.CharField(
        label="Legal name (on the invoice)", max_length=200, validators=[validate_plain_text]
    )
    billing_address = forms.CharField(label="Billing address", widget=forms.Textarea(attrs={"rows": 3}))
    billing_country = CountryChoiceField(label="Country", blank_label="Choose a country", autocomplete="country")
    billing_vat_number = forms.CharField(label="VAT number (optional)", max_length=40, required=False)
    billing_po_number = forms.CharField(label="Purchase order number (optional)", max_length=60, required=False)
    payment_method = forms.ChoiceField(
        label="We will pay the invoice by", choices=PAYER_METHOD_CHOICES, widget=forms.RadioSelect
    )

    def __init__(self, *args, organizations, packages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["package"].queryset = packages
        # The packages of the page's event: their names say it all (and need no query for the event's).
        self.fields["package"].label_from_instance = lambda package: package.name
        if organizations.exists():
            self.fields["organization"].queryset = organizations
        else:
            del self.fields["organization"]
            self.fields["organization_name"].required = True

    def clean(self):
        data = super().clean()
        if "organization" in self.fields and not data.get("organization") and not data.get("organization_name"):
            self.add_error("organization_name", "Choose your organisation, or give your company's name.")
        return data

    def contacts(self) -> dict[str, dict]:
        data = self.cleaned_data
        return {
            role: {"name": data[f"{role}_contact_name"], "email": data[f"{role}_contact_email"]}
            for role, _label in CONTACT_ROLES
        }

    def billing(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in (
                "billing_name",
                "billing_address",
                "billing_country",
                "billing_vat_number",
                "billing_po_number",
            )
        }

    def contact_fields(self):
        return [(label, self[f"{role}_contact_name"], self[f"{role}_contact_email"]) for role, label in CONTACT_ROLES]
