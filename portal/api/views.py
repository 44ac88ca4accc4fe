import threading

from django.core.signals import setting_changed
from django.http import HttpResponse, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
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
    """/api/schema/, built once per process and format and kept as rendered bytes.

    The schema describes the code, not the data (the serializer contexts it builds read pages, but
    nothing they read reaches the schema), so it changes only with a deploy, which restarts the
    processes; building and rendering it costs about 100 ms. A settings change (in tests) forgets it.
    One thread at a time builds: drf-spectacular's generator keeps per-run state in module globals, and
    two threads of one gunicorn worker building it at once answered a 500 (tfranzel/drf-spectacular#1123).
    """

    _generating = threading.Lock()
    _rendered: dict[tuple, tuple[bytes, str, str]] = {}

    @classmethod
    def forget(cls, **kwargs) -> None:
        cls._rendered.clear()

    def get(self, request, *args, **kwargs):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (request.accepted_renderer.format, request.accepted_media_type, version, get_language())
        rendered = self._rendered.get(key)
        if rendered is None:
            with self._generating:
                rendered = self._rendered.get(key) or self._render(request, *args, **kwargs)
                self._rendered[key] = rendered
        content, content_type, disposition = rendered
        return HttpResponse(content, content_type=content_type, headers={"Content-Disposition": disposition})

    def _render(self, request, *args, **kwargs) -> tuple[bytes, str, str]:
        response = super().get(request, *args, **kwargs)
        response.accepted_renderer = request.accepted_renderer
        response.accepted_media_type = request.accepted_media_type
        response.renderer_context = self.get_renderer_context()
        response.render()
        return response.content, response["Content-Type"], response["Content-Disposition"]


setting_changed.connect(SchemaView.forget)
