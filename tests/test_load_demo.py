import pytest
from django.apps import apps
from django.core.management import call_command


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.mark.django_db(transaction=True)
def test_load_demo_is_idempotent_and_serves_home(client):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _row_counts()
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _row_counts() == first
    response = client.get("/")
    assert response.status_code == 200
    assert b"Open Infrastructure Foundation" in response.content
