"""docs/OPERATIONS.md's backup and restore, run: a populated database (PostgreSQL or SQLite) and its uploads are
backed up, restored into a new database and storage, and the site serves the same pages, logos and
invoices from the copy."""

import json
import os
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.db import connection

from portal.payments.models import Payment
from tests.conftest import ROOT
from tests.members.test_manage import company
from tests.portal.factories import directory

pytestmark = pytest.mark.process

PROBE = r"""
import hashlib, json, re, sys
import django
django.setup()
from django.test import Client
from members.models import Organization

def normal(body: bytes) -> str:
    body = re.sub(rb'nonce="[^"]*"', b"", body)  # per response, by design
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", body)  # masked afresh on every form
    body = re.sub(rb"/CreationDate \(D:[^)]*\)", b"", body)
    body = re.sub(rb"/ID \[<[0-9a-f]+><[0-9a-f]+>\]", b"", body)
    return hashlib.sha256(body).hexdigest()

client = Client()
seen = {}
for path in sys.argv[1:] + [Organization.objects.get(slug="acme").logo.url]:
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    seen[path] = [response.status_code, normal(body)]
print(json.dumps(seen))
"""


def _url(database: str) -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database}"
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{database}"


def _manage(*args: str, database: str, media: str) -> subprocess.CompletedProcess:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL"}},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "1",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": _url(database),
        "MEDIA_ROOT": media,
    }
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def empty_database(tmp_path):
    if connection.vendor == "sqlite":
        yield str(tmp_path / "restored.sqlite3")
        return
    name = f"guildhall_restore_{uuid.uuid4().hex[:8]}"
    settings = connection.settings_dict
    admin = f"host={settings['HOST']} port={settings['PORT']} user={settings['USER']} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_new_database_serves_the_same_pages_logos_and_invoices(
    tmp_path, site_with_home, empty_database, settings
):
    directory(site_with_home).save_revision().publish()
    acme = company("Acme")
    assert acme.organization.logo
    payment = Payment.objects.filter(amount__gt=0).first()
    paths = ["/", "/members/", payment.get_absolute_url(), payment.get_absolute_url() + "invoice/"]
    original = (connection.settings_dict["NAME"], str(settings.MEDIA_ROOT))

    backup = _manage("manage.py", "backup", str(tmp_path / "backup"), database=original[0], media=original[1])
    assert backup.returncode == 0, backup.stderr
    dump = "database.sqlite3" if connection.vendor == "sqlite" else "database.dump"
    assert (tmp_path / "backup" / dump).stat().st_size > 0
    restored = (empty_database, str(tmp_path / "media"))
    restore = _manage("manage.py", "restore", str(tmp_path / "backup"), database=restored[0], media=restored[1])
    assert restore.returncode == 0, restore.stderr
    assert f"Restored the {connection.vendor} database" in restore.stdout

    before = _manage("-c", PROBE, *paths, database=original[0], media=original[1])
    after = _manage("-c", PROBE, *paths, database=restored[0], media=restored[1])
    assert before.returncode == 0 and after.returncode == 0, before.stderr + after.stderr
    served_before, served_after = json.loads(before.stdout.splitlines()[-1]), json.loads(after.stdout.splitlines()[-1])
    assert all(status == 200 for status, _ in served_before.values()), served_before
    assert served_after == served_before


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(tmp_path, empty_database):
    original = connection.settings_dict["NAME"]
    backup = _manage("manage.py", "backup", str(tmp_path / "backup"), database=original, media=str(tmp_path / "m"))
    assert backup.returncode == 0, backup.stderr
    again = _manage("manage.py", "restore", str(tmp_path / "backup"), database=original, media=str(tmp_path / "m2"))
    assert again.returncode != 0
    assert "The database is not empty: restore into a new, empty database." in again.stderr
