import re

import pytest


@pytest.mark.django_db
def test_schema_lists_only_public_api_paths(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["paths"], "the schema should describe at least the API root"
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


@pytest.mark.django_db
def test_docs_load_no_external_script(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert sources, "Swagger UI should be loaded from our own static files"
    assert all(src.startswith("/") and not src.startswith("//") for src in sources)
    assert not re.search(r"<script(?![^>]*src=)[^>]*>\s*\S", html), "no inline script"
    for src in sources:
        assert client.get(src).status_code == 200, src


@pytest.mark.django_db
def test_unknown_api_path_answers_json_error(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"message": "No API resource at /api/v1/nothing-here/.", "code": "not_found", "extra": {}}


def test_error_format_for_validation_and_application_errors(rf):
    from rest_framework import serializers
    from rest_framework.exceptions import NotFound

    from portal.api.errors import exception_handler
    from portal.core.exceptions import ApplicationError

    response = exception_handler(serializers.ValidationError({"email": ["Enter a valid e-mail address."]}), {})
    assert response.status_code == 400
    assert response.data == {
        "message": "email: Enter a valid e-mail address.",
        "code": "invalid",
        "extra": {"fields": {"email": ["Enter a valid e-mail address."]}},
    }
    response = exception_handler(ApplicationError("Sold out.", code="sold_out", extra={"left": 0}), {})
    assert response.status_code == 400
    assert response.data == {"message": "Sold out.", "code": "sold_out", "extra": {"left": 0}}
    response = exception_handler(NotFound(), {})
    assert response.status_code == 404
    assert response.data["code"] == "not_found"
    assert set(response.data) == {"message", "code", "extra"}


@pytest.mark.django_db
def test_api_root_answers_json(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert "resources" in response.json()


def test_page_size_is_bounded():
    from portal.api.pagination import PageNumberPagination

    assert PageNumberPagination.max_page_size == 200
    assert PageNumberPagination.page_size_query_param == "page_size"
