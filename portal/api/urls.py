from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView

from portal.api import exports
from portal.api.routers import router
from portal.api.views import ApiRootView, SchemaView, not_found

urlpatterns = [
    path("v1/", ApiRootView.as_view(), name="api-root"),
    path("v1/exports/members.csv", exports.MembersCSVView.as_view(), name="export-members-csv"),
    path("v1/exports/projects.csv", exports.ProjectsCSVView.as_view(), name="export-projects-csv"),
    path("v1/exports/landscape.yml", exports.LandscapeView.as_view(), name="export-landscape"),
    path("v1/exports/landscape.zip", exports.LandscapeZipView.as_view(), name="export-landscape-zip"),
    path("v1/", include(router.urls)),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's script as a file, so no inline script is needed.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^.*$", not_found),
]
