"""Projects: the project page *is* the project (content in the page, no commerce)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from portal.core.uploads import size_label
from portal.site.blocks import BodyBlock
from portal.site.pages.base import BasePage


class ProjectStatus(models.TextChoices):
    INCUBATING = "incubating", "Incubating"
    CONFIRMED = "confirmed", "Confirmed"
    ARCHIVED = "archived", "Archived"


class ProjectPageTag(TaggedItemBase):
    content_object = ParentalKey("portal.ProjectPage", related_name="tagged_items", on_delete=models.CASCADE)


class ProjectIndexPage(BasePage):
    intro = RichTextField(blank=True)

    content_panels = BasePage.content_panels + [FieldPanel("intro")]
    search_fields = BasePage.search_fields + [index.SearchField("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.ProjectPage"]
    max_count = 1
    api_fields = [APIField("intro")]
    template = "portal/project_index_page.html"

    def route(self, request, path_components):
        """Children are all project pages: fetch the one asked for in one query, not two."""
        if path_components and self.live:
            child = ProjectPage.objects.child_of(self).filter(slug=path_components[0]).first()
            if child is not None:
                child._cached_parent_obj = self
                return child.route(request, path_components[1:])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        from portal.site.selectors import projects_for_listing  # a cycle: the site's selectors import the page models

        context = super().get_context(request, *args, **kwargs)
        context["projects"] = projects_for_listing(parent=self)
        return context


class ProjectPage(BasePage):
    tagline = models.CharField(max_length=200, help_text="One line: what the project is.")
    logo = models.ForeignKey("wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    description = RichTextField(help_text="What the project does and who it is for.")
    body = StreamField(BodyBlock(), blank=True)
    status = models.CharField(max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.INCUBATING)
    founded_year = models.PositiveSmallIntegerField(null=True, blank=True)
    website = models.URLField(blank=True)
    repository = models.URLField(blank=True, help_text="Where the source code lives.")
    documentation = models.URLField(blank=True)
    latest_release_name = models.CharField(max_length=100, blank=True)
    latest_release_date = models.DateField(null=True, blank=True)
    governance = RichTextField(blank=True, help_text="How the project is governed and how decisions are made.")
    tags = ClusterTaggableManager(through=ProjectPageTag, blank=True)
    related_projects = ParentalManyToManyField("self", blank=True, symmetrical=False)
    contributing_organizations = ParentalManyToManyField("members.Organization", blank=True, related_name="projects")

    content_panels = BasePage.content_panels + [
        FieldPanel("tagline"),
        FieldPanel("logo"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldPanel("founded_year"),
                FieldPanel("latest_release_name"),
                FieldPanel("latest_release_date"),
            ],
            heading="Facts",
        ),
        MultiFieldPanel(
            [FieldPanel("website"), FieldPanel("repository"), FieldPanel("documentation")], heading="Links"
        ),
        FieldPanel("governance"),
        FieldPanel("body"),
        FieldPanel("tags"),
        FieldPanel("related_projects"),
        FieldPanel("contributing_organizations"),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("tagline"),
        index.SearchField("description"),
        index.SearchField("body"),
        index.FilterField("status"),
    ]
    api_fields = [
        APIField("tagline"),
        APIField("description"),
        APIField("status"),
        APIField("founded_year"),
        APIField("website"),
        APIField("repository"),
        APIField("documentation"),
        APIField("latest_release_name"),
        APIField("latest_release_date"),
        APIField("tags"),
    ]
    parent_page_types = ["portal.ProjectIndexPage"]
    subpage_types: list[str] = []
    template = "portal/project_page.html"
    og_type = "article"

    def clean(self):
        """A newly chosen logo is at most MAX_LOGO_BYTES, like every other logo (a kept one is not checked again)."""
        super().clean()
        if not self.logo_id:
            return
        stored = type(self).objects.filter(pk=self.pk).values_list("logo_id", flat=True).first() if self.pk else None
        if self.logo_id != stored and (self.logo.file_size or self.logo.file.size) > settings.MAX_LOGO_BYTES:
            limit = size_label(settings.MAX_LOGO_BYTES)
            raise ValidationError({"logo": f"The logo is larger than {limit}; please choose a smaller image."})

    def get_context(self, request, *args, **kwargs):
        from portal.site.selectors import project_relations  # a cycle: the site's selectors import the page models

        context = super().get_context(request, *args, **kwargs)
        context.update(project_relations(self))
        return context

    def json_ld(self, request) -> dict | None:
        data = {
            "@context": "https://schema.org",
            "@type": "SoftwareSourceCode",
            "name": self.title,
            "description": self.tagline,
            "url": request.build_absolute_uri(self.get_url(request)),
        }
        if self.repository:
            data["codeRepository"] = self.repository
        if self.website:
            data["sameAs"] = self.website
        if self.latest_release_name:
            data["version"] = self.latest_release_name
        if self.founded_year:
            data["dateCreated"] = str(self.founded_year)
        return data
