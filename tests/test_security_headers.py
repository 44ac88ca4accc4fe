"""The security headers of a DEBUG-off response, with production settings.

The production settings run in a subprocess (as in tests/test_deploy.py), so the suite's own
settings cannot hide a gap. Only the static-files storage is swapped (the manifest needs
collectstatic); every security setting is the production one.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.deploy, pytest.mark.process]

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client, override_settings
plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=plain):
    client = Client()
    insecure = client.get("/accounts/login/", HTTP_HOST="openinfra.example")
    response = client.get("/accounts/login/", secure=True, HTTP_HOST="openinfra.example")
cookie = response.cookies["csrftoken"]
print(json.dumps({
    "debug": settings.DEBUG,
    "status": response.status_code,
    "insecure": [insecure.status_code, insecure.get("Location", "")],
    "headers": dict(response.items()),
    "csrf_cookie": {"secure": bool(cookie["secure"]), "samesite": cookie["samesite"]},
    "session_cookie": {"secure": settings.SESSION_COOKIE_SECURE, "httponly": settings.SESSION_COOKIE_HTTPONLY,
                       "samesite": settings.SESSION_COOKIE_SAMESITE},
}))
"""


@pytest.fixture(scope="module")
def production_response(tmp_path_factory):
    db = tmp_path_factory.mktemp("prod") / "prod.sqlite3"
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "k9$Zq!w2@Lr7#Xv4^Bn8&Mt1*Hy6(Pj3)Ds5_Gf0+Ce-Ua=Ko;Ri,Wl.Ex",
        "ALLOWED_HOSTS": "openinfra.example",
        "SITE_URL": "https://openinfra.example",
        "DATABASE_URL": f"sqlite:///{db}",
        "STRIPE_ALLOW_LOCALSTRIPE": "1",
        "ALLOW_PER_PROCESS_CACHE": "1",
    }
    full_env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
    full_env.update(env, DJANGO_SETTINGS_MODULE="portal.settings")
    # The page's chrome (footer links, site settings) reads the database: give it a migrated one.
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


def test_the_response_is_from_production_settings(production_response):
    assert production_response["debug"] is False
    assert production_response["status"] == 200
    assert production_response["insecure"] == [301, "https://openinfra.example/accounts/login/"]


def test_content_security_policy_is_strict(production_response):
    csp = _directives(production_response["headers"]["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["script-src"][0] == "'self'"
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]


def test_transport_and_browser_headers(production_response):
    headers = production_response["headers"]
    hsts = dict((part.strip().split("=", 1) + [""])[:2] for part in headers["Strict-Transport-Security"].split(";"))
    assert int(hsts["max-age"]) >= 31_536_000 and "includeSubDomains" in hsts
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_cookies_are_secure(production_response):
    assert production_response["csrf_cookie"] == {"secure": True, "samesite": "Lax"}
    assert production_response["session_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
