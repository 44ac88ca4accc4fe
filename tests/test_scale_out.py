"""Two gunicorn instances on one PostgreSQL, one Redis and one S3-compatible server behave as one site:
a member's change made through one is fresh on the other's cached pages, a logo uploaded through one is
served to the other's visitors, and one rate limit counts across both."""

import os
import re
import subprocess
import sys

import pytest
import redis
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from tests.conftest import ROOT, free_port, wait_for_port, wait_until_serving
from tests.members.test_manage import company
from tests.portal.factories import directory
from tests.s3 import CREDENTIALS, make_bucket, s3_server

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.process]

REDIS_DB = 12
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4" cx="5" cy="5"/></svg>'
# Production settings, but for static files found where they lie (no collectstatic for a test).
SETTINGS = """
from portal.settings import *  # noqa
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
"""


def _gunicorn(port: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "portal.wsgi"],
        cwd=ROOT,
        env={**env, "SITE_URL": f"http://127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _session_for(user) -> str:
    """A logged-in session in the shared database, as the log-in page would have made."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


@pytest.fixture
def two_sites(tmp_path, site_with_home):
    redis_url = os.environ["REDIS_URL"].rsplit("/", 1)[0] + f"/{REDIS_DB}"
    redis.Redis.from_url(redis_url).flushdb()
    (tmp_path / "scale_out_settings.py").write_text(SETTINGS)
    database = connection.settings_dict
    with s3_server() as endpoint:
        make_bucket(endpoint, "guildhall-media")
        env = {
            **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}},
            **CREDENTIALS,
            "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}",
            "DJANGO_SETTINGS_MODULE": "scale_out_settings",
            "DEBUG": "0",
            # The sessions this test writes are signed with the suite's key: the servers must read them.
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
            "REDIS_URL": redis_url,
            "AWS_STORAGE_BUCKET_NAME": "guildhall-media",
            "AWS_S3_ENDPOINT_URL": endpoint,
            "STRIPE_ALLOW_LOCALSTRIPE": "1",
            "API_ANON_RATE": "5/minute",
        }
        ports = free_port(), free_port()
        servers = [_gunicorn(port, env) for port in ports]
        try:
            for port in ports:
                wait_for_port(port, timeout=60)
                wait_until_serving(f"http://127.0.0.1:{port}")
            yield [f"http://127.0.0.1:{port}" for port in ports]
        finally:
            for server in servers:
                server.terminate()
                server.wait(10)


@pytest.mark.django_db(transaction=True)
def test_two_instances_share_pages_uploads_and_limits(two_sites, site_with_home):
    a, b = two_sites
    directory(site_with_home).save_revision().publish()
    acme = company("Acme")
    visitor = requests.Session()
    before = visitor.get(f"{b}/members/", timeout=20)
    assert before.status_code == 200 and "Acme" in before.text and "Acme Orbit" not in before.text
    assert visitor.get(f"{b}/members/", timeout=20).text == before.text  # now in B's page cache

    # A member's marketing person renames the company and uploads a logo through A.
    cookies = {"sessionid": _session_for(acme.people["marketing"])}
    form = requests.get(f"{a}/members/manage/acme/profile/", cookies=cookies, timeout=20)
    assert form.status_code == 200 and "Remove the logo" in form.text, form.text[:300]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    cookies["csrftoken"] = form.cookies["csrftoken"]
    saved = requests.post(
        f"{a}/members/manage/acme/profile/",
        data={
            "csrfmiddlewaretoken": token,
            "name": "Acme Orbit",
            "website": "https://acme.example/",
            "country": "France",
            "industry": "cloud",
            "size": "50-249",
        },
        files={"logo": ("orbit.svg", SVG, "image/svg+xml")},
        cookies=cookies,
        allow_redirects=False,
        timeout=20,
    )
    assert saved.status_code == 302 and "/accounts/" not in saved.headers["Location"], saved.text[:500]

    # B's visitors see the change at once, and the logo B links to is the one uploaded through A.
    after = visitor.get(f"{b}/members/", timeout=20).text
    assert "Acme Orbit" in after
    logo_url = re.search(r'src="([^"]*guildhall-media/[^"]*orbit[^"]*\.svg)"', after).group(1)
    assert requests.get(logo_url, timeout=20).content == SVG

    # One budget of 5 anonymous API requests a minute for this address, whichever instance answers.
    statuses = [visitor.get(f"{server}/api/v1/events/", timeout=20).status_code for server in (a, b) * 3]
    assert statuses == [200, 200, 200, 200, 200, 429]
