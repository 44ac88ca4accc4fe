"""The URL map. Django views are mounted before Wagtail's catch-all, which owns the pages.

Documented in README.md; later issues fill the reserved prefixes.
"""

import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve as serve_media
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from members.urls import individual_urlpatterns
from portal.accounts import views as account_views
from portal.adoption import views as adoption_views
from portal.core import health
from portal.payments import urls as payments_urls
from portal.site import views

# One 429 page for allauth's limits and ours (portal/core/ratelimit.py).
handler429 = "portal.core.ratelimit.too_many_requests"
# The site's pages for people, the API's JSON for /api/ and JSON clients (portal/core/errors.py).
handler400 = "portal.core.errors.bad_request"
handler404 = "portal.core.errors.not_found"
handler500 = "portal.core.errors.server_error"

urlpatterns = [
    path("health/", health.health, name="health"),
    path("accounts/", include("portal.accounts.urls")),  # My account, before allauth's own pages
    path("accounts/", include("allauth.urls")),
    path("payments/", include(payments_urls)),
    path("api/", include("portal.api.urls")),
    # /join/ itself is the Wagtail JoinPage; its form and waiting list are Django views.
    path("join/", include("members.urls")),
    # Join, edit and leave the individual membership; the list and profiles are the directory page's routes.
    path("members/individuals/", include((individual_urlpatterns, "individuals"))),
    # The member admin pages and invitation links; /members/ and /members/<slug>/ stay Wagtail's.
    path("members/", include("members.manage.urls")),
    path("adoption/survey/", adoption_views.survey, name="adoption-survey"),
    # One log-in for everyone: both admins send people to allauth's page (403 if already logged in).
    path("admin/login/", account_views.admin_login, name="admin_login"),
    path("django-admin/login/", account_views.admin_login),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", views.search, name="search"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # Only /events/<slug>/register/ and /events/<slug>/order/…: Wagtail owns /events/ and /events/<slug>/.
    path("events/", include("events.urls")),
    path("elections/", include("elections.urls")),
]

if settings.SERVE_MEDIA:
    # Local uploads served by Django: development, or one host without a bucket (README, Production).
    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            serve_media,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

urlpatterns += [path("", include(wagtail_urls))]
