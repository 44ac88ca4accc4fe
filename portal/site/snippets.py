"""Snippets and settings staff edit in the admin: footer links, reusable calls to action, site settings."""

import copy

from django.core.validators import FileExtensionValidator
from django.db import models
from django.http.request import split_domain_port
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site
from wagtail.search import index

from portal.core.cache import generation, remember, remember_for_generation
from portal.core.uploads import validate_logo_file


class FooterLink(index.Indexed, models.Model):
    label = models.CharField(max_length=80)
    url = models.CharField(max_length=300, help_text="An address on this site (/about/) or elsewhere (https://…).")
    sort_order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    panels = [FieldPanel("label"), FieldPanel("url"), FieldPanel("sort_order")]
    search_fields = [index.SearchField("label")]

    class Meta:
        ordering = ["sort_order", "label"]

    def __str__(self) -> str:
        return self.label


class CallToAction(models.Model):
    """A reusable call to action placed on pages through the body's "saved call to action" block."""

    title = models.CharField(max_length=120)
    text = models.TextField(blank=True)
    button_label = models.CharField(max_length=80)
    link_url = models.CharField(max_length=300)

    panels = [FieldPanel("title"), FieldPanel("text"), FieldPanel("button_label"), FieldPanel("link_url")]

    class Meta:
        verbose_name = "call to action"
        verbose_name_plural = "calls to action"

    def __str__(self) -> str:
        return self.title


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    foundation_name = models.CharField(max_length=120, default="Open Infrastructure Foundation")
    short_name = models.CharField(max_length=40, blank=True, default="OpenInfra")
    tagline = models.CharField(max_length=200, blank=True)
    logo = models.FileField(
        upload_to="site/",
        blank=True,
        validators=[FileExtensionValidator(["svg", "png", "jpg", "jpeg"]), validate_logo_file],
        help_text="SVG, PNG or JPEG, at most 1 MB, shown in structured data.",
    )
    contact_email = models.EmailField(blank=True)
    github_url = models.URLField("GitHub", blank=True)
    mastodon_url = models.URLField("Mastodon", blank=True)
    linkedin_url = models.URLField("LinkedIn", blank=True)
    youtube_url = models.URLField("YouTube", blank=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("foundation_name"), FieldPanel("short_name"), FieldPanel("tagline"), FieldPanel("logo")],
            heading="Foundation",
        ),
        FieldPanel("contact_email"),
        MultiFieldPanel(
            [
                FieldPanel("github_url"),
                FieldPanel("mastodon_url"),
                FieldPanel("linkedin_url"),
                FieldPanel("youtube_url"),
            ],
            heading="Social links",
        ),
    ]

    class Meta:
        verbose_name = "site settings"

    @classmethod
    def for_site(cls, site):
        """Every page shows these: read them from the cache, which the save signal clears."""

        if site is None:
            return super().for_site(site)
        return remember(f"site-settings:{site.pk}", lambda: super(SiteSettings, cls).for_site(site))

    @classmethod
    def for_request(cls, request):
        """Every page (the footer, the SEO tags) asks: answer by host from the cache, skipping the Site query.

        Keyed under the page cache's generation, which a save of these settings or of a Site bumps.
        """

        attr_name = cls.get_cache_attr_name()
        if hasattr(request, attr_name):
            return getattr(request, attr_name)
        current = generation(request)
        if current is None:
            return super().for_request(request)
        hostname = split_domain_port(request.get_host())[0]
        key = f"site-settings-for:{current}:{hostname}:{request.get_port()}"
        shared = remember_for_generation(key, lambda: cls.for_site(Site.find_for_request(request)), current)
        site_settings = copy.copy(shared)  # the process's copy is shared by its threads: each request its own
        site_settings._request = request
        setattr(request, attr_name, site_settings)
        return site_settings

    @property
    def social_links(self) -> list[tuple[str, str]]:
        links = [
            ("GitHub", self.github_url),
            ("Mastodon", self.mastodon_url),
            ("LinkedIn", self.linkedin_url),
            ("YouTube", self.youtube_url),
        ]
        return [(label, url) for label, url in links if url]
