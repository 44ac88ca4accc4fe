"""Forms of the member admin pages and the staff's tier change queue."""

from django import forms

from members.manage.services import BILLING_FIELDS, PROFILE_FIELDS
from members.models import MembershipTier, Organization, OrganizationRole


class ProfileForm(forms.ModelForm):
    website = forms.URLField(required=False, max_length=200, assume_scheme="https")
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)

    class Meta:
        model = Organization
        fields = [*PROFILE_FIELDS, "logo"]
        labels = {"name": "Name in the directory"}
        help_texts = {
            "description": "A few sentences for the member directory.",
            "logo": "PNG, JPEG or SVG, at most 1 MB. SVGs with scripts or external content are refused.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "logo": forms.FileInput}

    def profile_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in PROFILE_FIELDS}


class BillingDetailsForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = list(BILLING_FIELDS)
        labels = {"legal_name": "Legal name", "billing_address": "Billing address"}
        help_texts = {"po_number": "Printed on the next invoices, if your purchasing needs one."}
        widgets = {"billing_address": forms.Textarea(attrs={"rows": 3})}


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=OrganizationRole.Role.choices, initial=OrganizationRole.Role.TECHNICAL)


class TierChangeForm(forms.Form):
    tier = forms.ModelChoiceField(queryset=MembershipTier.objects.none(), label="New tier", empty_label=None)
    note = forms.CharField(
        label="Note for the membership team",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, current_tier: MembershipTier | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        tiers = MembershipTier.objects.filter(is_public=True).order_by("rank")
        if current_tier is not None:
            tiers = tiers.exclude(pk=current_tier.pk)
        self.fields["tier"].queryset = tiers
