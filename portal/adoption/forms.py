from django import forms

from portal.adoption.models import DeploymentType, Project
from portal.core.countries import CountryChoiceField
from portal.core.industries import Industry
from portal.core.text import validate_plain_text

MAX_CORES = 100_000_000  # a typo guard: no single organisation runs more than this


class SurveyForm(forms.Form):
    """The user survey. Every answer is private; only aggregates are ever published."""

    is_anonymous = forms.BooleanField(
        label="Answer anonymously",
        required=False,
        help_text="We will not record your organisation's name.",
    )
    organization_name = forms.CharField(
        validators=[validate_plain_text], label="Organisation", max_length=200, required=False
    )
    industry = forms.ChoiceField(label="Industry", choices=[("", "Choose an industry")] + Industry.choices)
    country = CountryChoiceField(label="Country of the main deployment", blank_label="Choose a country")
    deployment_type = forms.ChoiceField(
        label="Deployment type", choices=DeploymentType.choices, widget=forms.RadioSelect
    )
    projects = forms.MultipleChoiceField(
        label="Projects you use", choices=Project.choices, widget=forms.CheckboxSelectMultiple
    )
    cores = forms.IntegerField(
        label="CPU cores in production",
        min_value=1,
        max_value=MAX_CORES,
        help_text="Physical cores across all your deployments, roughly.",
    )
    deployments = forms.IntegerField(label="Number of deployments", min_value=1, max_value=100_000, initial=1)
    public_cloud_name = forms.CharField(
        validators=[validate_plain_text],
        label="Public cloud name",
        max_length=120,
        required=False,
        help_text="Only if you run a public cloud.",
    )
    public_cloud_region = forms.CharField(label="Public cloud region", max_length=120, required=False)
    public_cloud_listed = forms.BooleanField(label="List our public cloud on the foundation's site", required=False)

    # The form's sections as the page shows them, in order.
    FIELDSETS = (
        ("Your organisation", ("organization_name", "is_anonymous", "industry", "country")),
        ("Your deployments", ("deployment_type", "projects", "cores", "deployments")),
        ("If you run a public cloud", ("public_cloud_name", "public_cloud_region", "public_cloud_listed")),
    )

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]

    def clean(self):
        data = super().clean()
        if data.get("is_anonymous"):
            data["organization_name"] = ""
        elif not (data.get("organization_name") or "").strip():
            self.add_error("organization_name", "Name your organisation, or choose to answer anonymously.")
        if data.get("public_cloud_listed"):
            if not (data.get("public_cloud_name") or "").strip():
                self.add_error("public_cloud_name", "Name the public cloud you want listed.")
            if not (data.get("public_cloud_region") or "").strip():
                self.add_error("public_cloud_region", "Give the region where it runs.")
        return data
