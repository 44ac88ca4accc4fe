"""A database made by an older schema and its demo data migrates to today's and serves the same site.

The dump was made before the modules of `portal/` moved into layers (see tests/fixtures/README.md):
page types, content types and the user model must still resolve to today's classes, and every
migration added since must apply on top of real rows.
"""

import gzip
import json
import os
import re
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT

DUMP = ROOT / "tests" / "fixtures" / "demo_before_layers.sql.gz"

CHECK = textwrap.dedent(
    """
    import django, json
    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.test import Client
    from wagtail.models import Page
    from portal.models import User

    client = Client()
    pages = {}
    for page in Page.objects.live().exclude(depth=1).specific().order_by("path"):
        url = page.get_url()
        response = client.get(url, HTTP_HOST="127.0.0.1")
        pages[url] = [type(page).__module__ + "." + type(page).__name__, response.status_code]
    stale = [f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all() if ct.model_class() is None]
    print(json.dumps({"pages": pages, "stale": stale, "users": User.objects.count()}))
    """
)


@pytest.mark.process
@pytest.mark.slow
def test_a_populated_database_from_before_the_layers_migrates_and_serves_its_pages(tmp_path):
    database = tmp_path / "before.sqlite3"
    with sqlite3.connect(database) as connection:
        # Check constraints use REGEXP, which Django defines on its own SQLite connections.
        connection.create_function(
            "REGEXP", 2, lambda pattern, text: text is not None and bool(re.search(pattern, text))
        )
        connection.executescript(gzip.decompress(DUMP.read_bytes()).decode())
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    env.pop("REDIS_URL", None)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    check = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    result = json.loads(check.stdout.strip().splitlines()[-1])
    assert result["stale"] == [], "content types left without a model class"
    assert result["users"] >= 1
    served = {url: status for url, (_, status) in result["pages"].items()}
    assert len(served) >= 20 and set(served.values()) == {200}, served
    classes = {cls for cls, _ in result["pages"].values()}
    assert "portal.site.pages.home.HomePage" in classes
    assert "portal.site.pages.projects.ProjectPage" in classes
    assert "portal.site.pages.events.EventPage" in classes
