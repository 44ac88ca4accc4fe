import threading

from django.http import JsonResponse
from django.urls import NoReverseMatch, reverse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.http import PublicEndpointMixin
from portal.api.routers import router


class ApiRootView(PublicEndpointMixin, APIView):
    """Entry point of /api/v1/: the collections this API offers, with their URLs."""

    @extend_schema(
        responses=inline_serializer(
            "ApiRoot",
            {
                "resources": serializers.DictField(child=serializers.URLField()),
                "exports": serializers.DictField(child=serializers.URLField()),
                "docs": serializers.URLField(),
            },
        )
    )
    def get(self, request):
        resources = {}
        for prefix, _viewset, basename in router.registry:
            try:
                resources[prefix] = request.build_absolute_uri(reverse(f"{basename}-list"))
            except NoReverseMatch:
                continue
        exports = {
            name: request.build_absolute_uri(reverse(url_name))
            for name, url_name in (
                ("members.csv", "export-members-csv"),
                ("projects.csv", "export-projects-csv"),
                ("landscape.yml", "export-landscape"),
                ("landscape.zip", "export-landscape-zip"),
            )
        }
        return Response(
            {"resources": resources, "exports": exports, "docs": request.build_absolute_uri(reverse("api-docs"))}
        )


@csrf_exempt  # a POST to an unknown path is a 404 in the API's format, not Django's HTML CSRF page
def not_found(request, *args, **kwargs):
    """Paths under /api/ that match nothing answer in the API's error format, not Wagtail's 404 page."""

    return JsonResponse(
        {"message": f"No API resource at {request.path}.", "code": "not_found", "extra": {}}, status=404
    )


class SchemaView(SpectacularAPIView):
    """/api/schema/, built by one thread at a time: drf-spectacular's generator keeps per-run state in
    module globals, and two threads of one gunicorn worker building it at once answered a 500
    (tfranzel/drf-spectacular#1123)."""

    _generating = threading.Lock()

    def _get_schema_response(self, request):
        with self._generating:
            return super()._get_schema_response(request)
