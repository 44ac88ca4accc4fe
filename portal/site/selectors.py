"""Reads for the public site's pages, shaped so a page costs the same number of queries for 5 rows or 500."""

from django.db.models import Prefetch, QuerySet

from members.models import Organization
from members.selectors import directory_by_tier, members_for_directory
from portal.site.pages.news import NewsPage
from portal.site.pages.projects import ProjectPage


def projects_for_listing(*, parent=None) -> QuerySet[ProjectPage]:
    """Live, public projects in menu order, with their tags and logos loaded in bulk."""
    projects = ProjectPage.objects.live().public().select_related("logo").prefetch_related("tags")
    if parent is not None:
        projects = projects.child_of(parent)
    return projects.order_by("path")


def project_relations(project: ProjectPage) -> dict:
    """The related projects, contributing organisations and tags of one project page (3 queries)."""
    return {
        "related_projects": list(project.related_projects.live().order_by("title")),
        "contributors": list(project.contributing_organizations.order_by("name")),
        "tags": list(project.tags.all()),
    }


def projects_for_organization(organization: Organization) -> list[ProjectPage]:
    return list(ProjectPage.objects.live().public().filter(contributing_organizations=organization).order_by("title"))


def news_for_index(*, parent=None) -> QuerySet[NewsPage]:
    """Live, public news items, newest first, with their tags."""
    items = NewsPage.objects.live().public().prefetch_related("tags")
    if parent is not None:
        items = items.child_of(parent)
    return items.order_by("-date", "-pk")


def projects_for_api() -> QuerySet[ProjectPage]:
    """Projects as the API serves them: relations loaded in bulk, so a list costs the same for any length."""
    return (
        ProjectPage.objects.live()
        .public()
        .select_related("logo")
        .prefetch_related(
            "tags",
            Prefetch("related_projects", queryset=ProjectPage.objects.live().public().only("id", "slug", "title")),
            Prefetch("contributing_organizations", queryset=Organization.objects.only("id", "slug", "name")),
        )
        .order_by("title")
    )


def home_page_sections(home) -> dict:
    """What the home page shows beside its own fields: featured projects, member logos by tier, latest news."""

    # By id: in a live preview the relation is modelcluster's in-memory FakeQuerySet, not a queryset.
    featured_ids = [project.pk for project in home.featured_projects.all()]
    featured = list(
        ProjectPage.objects.filter(pk__in=featured_ids)
        .live()
        .public()
        .select_related("logo")
        .prefetch_related("tags")
        .order_by("path")
    )
    if not featured:
        featured = list(projects_for_listing()[:6])
    return {
        "featured_projects": featured,
        "member_groups": directory_by_tier(members_for_directory()),
        "latest_news": list(news_for_index()[:3]),
    }
