"""Uploads on S3-compatible storage when a bucket is named (every process of every host sees the same
files), on local disk served by Django in development or with SERVE_MEDIA=1 otherwise."""

import os
import subprocess
import sys
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from members.models import Organization
from tests.conftest import ROOT
from tests.members.test_manage import company
from tests.s3 import CREDENTIALS, make_bucket, s3_server

pytestmark = pytest.mark.process

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'


@pytest.fixture
def bucket(settings, monkeypatch):
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    with s3_server() as endpoint:
        client = make_bucket(endpoint, "guildhall-media")
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": "guildhall-media",
                    "endpoint_url": endpoint,
                    "querystring_auth": False,
                    "default_acl": None,
                    "file_overwrite": False,
                },
            },
        }
        yield endpoint, client


@pytest.mark.django_db
def test_a_logo_uploaded_by_a_member_lands_in_the_bucket_and_is_served_from_it(bucket, client):
    endpoint, s3 = bucket
    target = company("Acme")
    client.force_login(target.people["marketing"])
    response = client.post(
        "/members/manage/acme/profile/",
        {
            "name": "Acme",
            "website": "https://acme.example/",
            "country": "France",
            "industry": "cloud",
            "size": "50-249",
            "logo": SimpleUploadedFile("acme.svg", SVG, content_type="image/svg+xml"),
        },
    )
    assert response.status_code == 302, response.content[:500]
    logo = Organization.objects.get(slug="acme").logo
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket="guildhall-media").get("Contents", [])]
    assert logo.name in keys and logo.name.endswith(".svg")
    assert logo.url.startswith(f"{endpoint}/guildhall-media/")
    with urllib.request.urlopen(logo.url, timeout=5) as answer:  # noqa: S310 - the local S3 server
        assert answer.read() == SVG
    assert Client().get("/api/v1/members/acme/").json()["logo"] == logo.url


def _settings_in_a_process(**env) -> str:
    probe = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.STORAGES['default']['BACKEND'], settings.SERVE_MEDIA)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SERVE_MEDIA", "DEBUG"))}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n")[-2]


def test_the_bucket_is_chosen_by_one_setting_and_local_media_is_served_only_when_asked():
    production = {"DEBUG": "0", "ALLOW_PER_PROCESS_CACHE": "1", "STRIPE_ALLOW_LOCALSTRIPE": "1"}
    assert (
        _settings_in_a_process(**production, AWS_STORAGE_BUCKET_NAME="media") == "storages.backends.s3.S3Storage False"
    )
    assert _settings_in_a_process(**production) == "django.core.files.storage.FileSystemStorage False"
    assert _settings_in_a_process(**production, SERVE_MEDIA="1") == "django.core.files.storage.FileSystemStorage True"
    assert _settings_in_a_process(DEBUG="1") == "django.core.files.storage.FileSystemStorage True"
