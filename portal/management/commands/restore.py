"""`manage.py restore DIR`: put a backup made by `manage.py backup` into this site's (empty) database and
storage. See docs/OPERATIONS.md."""

import json
import sqlite3
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal.core.backup import database_url, run_pg_tool


class Command(BaseCommand):
    help = "Restore a backup folder into an empty database and storage (see docs/OPERATIONS.md)."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder: Path, **options):
        manifest_path = folder / "manifest.json"
        if not manifest_path.exists():
            raise CommandError(f"{folder} holds no backup (no manifest.json).")
        manifest = json.loads(manifest_path.read_text())
        vendor = connection.vendor
        if manifest["database"] != vendor:
            raise CommandError(f"The backup is of a {manifest['database']} database; this site uses {vendor}.")
        if connection.introspection.table_names():
            raise CommandError("The database is not empty: restore into a new, empty database.")
        if vendor == "postgresql":
            failure = run_pg_tool(
                "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                "--dbname", database_url(connection.settings_dict), str(folder / "database.dump"),
            )  # fmt: skip
            if failure:
                raise CommandError(f"pg_restore failed: {failure}")
        else:
            connection.close()
            with sqlite3.connect(folder / "database.sqlite3") as source:
                with sqlite3.connect(connection.settings_dict["NAME"]) as target:
                    source.backup(target)
        media = folder / "media"
        count = 0
        for path in sorted(p for p in media.rglob("*") if p.is_file()):
            name = path.relative_to(media).as_posix()
            saved = default_storage.save(name, ContentFile(path.read_bytes()))
            if saved != name:
                raise CommandError(f"{name} already exists in the storage: restore into an empty one.")
            count += 1
        self.stdout.write(f"Restored the {vendor} database and {count} uploads from {folder}.")
