"""The schema documents the bearer scheme, every 4xx in the error format, and conditional GETs."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_the_bearer_token_scheme_is_published(schema):
    assert schema["components"]["securitySchemes"]["tokenAuth"]["type"] == "http"
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"
    for _path, _method, operation in _operations(schema):
        assert {"tokenAuth": []} in operation["security"]


def test_every_operation_documents_its_errors_in_the_one_error_format(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"message", "code", "extra"}
    for path, method, operation in _operations(schema):
        expected = {"401", "404", "429"}
        if any(parameter["in"] == "query" for parameter in operation.get("parameters", [])):
            expected.add("400")
        if {} not in operation["security"]:
            expected.add("403")
        assert expected <= set(operation["responses"]), f"{method.upper()} {path}"
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, (
                    f"{method.upper()} {path} {status}"
                )


def test_every_public_get_documents_the_conditional_get(schema):
    public_gets = [(p, o) for p, m, o in _operations(schema) if m == "get" and {} in o["security"]]
    assert len(public_gets) >= 10
    for path, operation in public_gets:
        assert "304" in operation["responses"], f"{path} is public but not behind PublicEndpointMixin"
        assert "ETag" in operation["responses"]["200"]["headers"]
        assert any(p["name"] == "If-None-Match" for p in operation["parameters"])


def test_the_schema_is_built_by_one_thread_at_a_time(client, monkeypatch):
    """Two threads building the schema at once crashed drf-spectacular (a 500 under gunicorn's threads)."""
    import threading
    import time

    from drf_spectacular.generators import SchemaGenerator

    from portal.api.views import SchemaView

    building, most = [0], [0]
    guard = threading.Lock()
    original = SchemaGenerator.get_schema

    def watched(self, *args, **kwargs):
        with guard:
            building[0] += 1
            most[0] = max(most[0], building[0])
        time.sleep(0.2)  # long enough for the other thread to arrive while this one builds
        try:
            return original(self, *args, **kwargs)
        finally:
            with guard:
                building[0] -= 1

    monkeypatch.setattr(SchemaGenerator, "get_schema", watched)
    SchemaView.forget()
    statuses = []
    threads = [threading.Thread(target=lambda: statuses.append(client.get("/api/schema/").status_code)) for _ in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200]
    assert most[0] == 1


def test_the_schema_is_built_once_per_format_and_answered_the_same(client, monkeypatch):
    """It describes the code, not the data: a process builds each format once (about 100 ms), then
    answers the same bytes; JSON and YAML are each their own."""
    from drf_spectacular.generators import SchemaGenerator

    from portal.api.views import SchemaView

    builds = []
    original = SchemaGenerator.get_schema

    def counted(self, *args, **kwargs):
        builds.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    SchemaView.forget()
    as_json = [client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json") for _ in range(3)]
    assert len(builds) == 1
    assert {r.content for r in as_json} == {as_json[0].content}
    assert as_json[0]["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert as_json[0].json()["info"]["title"] == "Guildhall API"
    as_yaml = client.get("/api/schema/")
    assert len(builds) == 2
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert as_yaml.content.startswith(b"openapi:")
    assert 'filename="Guildhall API.yaml"' in as_yaml["Content-Disposition"]


def test_a_settings_change_forgets_the_built_schema(client, settings):
    from portal.api.views import SchemaView

    client.get("/api/schema/")
    assert SchemaView._rendered
    settings.SPECTACULAR_SETTINGS = {**settings.SPECTACULAR_SETTINGS, "TITLE": "Renamed"}
    assert not SchemaView._rendered
