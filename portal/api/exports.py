"""Exports for other tools: members and projects as CSV, and both as a CNCF landscape (portal/api/landscape.py):
`landscape.yml` alone, or `landscape.zip` with the logos and a settings stub, ready for landscape2 to build.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import renderers
from rest_framework.response import Response
from rest_framework.views import APIView

from members.selectors import members_for_directory
from portal.api.http import PublicEndpointMixin
from portal.api.landscape import LANDSCAPE2_MATURITIES, landscape, landscape_yaml, landscape_zip
from portal.core.countries import country_code
from portal.core.csv_writer import csv_text
from portal.site.selectors import projects_for_api


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if url else ""


# --- Rows -----------------------------------------------------------------------------------

MEMBER_COLUMNS = [
    "slug",
    "name",
    "tier",
    "tier_rank",
    "website",
    "country",
    "country_code",
    "industry",
    "description",
    "logo_url",
    "url",
]
PROJECT_COLUMNS = [
    "slug",
    "name",
    "status",
    "tagline",
    "website",
    "repository",
    "documentation",
    "founded_year",
    "latest_release",
    "latest_release_date",
    "tags",
    "logo_url",
    "url",
]


def _member_rows(request):
    for organization in members_for_directory():
        yield [
            organization.slug,
            organization.name,
            organization.tier_name,
            organization.tier_rank,
            organization.website,
            organization.country,
            country_code(organization.country),
            organization.industry,
            organization.description,
            _absolute(request, organization.logo.url) if organization.logo else "",
            _absolute(request, f"/members/{organization.slug}/"),
        ]


def _project_logo(request, project) -> str:
    return _absolute(request, project.logo.file.url) if project.logo_id else ""


def _project_rows(request):
    for project in projects_for_api():
        yield [
            project.slug,
            project.title,
            project.status,
            project.tagline,
            project.website,
            project.repository,
            project.documentation,
            project.founded_year or "",
            project.latest_release_name,
            project.latest_release_date.isoformat() if project.latest_release_date else "",
            " ".join(sorted(tag.slug for tag in project.tags.all())),
            _project_logo(request, project),
            _absolute(request, project.get_url(request)),
        ]


# --- Views ----------------------------------------------------------------------------------


class _TextRenderer(renderers.BaseRenderer):
    """Renders the view's text as is; an error (a dict) as JSON in the API's error format."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode(self.charset)
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data).encode()


class CSVRenderer(_TextRenderer):
    media_type = "text/csv"
    format = "csv"


class YAMLRenderer(_TextRenderer):
    media_type = "application/yaml"
    format = "yml"


class _IgnoreAccept:
    """Exports have one format each: serve it whatever the client's Accept header says."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


class _ExportView(PublicEndpointMixin, APIView):
    content_negotiation_class = _IgnoreAccept
    filename = ""
    disposition = "inline"

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            response["Content-Disposition"] = f'{self.disposition}; filename="{self.filename}"'
        return response


class _CSVExportView(_ExportView):
    """One table as CSV: `columns` and the `rows` a request may see."""

    renderer_classes = [CSVRenderer]
    columns: list[str]

    def rows(self, request) -> Iterable[list]:
        raise NotImplementedError

    def get(self, request):
        return Response(csv_text(self.columns, self.rows(request)))


def _csv_schema(summary: str, description: str):
    return extend_schema_view(
        get=extend_schema(
            summary=summary,
            description=description,
            responses={200: OpenApiResponse(OpenApiTypes.STR, description="text/csv")},
        )
    )


@_csv_schema(
    "Current members as CSV",
    f"Columns: {', '.join(MEMBER_COLUMNS)}. Cells that would start a spreadsheet formula are prefixed with '.",
)
class MembersCSVView(_CSVExportView):
    filename = "members.csv"
    columns = MEMBER_COLUMNS

    def rows(self, request) -> Iterable[list]:
        return _member_rows(request)


@_csv_schema(
    "The foundation's projects as CSV", f"Columns: {', '.join(PROJECT_COLUMNS)}. Tags are space-separated slugs."
)
class ProjectsCSVView(_CSVExportView):
    filename = "projects.csv"
    columns = PROJECT_COLUMNS

    def rows(self, request) -> Iterable[list]:
        return _project_rows(request)


_ITEM = {
    "type": "object",
    "required": ["item", "name", "homepage_url", "logo"],
    "properties": {
        "item": {"type": "null"},
        "name": {"type": "string"},
        "homepage_url": {"type": "string", "format": "uri"},
        "logo": {"type": "string", "description": "A file name under hosted_logos/ (in landscape.zip)."},
        "description": {"type": "string"},
        "repo_url": {"type": "string", "format": "uri"},
        "project": {
            "type": "string",
            "enum": list(LANDSCAPE2_MATURITIES),
            "description": "The project's maturity, mapped from its status.",
        },
        "joined": {"type": "string", "format": "date", "description": "When a member joined."},
        "extra": {"type": "object", "properties": {"joined": {"type": "string", "format": "date"}}},
    },
}
LANDSCAPE_SCHEMA = {
    "type": "object",
    "required": ["landscape"],
    "properties": {
        "landscape": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["category", "name", "subcategories"],
                "properties": {
                    "category": {"type": "null"},
                    "name": {"type": "string"},
                    "subcategories": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["subcategory", "name", "items"],
                            "properties": {
                                "subcategory": {"type": "null"},
                                "name": {"type": "string"},
                                "items": {"type": "array", "items": _ITEM},
                            },
                        },
                    },
                },
            },
        }
    },
}


class LandscapeView(_ExportView):
    renderer_classes = [YAMLRenderer]
    filename = "landscape.yml"

    @extend_schema(
        summary="Projects and members as a CNCF landscape.yml",
        description="Two categories, projects (a subcategory per status) and members (a subcategory per tier), "
        "in the format landscape sites ingest (`category:`/`subcategory:`/`item:` markers beside name, "
        "homepage_url, logo, description).",
        responses={200: OpenApiResponse(LANDSCAPE_SCHEMA, description="The landscape, as YAML.")},
    )
    def get(self, request):
        return Response(landscape_yaml(landscape(request.build_absolute_uri).data))


class ZipRenderer(renderers.BaseRenderer):
    media_type = "application/zip"
    format = "zip"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data).encode()


class LandscapeZipView(_ExportView):
    renderer_classes = [ZipRenderer]
    filename = "landscape.zip"
    disposition = "attachment"

    @extend_schema(
        summary="A landscape bundle that landscape2 builds",
        description="A zip of `landscape.yml` (as /api/v1/exports/landscape.yml), `hosted_logos/` with every item's "
        "logo named from its slug (a placeholder SVG where there is none), a `settings.yml` stub and a README "
        "listing the logos that are raster only.",
        responses={200: OpenApiResponse(OpenApiTypes.BINARY, description="application/zip")},
    )
    def get(self, request):
        return Response(landscape_zip(request.build_absolute_uri))
