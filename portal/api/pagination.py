from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import pagination, serializers
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages of 50 by default; clients may ask for up to 200 with ?page_size=.

    A page_size that is not a whole number from 1 to 200 is a 400 (DRF would silently ignore or clamp it).
    """

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None:
            try:
                if not 1 <= int(raw) <= self.max_page_size:
                    raise ValueError
            except ValueError:
                raise ValidationError({"page_size": ["A whole number from 1 to 200."]}) from None
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            elif parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


PAGE = OpenApiParameter(
    "page", {"type": "integer", "minimum": 1}, description="A page number within the paginated result set."
)
PAGE_SIZE = OpenApiParameter(
    "page_size", {"type": "integer", "minimum": 1, "maximum": 200}, description="Results per page (default 50)."
)


def paginated(serializer_class, name: str):
    """The schema of a page of `serializer_class`, for actions that paginate by hand (detail=True routes)."""
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )
