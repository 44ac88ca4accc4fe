"""The portal's models: the user model and the site's Wagtail pages."""

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from portal.event_pages import EventIndexPage, EventPage  # noqa: F401 - event pages (issue 9)
from portal.users import User

__all__ = ["User", "HomePage"]


class HomePage(Page):
    """The site's root page; the website issue gives it its blocks."""

    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1
    template = "portal/home_page.html"
