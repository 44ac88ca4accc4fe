"""Adoption data: survey editions, the responses people submit, and the aggregates we publish.

Raw responses are never public: the site and the API read only `EditionAggregate`, computed from
approved responses once an edition has closed, under the disclosure rule of `disclosure.py`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django_countries.fields import CountryField
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from portal.adoption.disclosure import Rule
from portal.core.industries import Industry
from portal.core.status import StatusMachine
from portal.core.text import validate_plain_text

# Segments under the minimum size (ADOPTION_MIN_SEGMENT) are folded into this one.
OTHER = "other"


class DeploymentType(models.TextChoices):
    PRIVATE = "private", "Private cloud"
    PUBLIC = "public", "Public cloud"
    HYBRID = "hybrid", "Hybrid cloud"
    EDGE = "edge", "Edge"


class Project(models.TextChoices):
    """The foundation's projects, by the slug their pages and the API use."""

    OPENSTACK = "openstack", "OpenStack"
    KATA = "kata-containers", "Kata Containers"
    STARLINGX = "starlingx", "StarlingX"
    ZUUL = "zuul", "Zuul"
    AIRSHIP = "airship", "Airship"


class SurveyEdition(models.Model):
    """One year's user survey; responses are accepted between `opens` and `closes`."""

    year = models.PositiveSmallIntegerField(unique=True)
    opens = models.DateTimeField()
    closes = models.DateTimeField()

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="adoption_edition_closes_after_opens"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} user survey"

    def clean(self) -> None:
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValidationError({"closes": "The survey must close after it opens."})

    @property
    def published_sample_size(self) -> int:
        aggregate = getattr(self, "aggregate", None)
        return aggregate.sample_size if aggregate and aggregate.published else 0

    @property
    def figures_status(self) -> str:
        """For staff: whether the figures are computed and published, or why they are withheld."""
        aggregate = getattr(self, "aggregate", None)
        if aggregate is None or aggregate.min_segment_size is None:
            return "Not computed" if self.closes <= timezone.now() else "Computed after closing"
        return "Published" if aggregate.published else f"Withheld: {aggregate.withheld_reason}"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens <= now < self.closes


class ResponseStatus(models.TextChoices):
    PENDING = "pending", "Awaiting moderation"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class SurveyResponse(StatusMachine, models.Model):
    """One organisation's answer to one edition. Private: only staff see it, in the admin."""

    # Which moves moderation allows; anything else raises InvalidTransition.
    TRANSITIONS = {
        ResponseStatus.PENDING: {ResponseStatus.APPROVED, ResponseStatus.REJECTED},
        ResponseStatus.APPROVED: {ResponseStatus.REJECTED},
        ResponseStatus.REJECTED: {ResponseStatus.APPROVED},
    }

    edition = models.ForeignKey(SurveyEdition, on_delete=models.PROTECT, related_name="responses")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
        help_text="Empty for seeded or imported responses and once the account is deleted.",
    )
    # TODO(members): link to members.Organization (nullable FK) once that model has landed; the
    # name stays as what the respondent typed.
    organization_name = models.CharField("organisation", max_length=200, blank=True, validators=[validate_plain_text])
    is_anonymous = models.BooleanField(
        "anonymous", default=False, help_text="The respondent asked not to be named, even to staff reports."
    )
    industry = models.CharField(max_length=20, choices=Industry.choices)
    country = CountryField()
    deployment_type = models.CharField(max_length=10, choices=DeploymentType.choices)
    # A list of Project slugs: JSON works the same on SQLite and PostgreSQL.
    projects = models.JSONField(default=list, blank=True)
    cores = models.PositiveIntegerField("cores in production")
    deployments = models.PositiveIntegerField("number of deployments", default=1)
    public_cloud_name = models.CharField("public cloud provider", max_length=120, blank=True)
    public_cloud_region = models.CharField("public cloud region", max_length=120, blank=True)
    public_cloud_listed = models.BooleanField(
        "may be listed", default=False, help_text="The provider agreed to be listed as a public cloud."
    )
    status = models.CharField(max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.PENDING)
    submitted_at = models.DateTimeField(default=timezone.now)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["edition", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(cores__gte=1), name="adoption_response_cores_positive"),
            models.CheckConstraint(condition=Q(deployments__gte=1), name="adoption_response_deployments_positive"),
            models.CheckConstraint(
                condition=Q(is_anonymous=True, organization_name="") | Q(is_anonymous=False),
                name="adoption_response_anonymous_has_no_name",
            ),
            models.CheckConstraint(
                condition=Q(public_cloud_listed=False) | ~Q(public_cloud_name=""),
                name="adoption_response_listed_cloud_has_name",
            ),
            # One live answer per person and edition; a rejected one may be replaced.
            models.UniqueConstraint(
                fields=["edition", "submitted_by"],
                condition=Q(submitted_by__isnull=False) & ~Q(status="rejected"),
                name="adoption_response_one_per_user",
            ),
        ]

    def __str__(self) -> str:
        who = "Anonymous" if self.is_anonymous else (self.organization_name or "Unnamed organisation")
        return f"{who} — {self.edition.year}" if self.edition_id else who

    def invalid_move_message(self, status: str) -> str:
        return f"A response that is {self.get_status_display().lower()} cannot become {status}."

    @property
    def cores_display(self) -> str:
        return f"{self.cores:,}"

    @property
    def project_labels(self) -> list[str]:
        labels = dict(Project.choices)
        return [labels.get(slug, slug) for slug in self.projects]


