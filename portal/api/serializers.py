from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.core.countries import country_code


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx answer."""

    message = serializers.CharField()
    code = serializers.CharField()
    extra = serializers.DictField()


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "pattern": "^[A-Z]{2}$",
        "description": "ISO 3166-1 alpha-2 code of the country, or null when the country is not one we recognise.",
    }
)
class CountryCodeField(serializers.Field):
    """The ISO code beside a country stored as its name."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("source", "country")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> str | None:
        return country_code(value) or None
