"""OpenAPI generation hooks."""


def only_public_api(endpoints):
    """Keep /api/v1/ in the schema; Wagtail's admin API and the rest are not ours to publish."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
