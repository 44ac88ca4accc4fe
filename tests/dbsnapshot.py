"""A migrated test database kept as a snapshot, so `--reuse-db` starts every run from the same rows.

A transactional test (`django_db(transaction=True)`, `live_server`) empties every table when it ends,
the rows that data migrations made included (staff groups, Wagtail's root page, the default site).
A database simply kept between runs would start the next run without them. Instead the first run
migrates a database and copies it aside (SQLite: `var/test-db/<key>.sqlite3`; PostgreSQL: a template
database `<test name>_snap_<key>`), and every run with `--reuse-db` restores the test database from
that copy before its first test. The key is a hash of every installed app's migration files (ours and
third-party ones), so a new or edited migration makes a new snapshot on the next run by itself.
"""

import fcntl
import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _snapshot_dir() -> Path:
    from django.conf import settings

    return Path(settings.TEST_DB_SNAPSHOT_DIR)


def migrations_key(migration_dirs: list[Path] | None = None) -> str:
    """A short hash of the names and contents of every migration file (all installed apps by default)."""
    if migration_dirs is None:
        from django.apps import apps

        migration_dirs = [Path(app.path) / "migrations" for app in apps.get_app_configs()]
    digest = hashlib.sha256()
    for directory in sorted(migration_dirs):
        for path in sorted(directory.glob("*.py")):
            digest.update(f"{directory.parent.name}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@contextmanager
def _lock() -> Iterator[None]:
    """One process at a time builds or restores (xdist workers start together)."""
    _snapshot_dir().mkdir(parents=True, exist_ok=True)
    with (_snapshot_dir() / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class SqliteSnapshot:
    def __init__(self, test_name: str, key: str):
        self.test_db = Path(test_name)
        self.file = _snapshot_dir() / f"{key}.sqlite3"

    def exists(self) -> bool:
        return self.file.exists()

    def discard_test_db(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.test_db}{suffix}").unlink(missing_ok=True)

    def restore(self) -> None:
        self.discard_test_db()
        shutil.copyfile(self.file, self.test_db)

    def save(self) -> None:
        """Copy the migrated test database through SQLite's backup API (consistent even with a WAL)."""
        partial = self.file.with_suffix(".partial")
        source, target = sqlite3.connect(self.test_db), sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        partial.replace(self.file)
        for old in self.file.parent.glob("*.sqlite3"):
            if old != self.file:
                old.unlink(missing_ok=True)


class PostgresSnapshot:
    def __init__(self, connection, test_name: str, key: str):
        self.connection = connection
        self.test_db = test_name
        self.prefix = f"{connection.settings_dict['NAME']}_snap_"[:50]
        self.template = f"{self.prefix}{key}"

    def _execute(self, sql: str, params: tuple = ()) -> list:
        with self.connection._nodb_cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def _quote(self, name: str) -> str:
        return self.connection.ops.quote_name(name)

    def exists(self) -> bool:
        return bool(self._execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.template,)))

    def discard_test_db(self) -> None:
        self._execute(f"DROP DATABASE IF EXISTS {self._quote(self.test_db)} WITH (FORCE)")

    def restore(self) -> None:
        self.discard_test_db()
        self._execute(f"CREATE DATABASE {self._quote(self.test_db)} TEMPLATE {self._quote(self.template)}")

    def save(self) -> None:
        self.connection.close()  # a template may have no open connection
        self._execute(f"CREATE DATABASE {self._quote(self.template)} TEMPLATE {self._quote(self.test_db)}")
        like = self.prefix.replace("_", r"\_") + "%"
        for (old,) in self._execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (like,)):
            if old != self.template:
                self._execute(f"DROP DATABASE IF EXISTS {self._quote(old)} WITH (FORCE)")


def snapshot_for_default_database(key: str | None = None) -> SqliteSnapshot | PostgresSnapshot | None:
    """The snapshot of the default database's test database, or None for an engine we do not snapshot."""
    from django.db import connections

    connection = connections["default"]
    test_name = connection.creation._get_test_db_name()
    key = key or migrations_key()
    if connection.vendor == "sqlite" and not connection.creation.is_in_memory_db(test_name):
        return SqliteSnapshot(test_name, key)
    if connection.vendor == "postgresql":
        return PostgresSnapshot(connection, test_name, key)
    return None


def setup_test_databases(setup, *, rebuild: bool) -> object:
    """Run Django's `setup` (keepdb) on a test database restored from the snapshot; make the snapshot first if needed.

    `setup` is `django.test.utils.setup_databases` with its arguments bound; it migrates
    whatever the restored database lacks (nothing, unless the key missed a change) and returns its config.
    """
    snapshot = snapshot_for_default_database()
    if snapshot is None:
        return setup()
    with _lock():
        if snapshot.exists() and not rebuild:
            snapshot.restore()
            return setup()
        snapshot.discard_test_db()
        config = setup()
        snapshot.save()
        return config
