"""/api/v1/adoption/ and /api/v1/public-clouds/: published aggregates only, never raw responses."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from portal.adoption import selectors
from portal.adoption.models import EditionAggregate, format_cores
from portal.api.http import PublicEndpointMixin
from portal.api.routers import router
from portal.api.serializers import ErrorSerializer


class SegmentSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='The choice\'s slug (industry, ISO country code, …) or "other".')
    label = serializers.CharField()
    responses = serializers.IntegerField(help_text="Responses in this segment (at least 5, except for other).")
    cores = serializers.IntegerField(help_text="Cores in production reported by those responses.")


class PublicCloudSerializer(serializers.Serializer):
    name = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2 code.")
    regions = serializers.ListField(child=serializers.CharField())


class PublicCloudListingSerializer(PublicCloudSerializer):
    years = serializers.ListField(child=serializers.IntegerField(), help_text="Survey editions that listed it.")
    first_listed = serializers.IntegerField()


class EditionSummarySerializer(serializers.ModelSerializer):
    """One edition's headline figures and sample size."""

    year = serializers.IntegerField(source="edition.year")
    opens = serializers.DateTimeField(source="edition.opens")
    closes = serializers.DateTimeField(source="edition.closes")
    headline_cores = serializers.SerializerMethodField(help_text='Total cores as a headline, e.g. "40M+".')
    growth_percent = serializers.DecimalField(
        max_digits=9, decimal_places=1, coerce_to_string=False, allow_null=True, read_only=True
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = EditionAggregate
        fields = [
            "year",
            "url",
            "opens",
            "closes",
            "sample_size",
            "total_cores",
            "headline_cores",
            "total_deployments",
            "growth_percent",
            "computed_at",
        ]

    def get_headline_cores(self, aggregate) -> str:
        return format_cores(aggregate.total_cores)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, aggregate) -> str:
        path = reverse("adoption-detail", kwargs={"year": aggregate.edition.year})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class EditionAggregateSerializer(EditionSummarySerializer):
    """All published aggregates of one edition; segments under 5 responses are folded into "other"."""

    previous_total_cores = serializers.IntegerField(allow_null=True)
    by_industry = SegmentSerializer(many=True)
    by_country = SegmentSerializer(many=True)
    by_deployment_type = SegmentSerializer(many=True)
    by_project = SegmentSerializer(
        many=True, help_text="A response may use several projects, so these may add up to more than sample_size."
    )
    public_clouds = PublicCloudSerializer(many=True, help_text="Providers that agreed to be listed.")

    class Meta(EditionSummarySerializer.Meta):
        fields = EditionSummarySerializer.Meta.fields + [
            "previous_total_cores",
            "by_industry",
            "by_country",
            "by_deployment_type",
            "by_project",
            "public_clouds",
        ]


@extend_schema_view(
    list=extend_schema(
        summary="Survey editions with their headline figures",
        description="Published editions, oldest first. An edition with fewer than 5 approved responses is not published.",
    ),
    retrieve=extend_schema(
        summary="One edition's aggregates",
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: EditionAggregateSerializer, 404: ErrorSerializer},
    ),
)
class AdoptionViewSet(PublicEndpointMixin, viewsets.ReadOnlyModelViewSet):
    """The user survey's published figures per edition."""

    lookup_field = "edition__year"
    lookup_url_kwarg = "year"
    lookup_value_regex = r"\d{4}"
    filter_backends: list = []

    def get_queryset(self):
        return selectors.editions_with_aggregates()

    def get_serializer_class(self):
        return EditionSummarySerializer if self.action == "list" else EditionAggregateSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Public clouds listed by the survey",
        description="Providers running public clouds on open infrastructure that agreed to be listed, across editions.",
    )
)
class PublicCloudViewSet(PublicEndpointMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Consenting public clouds, from the stored aggregates."""

    serializer_class = PublicCloudListingSerializer
    filter_backends: list = []

    def get_queryset(self):  # pragma: no cover - the list is built from aggregates, see list()
        return EditionAggregate.objects.none()

    def list(self, request, *args, **kwargs):
        clouds = selectors.public_clouds()
        page = self.paginate_queryset(clouds)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(clouds, many=True).data)


router.register("adoption", AdoptionViewSet, basename="adoption")
router.register("public-clouds", PublicCloudViewSet, basename="public-cloud")
