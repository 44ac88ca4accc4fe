"""The application form and the waiting-list form."""

from django import forms

from members.models import MembershipApplication, MembershipTier
from members.services import AGREEMENT_VERSION


class ApplicationForm(forms.ModelForm):
    requested_tier = forms.ModelChoiceField(
        queryset=MembershipTier.objects.filter(is_public=True).order_by("rank"),
        label="Tier",
        empty_label=None,
    )
    agreement = forms.BooleanField(
        label=f"I accept the membership agreement (version {AGREEMENT_VERSION}) on behalf of the organisation",
        required=True,
    )

    class Meta:
        model = MembershipApplication
        fields = [
            "requested_tier",
            "organization_name",
            "legal_name",
            "website",
            "description",
            "country",
            "industry",
            "size",
            "billing_address",
            "vat_id",
            "logo",
            "contact_name",
            "contact_email",
            "billing_email",
            "technical_email",
            "marketing_email",
            "payment_method",
        ]
        labels = {"organization_name": "Organisation name", "legal_name": "Legal name"}
        help_texts = {
            "organization_name": "As it should appear in the member directory.",
            "logo": "PNG, JPEG or SVG, at most 1 MB. You can add it later too.",
            "payment_method": "How the organisation will pay its annual dues once approved.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "billing_address": forms.Textarea(attrs={"rows": 3}),
            "payment_method": forms.RadioSelect,
        }

    def application_data(self) -> dict:
        skip = {"requested_tier", "logo", "agreement"}
        return {key: value for key, value in self.cleaned_data.items() if key not in skip}


class WaitlistForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    organization_name = forms.CharField(label="Organisation name", max_length=200)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason (e-mailed to the applicant)", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
