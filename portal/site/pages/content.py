"""Standard content pages and the join page."""

from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from members.selectors import member_count, tiers_with_seats
from portal.site.blocks import BodyBlock
from portal.site.pages.base import BasePage


class StandardPage(BasePage):
    """A page of prose: about, governance, code of conduct…"""

    intro = models.TextField(blank=True, help_text="One or two sentences under the title.")
    body = StreamField(BodyBlock(), blank=True)

    content_panels = BasePage.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = BasePage.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["portal.HomePage", "portal.StandardPage"]
    subpage_types = ["portal.StandardPage"]
    api_fields = [APIField("intro"), APIField("body")]
    template = "portal/standard_page.html"


class JoinPage(BasePage):
    """The tiers side by side, with the way to apply."""

    intro = RichTextField(blank=True)
    cta_label = models.CharField(max_length=80, default="Apply for membership")
    cta_url = models.CharField(max_length=300, default="/join/apply/")
    body = StreamField(BodyBlock(), blank=True)

    content_panels = BasePage.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("cta_label"), FieldPanel("cta_url")], heading="Call to action"),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["portal.HomePage"]
    subpage_types: list[str] = []
    max_count = 1
    api_fields = [APIField("intro"), APIField("cta_label"), APIField("cta_url"), APIField("body")]
    template = "portal/join_page.html"

    def get_context(self, request, *args, **kwargs):

        context = super().get_context(request, *args, **kwargs)
        context["tiers"] = list(tiers_with_seats())
        context["member_count"] = member_count()
        return context
