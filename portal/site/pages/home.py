"""The home page: the site's root."""

from django.db import models
from django.utils.functional import SimpleLazyObject
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from portal.core import cache
from portal.site.blocks import BodyBlock
from portal.site.pages.base import BasePage
from portal.site.snippets import SiteSettings


class HomePage(BasePage):
    """The site's root: hero, purpose, why open infrastructure, projects, next event, members, news."""

    intro = RichTextField(blank=True, help_text="The hero's lead under the title.")
    hero_cta_label = models.CharField(max_length=80, blank=True, default="Become a member")
    hero_cta_url = models.CharField(max_length=300, blank=True, default="/join/")
    purpose = RichTextField(blank=True, help_text="What the foundation is for.")
    body = StreamField(BodyBlock(), blank=True, help_text="E.g. the “why open infrastructure” points.")
    featured_projects = ParentalManyToManyField("portal.ProjectPage", blank=True, related_name="+")

    content_panels = BasePage.content_panels + [
        MultiFieldPanel(
            [FieldPanel("intro"), FieldPanel("hero_cta_label"), FieldPanel("hero_cta_url")], heading="Hero"
        ),
        FieldPanel("purpose"),
        FieldPanel("body"),
        FieldPanel("featured_projects"),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("intro"), index.SearchField("purpose")]
    api_fields = [APIField("intro"), APIField("purpose"), APIField("body")]
    parent_page_types = ["wagtailcore.Page"]
    # Other areas (events, adoption) add their page types here when they arrive.
    subpage_types = [
        "portal.StandardPage",
        "portal.ProjectIndexPage",
        "portal.MemberDirectoryPage",
        "portal.JoinPage",
        "portal.NewsIndexPage",
        "adoption.AdoptionPage",
        "portal.EventIndexPage",
    ]
    max_count = 1
    template = "portal/home_page.html"

    def get_context(self, request, *args, **kwargs):

        from portal.site.selectors import home_page_sections  # a cycle: the site's selectors import the page models

        context = super().get_context(request, *args, **kwargs)
        # The sections are read only when the template renders them: their HTML is a fragment cached
        # under the page cache's generation (purged on every publish and member change), so a visit
        # the full-page cache cannot answer (a query string, a session) still skips their queries.
        sections = SimpleLazyObject(lambda: home_page_sections(self))
        for name in ("featured_projects", "member_groups", "latest_news"):
            context[name] = SimpleLazyObject(lambda name=name: sections[name])
        context["sections_generation"] = cache.generation(request)
        return context

    def json_ld(self, request) -> dict | None:

        site_settings = SiteSettings.for_request(request)
        data = {
            "@context": "https://schema.org",
            "@type": "Organization",
            "name": site_settings.foundation_name,
            "url": request.build_absolute_uri(self.get_url(request)),
            "description": self.search_description or site_settings.tagline,
        }
        if site_settings.short_name:
            data["alternateName"] = site_settings.short_name
        if site_settings.logo:
            data["logo"] = request.build_absolute_uri(site_settings.logo.url)
        if site_settings.contact_email:
            data["email"] = site_settings.contact_email
        same_as = [url for _, url in site_settings.social_links]
        if same_as:
            data["sameAs"] = same_as
        return data
