"""The `portal` app's models, each defined where it belongs and imported here so Django finds them.

The user is in `portal.accounts.users`; the site's pages, snippets and settings in `portal.site`.
"""

from portal.accounts.users import User
from portal.core.models import OutboxMessage
from portal.core.tax import TaxRate, TaxRule
from portal.site.pages.content import JoinPage, StandardPage
from portal.site.pages.directory import MemberDirectoryPage
from portal.site.pages.events import EventIndexPage, EventPage
from portal.site.pages.home import HomePage
from portal.site.pages.news import NewsIndexPage, NewsPage, NewsPageTag
from portal.site.pages.projects import ProjectIndexPage, ProjectPage, ProjectPageTag, ProjectStatus
from portal.site.snippets import CallToAction, FooterLink, SiteSettings

__all__ = [
    "User",
    "OutboxMessage",
    "TaxRate",
    "TaxRule",
    "HomePage",
    "StandardPage",
    "JoinPage",
    "ProjectIndexPage",
    "ProjectPage",
    "ProjectPageTag",
    "ProjectStatus",
    "NewsIndexPage",
    "NewsPage",
    "NewsPageTag",
    "MemberDirectoryPage",
    "EventIndexPage",
    "EventPage",
    "FooterLink",
    "CallToAction",
    "SiteSettings",
]
