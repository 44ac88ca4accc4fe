"""The application form, the waiting-list form and the individual member's profile forms."""

from django import forms

from members import selectors
from members.models import MembershipApplication, MembershipTier
from members.services import AGREEMENT_VERSION, CONTACT_FIELDS, INDIVIDUAL_AGREEMENT_VERSION, ORGANIZATION_FIELDS
from portal.core.text import validate_plain_text


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
        # The service's fields, with the tier and the logo, in the order the form asks for them.
        fields = ["requested_tier", *ORGANIZATION_FIELDS, "logo", *CONTACT_FIELDS, "payment_method"]
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
    organization_name = forms.CharField(validators=[validate_plain_text], label="Organisation name", max_length=200)


# --- Individual members -------------------------------------------------------------------


class IndividualProfileForm(forms.Form):
    display_name = forms.CharField(validators=[validate_plain_text], label="Name on your profile", max_length=120)
    bio = forms.CharField(
        label="About you",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A few lines: what you work on, what you care about. Shown publicly.",
    )
    projects = forms.ModelMultipleChoiceField(
        label="Projects you work on",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = selectors.project_choices()


class IndividualJoinForm(IndividualProfileForm):
    agreement = forms.BooleanField(
        label=f"I accept the individual member agreement (version {INDIVIDUAL_AGREEMENT_VERSION})", required=True
    )


class AffiliationForm(forms.Form):
    organization_name = forms.CharField(
        validators=[validate_plain_text],
        label="Organisation",
        max_length=200,
        required=False,
        help_text="Leave empty to use the member chosen below.",
    )
    organization = forms.ModelChoiceField(
        label="Member organisation", queryset=None, required=False, help_text="If it is a member of the foundation."
    )
    title = forms.CharField(validators=[validate_plain_text], label="Title", max_length=200, required=False)
    starts = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ends = forms.DateField(
        label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Empty while current."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = selectors.members_for_directory().order_by("name")

    def clean(self):
        data = super().clean()
        described = any(data.get(key) for key in ("title", "starts", "ends"))
        if described and not (data.get("organization_name") or data.get("organization")):
            self.add_error("organization_name", "Give the organisation's name, or choose a member organisation.")
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", "The end comes before the start.")
        return data


class BaseAffiliationFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this affiliation"


AffiliationFormSet = forms.formset_factory(
    AffiliationForm,
    formset=BaseAffiliationFormSet,
    extra=1,
    max_num=10,
    validate_max=True,
    can_delete=True,
    can_delete_extra=False,
)


def affiliations_from(formset) -> list[dict]:
    """The affiliations a valid formset describes: those naming an organisation, not marked for removal
    (emptying an affiliation's fields removes it too)."""
    return [
        {key: value for key, value in form.cleaned_data.items() if key != "DELETE"}
        for form in formset.forms
        if form.cleaned_data
        and not form.cleaned_data.get("DELETE")
        and (form.cleaned_data.get("organization_name") or form.cleaned_data.get("organization"))
    ]
