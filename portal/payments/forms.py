"""Forms of the finance screens."""

from decimal import Decimal

from django import forms

from portal.payments.models import Invoice


class RefundForm(forms.Form):
    amount = forms.DecimalField(min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    reason = forms.CharField(max_length=300)


class TransferReceivedForm(forms.Form):
    amount = forms.DecimalField(min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    received_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(max_length=140, help_text="The bank's reference for the transfer.")


class InvoiceBuyerForm(forms.ModelForm):
    class Meta:
        model = Invoice
        fields = ["buyer_name", "buyer_address", "buyer_country", "buyer_vat_id", "buyer_po_number", "buyer_email"]


class CreditNoteForm(forms.Form):
    amount = forms.DecimalField(min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    reason = forms.CharField(max_length=300)


class PeriodForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
