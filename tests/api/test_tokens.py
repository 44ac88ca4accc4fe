"""API tokens: hashed at rest, scoped, revocable, last use recorded cheaply; the bearer scheme."""

import hashlib
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from portal.api import services
from portal.api.authentication import BearerTokenAuthentication, TokenUser, actor_for
from portal.api.exceptions import AlreadyRevoked
from portal.api.models import ApiToken
from portal.api.permissions import HasScope
from tests.accounts.factories import UserFactory
from tests.api.factories import bearer, token

pytestmark = pytest.mark.django_db


def _view(*permissions):
    class Probe(APIView):
        permission_classes = list(permissions)

        def get(self, request):
            from rest_framework.response import Response

            return Response({"user": str(request.user)})

        def post(self, request):
            from rest_framework.response import Response

            return Response({"ok": True})

    return Probe.as_view()


def test_only_a_hash_of_the_secret_is_stored_and_the_prefix_finds_it():
    made, secret = token("read")
    assert secret.startswith(f"gh_{made.prefix}_") and len(secret) > 40
    stored = ApiToken.objects.get(pk=made.pk)
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=made.pk).values().get())
    assert services.api_token_authenticate(secret) == made
    assert services.api_token_authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert services.api_token_authenticate("gh_nothing") is None


def test_unknown_scopes_are_refused():
    with pytest.raises(Exception, match="Unknown scopes"):
        token("read", "admin")


def test_without_credentials_a_protected_endpoint_answers_401_with_the_scheme():
    response = _view(HasScope("staff"))(APIRequestFactory().get("/probe/"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_acts_by_its_scopes_never_as_its_creator():
    admin = UserFactory(is_superuser=True, is_staff=True)
    _, secret = token("read", actor=admin)
    request = APIRequestFactory().get("/probe/", **bearer(secret))
    assert _view(HasScope("staff", session_perm="api.manage_apitoken"))(request).status_code == 403
    request = APIRequestFactory().get("/probe/", **bearer(secret))
    response = _view(HasScope("read"))(request)
    assert response.status_code == 200
    assert response.data["user"].startswith("token ")


def test_a_signed_in_person_passes_by_permission_not_by_scope():
    person = UserFactory()
    request = APIRequestFactory().get("/probe/")
    from rest_framework.test import force_authenticate

    force_authenticate(request, user=person)
    assert _view(HasScope("staff", session_perm="api.manage_apitoken"))(request).status_code == 403
    admin = UserFactory(is_superuser=True)
    request = APIRequestFactory().get("/probe/")
    force_authenticate(request, user=admin)
    with mock.patch("portal.api.permissions.session_used_second_factor", return_value=True):
        assert _view(HasScope("staff", session_perm="api.manage_apitoken"))(request).status_code == 200


def test_a_revoked_token_is_refused_and_cannot_be_revoked_twice():
    made, secret = token("staff")
    services.api_token_revoke(token=made, actor=None)
    response = _view(HasScope("staff"))(APIRequestFactory().get("/probe/", **bearer(secret)))
    assert response.status_code == 401
    assert response.data["code"] == "authentication_failed"
    with pytest.raises(AlreadyRevoked):
        services.api_token_revoke(token=made, actor=None)


def test_a_malformed_authorization_header_is_a_401():
    for header in ("Bearer", "Bearer a b", "Bearer gh_unknown"):
        request = APIRequestFactory().get("/probe/", HTTP_AUTHORIZATION=header)
        assert _view(HasScope("read"))(request).status_code == 401, header


def test_last_use_is_written_at_most_once_a_minute():
    made, secret = token("read")
    auth = BearerTokenAuthentication()
    auth.authenticate(APIRequestFactory().get("/", **bearer(secret)))
    first = ApiToken.objects.get(pk=made.pk).last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        auth.authenticate(APIRequestFactory().get("/", **bearer(secret)))
    assert len(queries) == 1, "a second use within the minute only reads the token"
    assert ApiToken.objects.get(pk=made.pk).last_used_at == first
    ApiToken.objects.filter(pk=made.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    auth.authenticate(APIRequestFactory().get("/", **bearer(secret)))
    assert ApiToken.objects.get(pk=made.pk).last_used_at > first


def test_the_audit_names_the_tokens_creator():
    creator = UserFactory()
    made, secret = token("checkin", actor=creator)
    request = APIRequestFactory().get("/")
    user, auth = BearerTokenAuthentication().authenticate(APIRequestFactory().get("/", **bearer(secret)))
    assert isinstance(user, TokenUser) and not user.has_perm("anything")
    request.user, request.auth = user, auth
    assert actor_for(request) == creator


def test_throttles_count_tokens_by_id_and_anonymous_clients_by_ip(client, monkeypatch):
    from django.core.cache import cache
    from rest_framework import throttling

    # The throttle classes read their rates once, at import: patch the class attribute for this test.
    monkeypatch.setattr(
        throttling.SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "token": "3/minute", "user": "100/minute"}
    )
    cache.clear()
    statuses = [client.get("/api/v1/", REMOTE_ADDR="10.0.0.1").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get("/api/v1/", REMOTE_ADDR="10.0.0.2").status_code == 200, "another IP has its own budget"
    _, secret = token("read")
    statuses = [client.get("/api/v1/", REMOTE_ADDR="10.0.0.1", **bearer(secret)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429], "a token has its own budget, whatever its IP"
    throttled = client.get("/api/v1/", REMOTE_ADDR="10.0.0.3", **bearer(secret))
    assert throttled.json()["code"] == "throttled" and throttled.json()["extra"]["retry_after"] > 0
    assert throttled["Retry-After"]