class EditionAggregate(models.Model):
    """The figures of one closed edition, computed from its approved responses.

    Each breakdown is a list of {"key", "label", "responses", "cores", "suppressed", "reason"}: small
    segments are folded into "other", and any figure the disclosure rule withholds is None with the
    reason. The rule's thresholds are stored with the figures, as their provenance.
    """

    edition = models.OneToOneField(SurveyEdition, on_delete=models.CASCADE, primary_key=True, related_name="aggregate")
    computed_at = models.DateTimeField(default=timezone.now)
    published = models.BooleanField(
        default=False, help_text="The edition has enough responses, none dominating its cores, to be shown."
    )
    withheld_reason = models.CharField(max_length=200, blank=True, help_text="Why the edition is not published.")
    # The rule applied; empty for figures computed before the rule was recorded (never published).
    min_segment_size = models.PositiveSmallIntegerField(null=True, blank=True)
    dominance_share = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    sample_size = models.PositiveIntegerField(default=0)
    total_cores = models.PositiveBigIntegerField(default=0)
    total_deployments = models.PositiveBigIntegerField(default=0)
    previous_total_cores = models.PositiveBigIntegerField(null=True, blank=True)
    growth_percent = models.DecimalField(
        max_digits=9, decimal_places=1, null=True, blank=True, help_text="Cores against the previous edition."
    )
    by_industry = models.JSONField(default=list)
    by_country = models.JSONField(default=list)
    by_deployment_type = models.JSONField(default=list)
    by_project = models.JSONField(default=list)
    public_clouds = models.JSONField(default=list)

    class Meta:
        ordering = ["-edition__year"]

    def __str__(self) -> str:
        return f"Aggregates of the {self.edition.year} survey"

    @property
    def year(self) -> int:
        return self.edition.year

    @property
    def headline_cores(self) -> str:
        return format_cores(self.total_cores)

    @property
    def rule(self) -> Rule:
        """The disclosure rule these figures were computed under."""
        return Rule(min_segment=self.min_segment_size or 0, dominance_share=self.dominance_share or Decimal(0))


def format_cores(cores: int) -> str:
    """ "40M+" for 40.3 million: a floor, so the headline never overstates the data."""
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if cores >= size:
            whole = cores // size
            return f"{whole}{suffix}+" if cores > whole * size else f"{whole}{suffix}"
    return str(cores)


class AdoptionPage(RoutablePageMixin, Page):
    """/adoption/: the survey's headline figures and charts, read from the stored aggregates."""

    intro = RichTextField(blank=True)
    survey_intro = RichTextField(blank=True, help_text="Shown beside the link to the survey while it is open.")

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("survey_intro")]
    search_fields = Page.search_fields
    api_fields: list = []
    parent_page_types = ["portal.HomePage"]
    subpage_types: list[str] = []
    max_count = 1
    template = "adoption/adoption_page.html"

    @path("")
    def index(self, request):
        from portal.adoption import charts, selectors  # a cycle: both import these models

        editions = selectors.editions_with_aggregates()
        context = {
            "report": charts.report(editions),
            "open_edition": selectors.open_edition(),
        }
        return self.render(request, context_overrides=context)

    # Wagtail serves paths of slugs ending in "/", so the file name comes from Content-Disposition.
    @path("data/<slug:name>/", name="csv")
    def csv(self, request, name: str):
        from portal.adoption import charts, selectors  # a cycle: both import these models

        year = request.GET.get("year", "")
        report = charts.report(selectors.editions_with_aggregates(), year=int(year) if year.isdigit() else None)
        chart = report.chart(name)
        if chart is None:
            raise Http404("No such data set.")
        response = HttpResponse(chart.to_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="adoption-{name}.csv"'
        return response
