"""The policy per path: strict on the public site, Stripe's origins from settings, admin-only relaxations."""

import pytest


def _csp(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


@pytest.mark.django_db
def test_public_pages_are_strict_and_allow_localstripe_in_development(client, site_with_home, settings):
    settings.STRIPE_JS_URL = "http://127.0.0.1:8420/js.stripe.com/v3/"
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420"
    for url in ("/", "/accounts/login/", "/api/v1/"):
        csp = _csp(client.get(url))
        assert csp["script-src"] == ["'self'", "http://127.0.0.1:8420"], url
        assert csp["style-src"] == ["'self'"], url
        assert csp["connect-src"] == ["'self'", "http://127.0.0.1:8420"], url
        assert "frame-src" not in csp  # no Stripe frames without a real key


@pytest.mark.django_db
def test_a_real_stripe_key_allows_stripe_js_its_api_and_frames(client, site_with_home, settings):
    settings.STRIPE_SECRET_KEY = "sk_live_example"
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    settings.STRIPE_API_BASE = "https://api.stripe.com"
    csp = _csp(client.get("/"))
    assert csp["script-src"] == ["'self'", "https://js.stripe.com"]
    assert "https://api.stripe.com" in csp["connect-src"]
    assert csp["frame-src"] == ["https://js.stripe.com", "https://hooks.stripe.com"]


@pytest.mark.django_db
def test_relaxations_apply_to_their_prefix_only(client, staff_client_factory):
    docs = _csp(client.get("/api/docs/"))
    assert "'unsafe-inline'" in docs["style-src"] and "'unsafe-inline'" not in docs["script-src"]
    admin = _csp(staff_client_factory(superuser=True).get("/admin/"))
    assert "'unsafe-inline'" in admin["script-src"]
    assert admin["frame-ancestors"] == ["'self'"]  # Wagtail's live preview frames the page
    public = _csp(client.get("/accounts/login/"))
    assert "'unsafe-inline'" not in public["script-src"] and "'unsafe-inline'" not in public["style-src"]
    assert public["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_a_wagtail_preview_of_a_public_page_gets_the_admins_policy(rf, site_with_home):
    from django.contrib.auth.models import AnonymousUser

    from portal.security import ContentSecurityPolicyMiddleware

    request = rf.get("/")
    request.is_preview = True  # what Wagtail sets on the request it renders a preview with
    request.user = AnonymousUser()
    response = ContentSecurityPolicyMiddleware(lambda r: site_with_home.serve_preview(r, ""))(request)
    assert _csp(response)["frame-ancestors"] == ["'self'"]
