"""The policy per path: strict on the public site, Stripe's origins from settings, admin-only relaxations."""

import re

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

    from portal.core.security import ContentSecurityPolicyMiddleware

    request = rf.get("/")
    request.is_preview = True  # what Wagtail sets on the request it renders a preview with
    request.user = AnonymousUser()
    response = ContentSecurityPolicyMiddleware(lambda r: site_with_home.serve_preview(r, ""))(request)
    assert _csp(response)["frame-ancestors"] == ["'self'"]


def _pair(rf, path, view, settings_overrides=None):
    """The headers our middleware writes and those django-csp's own process_response writes, same request."""
    from csp.middleware import CSPMiddleware

    from portal.core.security import ContentSecurityPolicyMiddleware

    class Reference(ContentSecurityPolicyMiddleware):
        process_response = CSPMiddleware.process_response

    out = []
    for middleware in (ContentSecurityPolicyMiddleware, Reference):
        request = rf.get(path)
        response = middleware(view)(request)
        out.append({k: v for k, v in response.items() if k.startswith("Content-Security-Policy")})
    return out


@pytest.mark.django_db
def test_the_kept_policy_is_the_one_django_csp_builds(rf, settings):
    from django.http import HttpResponse

    def plain(request):
        return HttpResponse("ok")

    def with_nonce(request):
        return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")

    def with_update(request):
        response = HttpResponse("ok")
        response._csp_update = {"img-src": ["https://images.example"]}
        return response

    def exempt(request):
        response = HttpResponse("ok")
        response._csp_exempt = True
        return response

    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/r/"}}
    for path, view in [("/", plain), ("/admin/", plain), ("/", with_nonce), ("/", with_update), ("/", exempt)]:
        for _ in range(2):  # built, then kept
            ours, theirs = _pair(rf, path, view)
            assert ours == theirs, (path, view.__name__)
    assert "Content-Security-Policy" not in _pair(rf, "/", exempt)[0]
    from csp.constants import NONCE

    policy = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = {
        **policy,
        "DIRECTIVES": {**policy["DIRECTIVES"], "script-src": ["'self'", NONCE]},
    }
    headers = [_pair(rf, "/", with_nonce) for _ in range(2)]
    for ours, theirs in headers:  # each request its own nonce; the rest as django-csp writes it
        assert re.sub("'nonce-[^']+'", "", ours["Content-Security-Policy"]) == re.sub(
            "'nonce-[^']+'", "", theirs["Content-Security-Policy"]
        )
    nonces = {ours["Content-Security-Policy"] for ours, _ in headers}
    assert len(nonces) == 2 and all("'nonce-" in header for header in nonces), "a nonce is never kept"


@pytest.mark.django_db
def test_a_policy_is_built_once_per_process_until_its_settings_change(client, site_with_home, settings, monkeypatch):
    from portal.core import security

    builds = []
    real = security.build_policy
    monkeypatch.setattr(security, "build_policy", lambda **kw: builds.append(kw) or real(**kw))
    security._built.clear()
    for _ in range(3):
        client.get("/accounts/login/")
    assert len(builds) == 2, "the policy and the (empty) report-only one, once each"
    settings.STRIPE_API_BASE = "https://stripe.example"
    assert "https://stripe.example" in _csp(client.get("/accounts/login/"))["connect-src"]
