"""Query parameters held to their schema: a value the API cannot use is a 400 naming the parameter.

django-filter and DRF are lenient by default: `?status=` is "no filter", `?ordering=nonsense` is
ignored, `?status=a&status=b` silently keeps the last one. A tool that sends such a request has a bug,
and an answer that looks like success hides it, so every /api/v1/ list rejects them instead.
"""

from __future__ import annotations

from collections.abc import Iterable

import django_filters
from django.http import QueryDict
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from portal.core.countries import stored_values_for


def single_values(query_params: QueryDict, names: Iterable[str]) -> dict[str, str]:
    """The non-empty, given-once values of `names` in the query; a blank or repeated one is a 400."""
    values = {}
    for name in names:
        given = query_params.getlist(name)
        if not given:
            continue
        if len(given) > 1:
            raise ValidationError({name: ["Give this parameter once."]})
        if not given[0]:
            raise ValidationError({name: ["This parameter may not be empty: leave it out to not filter by it."]})
        values[name] = given[0]
    return values


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter whose filters refuse blank and repeated values (invalid ones are a 400 already)."""

    raise_exception = True

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            single_values(request.query_params, filterset_class.base_filters)
        return super().filter_queryset(request, queryset, view)


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` takes the view's `ordering_fields`, optionally with `-` and comma-separated; anything
    else is a 400 rather than silently ignored."""

    def get_ordering(self, request, queryset, view):
        given = single_values(request.query_params, [self.ordering_param]).get(self.ordering_param)
        if given is None:
            return self.get_default_ordering(view)
        allowed = {name for name, _label in self.get_valid_fields(queryset, view, {"request": request})}
        terms = [term.strip() for term in given.split(",")]
        unknown = [term for term in terms if term.removeprefix("-") not in allowed]
        if unknown:
            raise ValidationError(
                {self.ordering_param: [f"Order by one of: {', '.join(sorted(allowed))} (prefix - for descending)."]}
            )
        return terms

    def get_schema_operation_parameters(self, view):
        fields = getattr(view, "ordering_fields", None) or []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Order by a field; prefix it with - for descending.",
                "schema": {"type": "string", "enum": [value for field in fields for value in (field, f"-{field}")]},
            }
        ]


class CountryFilter(django_filters.CharFilter):
    """A country by ISO 3166-1 alpha-2 code or English name, any case: `NO`, `no` and `Norway` find the same
    rows, whichever of them the row stores."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("field_name", "country")
        kwargs.setdefault("help_text", "An ISO 3166-1 alpha-2 code (NO) or an English name (Norway).")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        stored = qs.order_by().values_list(self.field_name, flat=True).distinct()
        return qs.filter(**{f"{self.field_name}__in": stored_values_for(value, stored)})
