from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx answer."""

    message = serializers.CharField()
    code = serializers.CharField()
    extra = serializers.DictField()
