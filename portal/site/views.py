"""Django views of the public site that are not pages: search and robots.txt."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from wagtail.models import Page

SEARCH_RESULTS_PER_PAGE = 10


@require_GET
def search(request):
    """Full-text search over live public pages (Wagtail search: database backend unless configured)."""
    query = request.GET.get("q", "").strip()[:200]
    results = None
    if query:
        pages = Page.objects.live().public().exclude(depth__lte=1).specific().search(query)
        results = Paginator(pages, SEARCH_RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "portal/search.html",
        {"query": query, "results": results, "seo_title": f"Search: {query}" if query else "Search"},
    )


@require_GET
@cache_control(public=True, max_age=3600)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /accounts/",
        "Disallow: /members/manage/",
        "Disallow: /payments/",
        "Disallow: /search/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
