"""/api/v1/adoption/ and /api/v1/public-clouds/: published aggregates only, never raw responses."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from portal.adoption import selectors
from portal.adoption.disclosure import current_rule
from portal.adoption.models import EditionAggregate, format_cores
from portal.api.http import PublicEndpointMixin
from portal.api.routers import router
from portal.api.serializers import ErrorSerializer

# The charts of the /adoption/ page whose CSV holds one edition's breakdown (see charts.py).
SEGMENT_CSVS = ("industries", "deployment-types")


class SegmentSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='The choice\'s slug (industry, ISO country code, …) or "other".')
    label = serializers.CharField()
    responses = serializers.IntegerField(
        allow_null=True, help_text="Responses in this segment; null when withheld (see reason)."
    )
    cores = serializers.IntegerField(
        allow_null=True, help_text="Cores in production reported by those responses; null when withheld."
    )
    suppressed = serializers.BooleanField(help_text="True when the rule withholds a figure of this segment.")
    reason = serializers.CharField(
        allow_null=True, help_text='Why, e.g. "fewer than 5 responses"; null when nothing is withheld.'
    )


class PublicCloudSerializer(serializers.Serializer):
    name = serializers.CharField()
    country = serializers.CharField(
        allow_null=True,
        help_text="ISO 3166-1 alpha-2 code; null unless that country is a published segment of the survey.",
    )
    regions = serializers.ListField(child=serializers.CharField())


class RuleSerializer(serializers.Serializer):
    min_segment_responses = serializers.IntegerField(help_text="Fewest responses a published figure rests on.")
    dominance_share = serializers.FloatField(
        help_text="Largest share of a published sum of cores that a single response may make up."
    )
    description = serializers.CharField()


class ProvenanceSerializer(serializers.Serializer):
    """Where the figures come from, for a business case to cite."""

    edition = serializers.IntegerField(help_text="The survey edition (year).")
    responses = serializers.IntegerField(help_text="Approved responses the figures were computed from.")
    computed_at = serializers.DateTimeField()
    rule = RuleSerializer(help_text="The disclosure rule applied to small segments.")
    csv = serializers.ListField(child=serializers.URLField(), help_text="The same figures as CSV files.")


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
    provenance = serializers.SerializerMethodField()

    segment_csvs = False

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
            "provenance",
        ]

    def get_headline_cores(self, aggregate) -> str:
        return format_cores(aggregate.total_cores)

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, aggregate) -> str:
        return self._absolute(reverse("adoption-detail", kwargs={"year": aggregate.edition.year}))

    @extend_schema_field(ProvenanceSerializer)
    def get_provenance(self, aggregate) -> dict:
        return {
            "edition": aggregate.edition.year,
            "responses": aggregate.sample_size,
            "computed_at": serializers.DateTimeField().to_representation(aggregate.computed_at),
            "rule": aggregate.rule.as_dict(),
            "csv": self._csv_urls(aggregate),
        }

    def _csv_urls(self, aggregate) -> list[str]:
        base = self.context.get("csv_base")
        if not base:
            return []
        year = aggregate.edition.year
        segments = [f"{base}data/{name}/?year={year}" for name in SEGMENT_CSVS] if self.segment_csvs else []
        return [self._absolute(f"{base}data/cores/")] + [self._absolute(url) for url in segments]


class EditionAggregateSerializer(EditionSummarySerializer):
    """All published figures of one edition, each withheld one marked with the reason (see provenance.rule)."""

    previous_total_cores = serializers.IntegerField(allow_null=True)
    by_industry = SegmentSerializer(many=True)
    by_country = SegmentSerializer(many=True)
    by_deployment_type = SegmentSerializer(many=True)
    by_project = SegmentSerializer(
        many=True, help_text="A response may use several projects, so these may add up to more than sample_size."
    )
    public_clouds = PublicCloudSerializer(many=True, help_text="Providers that agreed to be listed.")
    segment_csvs = True

    class Meta(EditionSummarySerializer.Meta):
        fields = EditionSummarySerializer.Meta.fields + [
            "previous_total_cores",
            "by_industry",
            "by_country",
            "by_deployment_type",
            "by_project",
            "public_clouds",
        ]


METHODOLOGY = (
    "Figures of the foundation's user survey, computed from the responses staff approved, once per "
    "edition after it has closed (an open edition is never published, and figures do not move with each "
    "approval). Each edition carries its provenance: the edition, the number of responses, when the "
    "figures were computed, and the disclosure rule applied. The rule: "
    + current_rule().description
    + ' A withheld figure is null, with "suppressed": true and the reason. Growth compares two closed, '
    "published editions. The same figures are downloadable as CSV from the /adoption/ page."
)


@extend_schema_view(
    list=extend_schema(
        summary="Survey editions with their headline figures",
        description="Published editions, oldest first.\n\n" + METHODOLOGY,
    ),
    retrieve=extend_schema(
        summary="One edition's aggregates",
        description="Every breakdown of one published edition.\n\n" + METHODOLOGY,
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

    def get_serializer_context(self):
        page = selectors.adoption_page()
        csv_base = page.get_url(self.request) if page is not None else None
        return {**super().get_serializer_context(), "csv_base": csv_base}


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
