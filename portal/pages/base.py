"""What every page of the site shares: a social image for OpenGraph and its JSON-LD description."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page


class BasePage(Page):
    social_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when the page is shared on social media (OpenGraph).",
    )

    promote_panels = Page.promote_panels + [FieldPanel("social_image")]

    # Pages whose answer depends on the visitor set this to False (the full-page cache skips them).
    cache_anonymous = True
    og_type = "website"

    class Meta:
        abstract = True

    def json_ld(self, request) -> dict | None:
        """Structured data for search engines; pages that describe a thing return it."""
        return None
