"""What every page of the site shares: a social image for OpenGraph and its JSON-LD description."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page, PageViewRestriction

from portal.core.cache import remember_for_this_request

VIEW_RESTRICTIONS_KEY = (
    "any-view-restriction"  # forgotten when a restriction is saved or deleted (portal/site/signals.py)
)


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
    # How long the anonymous page cache keeps this page; None: PAGE_CACHE_SECONDS (until a purge).
    cache_seconds: int | None = None
    og_type = "website"

    class Meta:
        abstract = True

    def get_view_restrictions(self):
        """Wagtail asks on every view (two queries); while no page anywhere is restricted, the cache says so."""

        if not remember_for_this_request(VIEW_RESTRICTIONS_KEY, lambda: PageViewRestriction.objects.exists()):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()

    def json_ld(self, request) -> dict | None:
        """Structured data for search engines; pages that describe a thing return it."""
        return None
