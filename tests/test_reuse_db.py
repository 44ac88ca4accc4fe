"""`--reuse-db` starts each run from the migrated database, whatever the last run's tests deleted."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dbsnapshot import SqliteSnapshot, migrations_key

ROOT = Path(__file__).resolve().parent.parent

EMPTIES_THE_TABLES = """
import pytest
from django.contrib.auth.models import Group

@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_flushes_every_table_when_it_ends():
    assert Group.objects.filter(name="Finance").exists()
"""

NEEDS_THE_MIGRATED_ROWS = """
import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page

@pytest.mark.django_db
def test_rows_made_by_data_migrations_are_there():
    assert Group.objects.filter(name="Finance").exists()
    assert Page.objects.filter(depth=1).exists()
"""


def _pytest(test_file: Path, db_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GUILDHALL_TEST_DB_DIR": str(db_dir)}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-q", "--reuse-db"]
    command += ["--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml"), str(test_file)]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.process
@pytest.mark.slow
def test_a_run_after_a_transactional_test_still_finds_the_rows_of_the_data_migrations(tmp_path):
    (tmp_path / "conftest.py").write_text("from tests.conftest import django_db_setup  # noqa: F401\n")
    (tmp_path / "test_flushes.py").write_text(EMPTIES_THE_TABLES)
    (tmp_path / "test_needs_rows.py").write_text(NEEDS_THE_MIGRATED_ROWS)
    db_dir = tmp_path / "db"
    db_dir.mkdir()

    first = _pytest(tmp_path / "test_flushes.py", db_dir)
    assert first.returncode == 0, first.stdout + first.stderr
    with sqlite3.connect(db_dir / "test.sqlite3") as kept:
        assert kept.execute("SELECT count(*) FROM auth_group").fetchone() == (0,)  # what the run left behind

    second = _pytest(tmp_path / "test_needs_rows.py", db_dir)
    assert second.returncode == 0, second.stdout + second.stderr


def _table_rows(path: Path) -> list:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT name FROM t ORDER BY name").fetchall()


def test_a_restored_sqlite_database_has_the_rows_it_had_when_saved(tmp_path, settings):
    settings.TEST_DB_SNAPSHOT_DIR = tmp_path / "snapshots"
    settings.TEST_DB_SNAPSHOT_DIR.mkdir()
    test_db = tmp_path / "test.sqlite3"
    with sqlite3.connect(test_db) as db:
        db.execute("CREATE TABLE t (name TEXT)")
        db.execute("INSERT INTO t VALUES ('Finance'), ('Events staff')")
    snapshot = SqliteSnapshot(str(test_db), "abc")
    snapshot.save()
    with sqlite3.connect(test_db) as db:
        db.execute("DELETE FROM t")

    snapshot.restore()

    assert _table_rows(test_db) == [("Events staff",), ("Finance",)]


def test_the_snapshot_key_changes_with_any_migration_file(tmp_path):
    migrations = tmp_path / "app" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "0001_initial.py").write_text("operations = []\n")
    before = migrations_key([migrations])

    (migrations / "0002_groups.py").write_text("operations = []\n")
    added = migrations_key([migrations])
    (migrations / "0001_initial.py").write_text("operations = ['changed']\n")
    edited = migrations_key([migrations])

    assert len({before, added, edited}) == 3
    assert migrations_key([migrations]) == edited
