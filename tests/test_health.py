import pytest


@pytest.mark.django_db
def test_health_reports_each_part(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    assert body["checks"]["broker"] == "eager"


@pytest.mark.django_db
def test_health_names_a_broker_that_is_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from portal.celery import app

    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/health/")
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["broker"]
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_health_names_a_cache_that_is_down(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "portal.core.cache_backends.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["down"] == ["cache"]
