"""/api/v1/elections/: every election with its periods, and its certified results with the ballots for a recount."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from elections import selectors
from elections.models import Election
from portal.api.http import PublicEndpointMixin
from portal.api.routers import router


class ElectionSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    results_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    candidates = serializers.SerializerMethodField(help_text="Names on the ballot, in ballot-paper order.")

    class Meta:
        model = Election
        fields = [
            "slug",
            "title",
            *Election.RULE_FIELDS,
            *Election.PERIOD_FIELDS,
            "tie_seed",
            "status",
            "candidates",
            "url",
            "page_url",
            "results_url",
        ]

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_url(self, election: Election) -> str:
        return self._absolute(f"/api/v1/elections/{election.slug}/")

    def get_page_url(self, election: Election) -> str:
        return self._absolute(election.get_absolute_url())

    def get_results_url(self, election: Election) -> str:
        return self._absolute(f"/api/v1/elections/{election.slug}/results/")

    def get_candidates(self, election: Election) -> list[str]:
        paper = getattr(election, "ballot_list", None)
        return [c.name for c in (paper if paper is not None else selectors.ballot_paper(election))]


class ResultsSerializer(serializers.Serializer):
    election = serializers.CharField(help_text="The election's slug.")
    certified_at = serializers.DateTimeField()
    winners = serializers.ListField(child=serializers.CharField(), help_text="Names of those elected, in order.")
    names = serializers.DictField(child=serializers.CharField(), help_text="Candidate id (as on ballots) to name.")
    turnout = serializers.DictField(child=serializers.IntegerField())
    tabulation = serializers.JSONField(help_text="The count: tallies, rounds, matrices and tie-breaks applied.")
    ballots = serializers.ListField(child=serializers.JSONField(), help_text="Every ballot's content, sorted.")
    receipts = serializers.ListField(child=serializers.CharField(), help_text="Every receipt code, sorted.")


class ElectionViewSet(PublicEndpointMixin, viewsets.ReadOnlyModelViewSet):
    """Elections, latest first; results once staff have certified them."""

    serializer_class = ElectionSerializer
    lookup_field = "slug"
    filter_backends: list = []

    def get_queryset(self):
        return selectors.elections_listed()

    @extend_schema(responses=ResultsSerializer)
    @action(detail=True, filter_backends=[], pagination_class=None)
    def results(self, request, slug=None):
        """The certified results, with the anonymised ballots and the separate list of receipts (404 before)."""
        election = get_object_or_404(Election, slug=slug)
        results = selectors.certified_results(election)
        if results is None:
            raise Http404("The results are not certified yet.")
        names = results["names"]
        data = {
            "election": election.slug,
            "certified_at": election.certified_at,
            "winners": [names[w] for w in results["tabulation"]["winners"]],
            "names": names,
            "turnout": results["turnout"],
            "tabulation": results["tabulation"],
            "ballots": selectors.published_ballots(election),
            "receipts": selectors.published_receipts(election),
        }
        return Response(ResultsSerializer(data).data)


router.register("elections", ElectionViewSet, basename="election")
