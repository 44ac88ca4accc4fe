"""Staff screens: tokens are created with their secret shown once, scoped, revoked; webhooks registered and replayed."""

import pytest
from django.contrib.auth.models import Permission
from wagtail.models import ModelLogEntry

from portal.api import services
from portal.api.models import ApiToken, DeliveryStatus, WebhookDelivery, WebhookSubscription, hash_secret

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(staff_client_factory):
    return staff_client_factory(superuser=True).user


def test_a_new_token_shows_its_secret_once_and_stores_only_its_hash(client, admin):
    response = client.post("/admin/api-tokens/new/", {"name": "Check-in app", "scopes": ["checkin", "read"]})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret.encode() in response.content
    assert token.secret_hash == hash_secret(secret)
    assert token.scopes == ["read", "checkin"] and token.created_by == admin
    for url in ("/admin/api-tokens/", f"/admin/api-tokens/edit/{token.pk}/"):
        page = client.get(url)
        assert page.status_code == 200
        assert secret.encode() not in page.content
        assert token.prefix.encode() in page.content
    assert ModelLogEntry.objects.filter(action="api.token.create", object_id=str(token.pk)).exists()


def test_staff_change_scopes_and_revoke(client, admin):
    token, secret = services.api_token_create(name="Dashboard", scopes=["read"], actor=admin)
    assert f"/admin/api-tokens/revoke/{token.pk}/".encode() in client.get("/admin/api-tokens/").content
    response = client.post(f"/admin/api-tokens/edit/{token.pk}/", {"name": "Dashboard", "scopes": ["read", "staff"]})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.scopes == ["read", "staff"]
    assert services.api_token_authenticate(secret) == token, "editing keeps the secret"
    assert client.get(f"/admin/api-tokens/revoke/{token.pk}/").status_code == 200
    assert client.post(f"/admin/api-tokens/revoke/{token.pk}/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert services.api_token_authenticate(secret) is None
    assert ModelLogEntry.objects.filter(action="api.token.revoke", object_id=str(token.pk)).exists()


def test_tokens_cannot_be_deleted_from_the_admin(client, admin):
    token, _ = services.api_token_create(name="Dashboard", scopes=["read"], actor=admin)
    client.post(f"/admin/api-tokens/delete/{token.pk}/")
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_the_manage_permission_opens_the_screens_to_a_staff_member(client, staff_groups, staff_client_factory):
    from portal.accounts.groups import EVENTS_STAFF

    person = staff_client_factory(groups=[EVENTS_STAFF]).user
    assert client.get("/admin/api-tokens/", follow=True).redirect_chain, "no access without the permission"
    person.user_permissions.add(Permission.objects.get(codename="manage_apitoken"))
    assert client.get("/admin/api-tokens/").status_code == 200
    assert client.get("/admin/webhooks/", follow=True).redirect_chain, "webhooks need their own permission"
    person.user_permissions.add(Permission.objects.get(codename="manage_webhooks"))
    assert client.get("/admin/webhooks/").status_code == 200
    assert client.get("/admin/webhooks/deliveries/").status_code == 200


def test_webhooks_are_registered_with_http_urls_only(client, admin):
    data = {"name": "Landscape", "url": "ftp://landscape.example/", "event_types": ["project.updated"], "secret": ""}
    response = client.post("/admin/webhooks/new/", data)
    assert response.status_code == 200 and not WebhookSubscription.objects.exists()
    data["url"] = "https://landscape.example/hook"
    assert client.post("/admin/webhooks/new/", data).status_code == 302
    subscription = WebhookSubscription.objects.get()
    assert subscription.secret.startswith("whsec_"), "an empty secret is generated"
    edit = client.get(f"/admin/webhooks/edit/{subscription.pk}/")
    assert subscription.secret.encode() not in edit.content
    data.update(event_types=["member.joined", "member.lapsed"], is_active="on")
    assert client.post(f"/admin/webhooks/edit/{subscription.pk}/", data).status_code == 302
    subscription.refresh_from_db()
    assert subscription.event_types == ["member.joined", "member.lapsed"]
    assert subscription.secret.startswith("whsec_"), "an empty secret on edit keeps the current one"


def test_a_delivery_shows_its_attempts_and_replays(client, admin, django_capture_on_commit_callbacks):
    subscription = services.webhook_subscription_create(
        name="Landscape", url="https://landscape.example/hook", event_types=["project.updated"], actor=admin
    )
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event_type="project.updated", payload={"slug": "zuul"}, status="failed", attempts=1
    )
    delivery.attempt_log.create(number=1, ok=False, response_code=500, error="HTTP 500: boom")
    page = client.get(f"/admin/webhooks/deliveries/inspect/{delivery.pk}/")
    assert page.status_code == 200 and b"HTTP 500: boom" in page.content
    assert b"Replay" in client.get("/admin/webhooks/deliveries/").content
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(f"/admin/webhooks/deliveries/replay/{delivery.pk}/").status_code == 302
    assert len(callbacks) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert ModelLogEntry.objects.filter(action="api.webhook.replay").exists()
