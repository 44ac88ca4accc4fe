"""Forms of the finance screens."""

from decimal import Decimal

from django import forms

from portal.payments.models import Invoice


class RefundForm(forms.Form):
    amount = forms.DecimalField(min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    reason = forms.CharField(max_length=300)


class HeldDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("return", "Refund what Stripe took"), ("accept", "Accept as paid")], widget=forms.RadioSelect
    )
    reason = forms.CharField(max_length=300, help_text="Recorded in the audit trail; a refunded payer reads it.")


class TransferReceivedForm(forms.Form):
    amount = forms.DecimalField(min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    received_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(max_length=140, help_text="The bank's reference for the transfer.")
    write_off = forms.BooleanField(
        required=False,
        label="Accept a short amount as paid",
        help_text="Writes off the difference (bank fees, say); otherwise the payment stays open as partly paid.",
    )


class PayerReturnDoneForm(forms.Form):
    sent_reference = forms.CharField(
        max_length=140, label="Reference of the transfer sent", help_text="Your bank's reference for the return."
    )


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
