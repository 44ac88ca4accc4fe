"""Exports for other tools: members and projects as CSV, and both as a CNCF `landscape.yml`.

The YAML follows the landscape format as landscape sites read it (cncf/landscape and landscape2):

    landscape:
      - category:
        name: Members
        subcategories:
          - subcategory:
            name: Platinum
            items:
              - item:
                name: Acme
                homepage_url: https://acme.example/
                logo: https://portal.example/media/organizations/logos/acme.svg
                description: …

i.e. `category:`, `subcategory:` and `item:` are empty markers beside the entry's own keys. Logos are
absolute URLs; a landscape that needs files in `hosted_logos` downloads them from there.
"""

from __future__ import annotations

import json

import yaml
from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import renderers
from rest_framework.response import Response
from rest_framework.views import APIView

from members.selectors import members_for_directory, tiers_in_rank_order
from portal.api.http import PublicEndpointMixin
from portal.core.countries import country_code
from portal.core.csv_writer import csv_text
from portal.site.pages.projects import ProjectStatus
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


def landscape(request) -> dict:
    """The members (one subcategory per tier, in rank order) and the projects (one per status)."""
    members_by_tier: dict[int, list[dict]] = {}
    for organization in members_for_directory():
        item = {
            "item": None,
            "name": organization.name,
            "homepage_url": organization.website or _absolute(request, f"/members/{organization.slug}/"),
        }
        if organization.logo:
            item["logo"] = _absolute(request, organization.logo.url)
        if organization.description:
            item["description"] = organization.description
        members_by_tier.setdefault(organization.tier_id, []).append(item)
    member_subcategories = [
        {"subcategory": None, "name": tier.name, "items": members_by_tier[tier.pk]}
        for tier in tiers_in_rank_order()
        if tier.pk in members_by_tier
    ]
    projects_by_status: dict[str, list[dict]] = {}
    for project in projects_for_api():
        item = {
            "item": None,
            "name": project.title,
            "homepage_url": project.website or _absolute(request, project.get_url(request)),
        }
        if project.logo_id:
            item["logo"] = _project_logo(request, project)
        if project.tagline:
            item["description"] = project.tagline
        if project.repository:
            item["repo_url"] = project.repository
        item["project"] = project.status
        projects_by_status.setdefault(project.status, []).append(item)
    project_subcategories = [
        {"subcategory": None, "name": label, "items": projects_by_status[value]}
        for value, label in ProjectStatus.choices
        if value in projects_by_status
    ]
    foundation = settings.WAGTAIL_SITE_NAME
    categories = []
    if project_subcategories:
        categories.append({"category": None, "name": f"{foundation} Projects", "subcategories": project_subcategories})
    if member_subcategories:
        categories.append({"category": None, "name": f"{foundation} Members", "subcategories": member_subcategories})
    return {"landscape": categories}


class _LandscapeDumper(yaml.SafeDumper):
    """Writes None as an empty value, so markers read `- category:` as in upstream files, and indents
    lists under their key as those files do."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


_LandscapeDumper.add_representer(type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", ""))


def landscape_yaml(data: dict) -> str:
    return yaml.dump(data, Dumper=_LandscapeDumper, sort_keys=False, allow_unicode=True, width=1000)


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


class _ExportView(PublicEndpointMixin, APIView):
    filename = ""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            response["Content-Disposition"] = f'inline; filename="{self.filename}"'
        return response


class _IgnoreAccept:
    """Exports have one format each: serve it whatever the client's Accept header says."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


class MembersCSVView(_ExportView):
    renderer_classes = [CSVRenderer]
    content_negotiation_class = _IgnoreAccept
    filename = "members.csv"

    @extend_schema(
        summary="Current members as CSV",
        description=f"Columns: {', '.join(MEMBER_COLUMNS)}. Cells that would start a spreadsheet formula are prefixed with '.",
        responses={200: OpenApiResponse(OpenApiTypes.STR, description="text/csv")},
    )
    def get(self, request):
        return Response(csv_text(MEMBER_COLUMNS, _member_rows(request)))


class ProjectsCSVView(_ExportView):
    renderer_classes = [CSVRenderer]
    content_negotiation_class = _IgnoreAccept
    filename = "projects.csv"

    @extend_schema(
        summary="The foundation's projects as CSV",
        description=f"Columns: {', '.join(PROJECT_COLUMNS)}. Tags are space-separated slugs.",
        responses={200: OpenApiResponse(OpenApiTypes.STR, description="text/csv")},
    )
    def get(self, request):
        return Response(csv_text(PROJECT_COLUMNS, _project_rows(request)))


_ITEM = {
    "type": "object",
    "required": ["item", "name", "homepage_url"],
    "properties": {
        "item": {"type": "null"},
        "name": {"type": "string"},
        "homepage_url": {"type": "string", "format": "uri"},
        "logo": {"type": "string", "format": "uri"},
        "description": {"type": "string"},
        "repo_url": {"type": "string", "format": "uri"},
        "project": {"type": "string", "description": "The project's status (maturity)."},
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
    content_negotiation_class = _IgnoreAccept
    filename = "landscape.yml"

    @extend_schema(
        summary="Projects and members as a CNCF landscape.yml",
        description="Two categories, projects (a subcategory per status) and members (a subcategory per tier), "
        "in the format landscape sites ingest (`category:`/`subcategory:`/`item:` markers beside name, "
        "homepage_url, logo, description).",
        responses={200: OpenApiResponse(LANDSCAPE_SCHEMA, description="The landscape, as YAML.")},
    )
    def get(self, request):
        return Response(landscape_yaml(landscape(request)))
