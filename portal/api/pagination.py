import re

from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import pagination, serializers
from rest_framework.exceptions import ValidationError

from portal.api.filters import single_values


def _whole_number(query_params, name: str, *, maximum: int | None = None) -> int | None:
    raw = single_values(query_params, [name]).get(name)
    if raw is None:
        return None
    try:
        number = int(raw) if re.fullmatch(r"[0-9]+", raw) else 0  # not int(): it takes " 5", "+5" and "5_0"
    except ValueError:  # more digits than Python converts
        number = 0
    if number < 1 or (maximum is not None and number > maximum):
        upper = f" to {maximum}" if maximum is not None else " or more"
        raise ValidationError({name: [f"A whole number from 1{upper}."]})
    return number


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages of 50 by default; clients may ask for up to 200 with ?page_size=.

    A page or page_size that is blank or not a whole number in range is a 400 naming it (DRF would answer
    404, or silently ignore or clamp it); a valid page number past the last page is a 404.
    """

    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = ()  # the schema says page is an integer: "last" is not one

    def get_page_size(self, request):
        _whole_number(request.query_params, self.page_size_query_param, maximum=self.max_page_size)
        return super().get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        _whole_number(request.query_params, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)

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
