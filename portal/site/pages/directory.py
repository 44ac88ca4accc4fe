"""The member directory: companies grouped by tier, each company's page, and the individual members.

The page composes the members app's selectors; it stores no member data itself.
"""

from django.core.paginator import Paginator
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.search import index

from events.selectors import sponsorships_for_organization
from members.selectors import (
    directory_by_tier,
    directory_filter_options,
    filter_directory,
    individual_member_for_profile,
    individual_members_for_directory,
    members_for_directory,
    organization_for_directory,
    tiers_in_rank_order,
)
from portal.site.pages.base import BasePage

INDIVIDUALS_PER_PAGE = 24


class MemberDirectoryPage(RoutablePageMixin, BasePage):
    intro = RichTextField(blank=True)
    join_prompt = models.CharField(
        max_length=200,
        blank=True,
        default="Your organisation could be here too.",
        help_text="Shown beside the link to /join/.",
    )

    content_panels = BasePage.content_panels + [FieldPanel("intro"), FieldPanel("join_prompt")]
    search_fields = BasePage.search_fields + [index.SearchField("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types: list[str] = []
    max_count = 1
    api_fields = [APIField("intro")]
    template = "members/directory_page.html"

    @path("")
    def index_route(self, request):

        tiers = list(tiers_in_rank_order())
        everyone = list(members_for_directory())
        chosen = {key: request.GET.get(key, "").strip()[:100] for key in ("tier", "country", "industry")}
        return self.render(
            request,
            context_overrides={
                "groups": directory_by_tier(filter_directory(everyone, **chosen), tiers=tiers),
                "filters": directory_filter_options(everyone, tiers=tiers),
                "chosen": chosen,
                "filtered": any(chosen.values()),
            },
        )

    @path("individuals/", name="individuals")
    def individuals(self, request):

        query = request.GET.get("q", "").strip()[:100]
        people = Paginator(individual_members_for_directory(query=query), INDIVIDUALS_PER_PAGE)
        return self.render(
            request,
            template="members/individuals.html",
            context_overrides={
                "individuals": people.get_page(request.GET.get("page")),
                "query": query,
                "canonical_path": self.get_url(request) + self.reverse_subpage("individuals"),
                "seo_title": "Individual members",
            },
        )

    @path("individuals/<slug:slug>/", name="individual")
    def individual(self, request, slug):

        person = individual_member_for_profile(slug)
        linked = [a.organization_id for a in person.affiliations.all() if a.organization_id]
        return self.render(
            request,
            template="members/individual_profile.html",
            context_overrides={
                "person": person,
                # Affiliations link to a company's page only while it is listed.
                "member_slugs": set(members_for_directory().filter(pk__in=linked).values_list("slug", flat=True))
                if linked
                else set(),
                "canonical_path": self.get_url(request) + self.reverse_subpage("individual", kwargs={"slug": slug}),
                "seo_title": person.display_name,
                "seo_description": person.bio[:300],
            },
        )

    @path("<slug:slug>/", name="organization")
    def organization(self, request, slug):
        from portal.site.selectors import (
            projects_for_organization,  # a cycle: the site's selectors import the page models
        )

        organization = organization_for_directory(slug)
        return self.render(
            request,
            template="members/organization_page.html",
            context_overrides={
                "organization": organization,
                "projects": projects_for_organization(organization),
                # Composed here (portal may call both apps): members never imports events.
                "sponsorships": list(sponsorships_for_organization(organization)),
                "canonical_path": self.get_url(request) + self.reverse_subpage("organization", kwargs={"slug": slug}),
                "seo_title": organization.name,
                "seo_description": organization.description[:300],
            },
        )

    def get_sitemap_urls(self, request=None):

        entries = super().get_sitemap_urls(request)
        base = self.get_full_url(request)
        if base:
            for organization in members_for_directory().only("slug"):
                entries.append(
                    {"location": base + self.reverse_subpage("organization", kwargs={"slug": organization.slug})}
                )
        return entries
