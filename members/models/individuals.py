"""Individual members of the foundation and their public profiles."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from members.models.organizations import Organization
from portal.core.text import validate_plain_text

# --- Individual members -------------------------------------------------------------------

# /members/individuals/join/, edit/ and leave/ are routes; profiles live beside them.
INDIVIDUAL_RESERVED_SLUGS = frozenset({"join", "edit", "leave"})


class IndividualMember(models.Model):
    """A person's individual membership of the foundation, with their public profile.

    Leaving sets `left_at` and takes the profile off the site; the row stays as history, and joining
    again starts a new row. One current membership per person and one current profile per slug.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="individual_memberships")
    slug = models.SlugField(max_length=100, help_text="The profile's address: /members/individuals/<slug>/.")
    display_name = models.CharField(max_length=120, validators=[validate_plain_text])
    bio = models.TextField(blank=True, max_length=2000)
    # A string reference: members never imports the page models (the layers in docs/ARCHITECTURE.md); project pages are content.
    projects = models.ManyToManyField("portal.ProjectPage", blank=True, related_name="individual_members")
    agreement_version = models.CharField(max_length=20)
    agreement_accepted_at = models.DateTimeField()
    joined_at = models.DateTimeField(default=timezone.now, editable=False)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["display_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(left_at__isnull=True), name="individual_member_one_current"
            ),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(left_at__isnull=True), name="individual_member_slug_current"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name + ("" if self.left_at is None else " (left)")

    def get_absolute_url(self) -> str:
        # The URL map (README) fixes /members/individuals/<slug>/ as a route of the directory page.
        return f"/members/individuals/{self.slug}/"

    @property
    def is_current(self) -> bool:
        return self.left_at is None


class IndividualAffiliation(models.Model):
    """Where an individual member works or worked: an organisation (linked when it is a member), title, dates."""

    member = models.ForeignKey(IndividualMember, on_delete=models.CASCADE, related_name="affiliations")
    organization_name = models.CharField("organisation", max_length=200, validators=[validate_plain_text])
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="individual_affiliations",
        help_text="The member organisation, when it is one.",
    )
    title = models.CharField(max_length=200, blank=True)
    starts = models.DateField(null=True, blank=True)
    ends = models.DateField(null=True, blank=True, help_text="Empty while current.")

    class Meta:
        ordering = [models.F("ends").desc(nulls_first=True), models.F("starts").desc(nulls_last=True), "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts__isnull=True) | Q(ends__isnull=True) | Q(ends__gte=models.F("starts")),
                name="individual_affiliation_ends_after_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} at {self.organization_name}" if self.title else self.organization_name
