"""/api/v1/projects/: the foundation's projects, read from their pages."""

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from wagtail.rich_text import expand_db_html

from portal.api.filters import StrictFilterBackend
from portal.api.http import PublicEndpointMixin
from portal.api.routers import router
from portal.api.serializers import ErrorSerializer
from portal.site.pages.projects import ProjectPage, ProjectStatus
from portal.site.selectors import projects_for_api


class ProjectReferenceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField(source="title")


class OrganizationReferenceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class LatestReleaseSerializer(serializers.Serializer):
    name = serializers.CharField(source="latest_release_name")
    date = serializers.DateField(source="latest_release_date", allow_null=True)


class ProjectSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="title")
    url = serializers.SerializerMethodField(help_text="The project's page on the website.")
    description = serializers.SerializerMethodField(help_text="HTML.")
    governance = serializers.SerializerMethodField(help_text="HTML.")
    logo = serializers.SerializerMethodField(help_text="Absolute URL of the logo, or null.")
    latest_release = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    related_projects = ProjectReferenceSerializer(many=True)
    contributing_organizations = OrganizationReferenceSerializer(many=True)

    class Meta:
        model = ProjectPage
        fields = [
            "slug",
            "name",
            "url",
            "tagline",
            "description",
            "status",
            "founded_year",
            "website",
            "repository",
            "documentation",
            "latest_release",
            "governance",
            "logo",
            "tags",
            "related_projects",
            "contributing_organizations",
        ]

    def get_url(self, project) -> str:
        request = self.context["request"]
        return request.build_absolute_uri(project.get_url(request))

    def get_description(self, project) -> str:
        return expand_db_html(project.description)

    def get_governance(self, project) -> str:
        return expand_db_html(project.governance)

    def get_logo(self, project) -> str | None:
        if project.logo is None:
            return None
        return self.context["request"].build_absolute_uri(project.logo.file.url)

    @extend_schema_field(LatestReleaseSerializer(allow_null=True))
    def get_latest_release(self, project) -> dict | None:
        if not project.latest_release_name:
            return None
        return LatestReleaseSerializer(project).data

    def get_tags(self, project) -> list[str]:
        return sorted(tag.name for tag in project.tags.all())


class ProjectFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices)
    tag = django_filters.CharFilter(field_name="tags__slug", help_text="A tag's slug, e.g. edge.", distinct=True)

    class Meta:
        model = ProjectPage
        fields = ["status", "tag"]


@extend_schema_view(
    list=extend_schema(summary="The foundation's projects"),
    retrieve=extend_schema(summary="One project", responses={200: ProjectSerializer, 404: ErrorSerializer}),
)
@extend_schema_view(
    retrieve=extend_schema(
        parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH, description="The project's slug.")]
    )
)
class ProjectViewSet(PublicEndpointMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ProjectSerializer
    lookup_field = "slug"
    filter_backends = [StrictFilterBackend]
    filterset_class = ProjectFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database needed
            return ProjectPage.objects.none()
        return projects_for_api()


router.register("projects", ProjectViewSet, basename="project")
